"""Training: augmentation, LSP dataset, the training loop (loss and devices live here)."""
