"""A tiny model registry (timm-style) feeding the CLI and the app's model picker."""
from __future__ import annotations

from collections.abc import Callable

from torch import nn

__all__ = ["register_model", "create_model", "list_models"]

_REGISTRY: dict[str, Callable[..., nn.Module]] = {}


def register_model(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
    """Register a factory under its function name."""
    _REGISTRY[fn.__name__] = fn
    return fn


def create_model(name: str, **kwargs) -> nn.Module:
    """Build a registered architecture (random weights); see ``list_models()``."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; registered: {', '.join(sorted(_REGISTRY))}") from None
    return factory(**kwargs)


def list_models() -> list[str]:
    """Names of all registered architectures, sorted."""
    return sorted(_REGISTRY)
