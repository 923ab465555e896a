"""The one place that decides where datasets live (the *data root*).

Resolution order, first hit wins:

1. an explicit path (a ``--data-root`` flag, a function argument);
2. the ``POSEVIZ_DATA`` environment variable;
3. ``data_root = …`` in the config file ``<user config dir>/poseviz/config.toml``;
4. the development data, ``../shared/data`` beside a source checkout, when it exists;
5. the per-user data directory (platformdirs), e.g. ``~/.local/share/poseviz``.

Each dataset is a named subfolder (``lsp``, ``lspet``, ``mpii``, ``coco-mini`` …).
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

import platformdirs

__all__ = ["ENV_VAR", "config_file", "data_root", "dataset_dir", "development_data"]

ENV_VAR = "POSEVIZ_DATA"


def config_file() -> Path:
    """The user's PoseViz config file (TOML; may not exist)."""
    return Path(platformdirs.user_config_dir("poseviz")) / "config.toml"


def development_data() -> Path:
    """``../shared/data`` beside the source checkout (exists only in the development setup)."""
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def _from_config(path: Path) -> Path | None:
    if not path.is_file():
        return None
    try:
        value = tomllib.loads(path.read_text()).get("data_root")
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
        return None
    return Path(value).expanduser() if isinstance(value, str) and value else None


def data_root(explicit: str | Path | None = None) -> Path:
    """The data root, resolved as the module docstring says (the folder need not exist)."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    configured = _from_config(config_file())
    if configured is not None:
        return configured
    dev = development_data()
    if dev.is_dir():
        return dev
    return Path(platformdirs.user_data_dir("poseviz"))


def dataset_dir(name: str, root: str | Path | None = None) -> Path:
    """The folder of dataset ``name`` (``lsp``, ``lspet``, ``mpii``, ``coco-mini`` …) under the data root."""
    return data_root(root) / name
