"""How a network sees: receptive fields (theoretical and effective), non-local attention and its effect, pooling, occlusion
and attribution, the OKS error taxonomy and how far models disagree."""
__all__ = ["attention", "disagreement", "erf", "nonlocal_effect", "occlusion", "oks_errors", "pooling", "receptive_field"]
