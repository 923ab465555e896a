"""The atlas's engines give the same rows: in-process, a pool of 2 processes, and Ray Data on a local Ray
(``ray.init(num_cpus=2)``, models held in actors)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from poseviz.atlas import build_atlas, read_atlas, spec_from

from test_atlas import _dataset


def _same(x, y, col: str) -> None:
    if isinstance(x, str) or x is None:
        assert x == y, col
    elif np.ndim(x) == 0:
        np.testing.assert_allclose(float(x), float(y), rtol=1e-6, atol=1e-6, err_msg=col)
    elif len(x) and isinstance(x[0], str):
        assert list(x) == list(y), col
    elif len(x) and np.ndim(x[0]):  # per stage, per joint
        assert len(x) == len(y), col
        for xs, ys in zip(x, y):
            _same(xs, ys, col)
    else:
        np.testing.assert_allclose(np.asarray(x, float), np.asarray(y, float), rtol=1e-6, atol=1e-6, err_msg=col)


def _same_rows(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for col in a.columns:
        for x, y in zip(a[col], b[col]):
            _same(x, y, col)


def test_local_process_pool_and_ray_give_the_same_rows(tmp_path):
    import ray

    from poseviz.gallery import PHOTOS_DIR

    photos = tuple(sorted(p.name for p in PHOTOS_DIR.glob("*.jpg")))
    path, folder = _dataset(tmp_path, photos=photos)
    spec = spec_from(path, ["cpm_lsp"], images=folder, shard_size=5, limit=20)
    local = build_atlas(spec, tmp_path / "local", progress=False)
    assert local["people"] == 20 and local["shards"] == 4
    build_atlas(spec, tmp_path / "pool", workers=2, progress=False)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        build_atlas(spec, tmp_path / "ray", engine="ray", workers=2, progress=False)
    finally:
        ray.shutdown()
    a, _ = read_atlas(tmp_path / "local")
    assert len(a) == 20 and (a.error == "").all()
    for other in ("pool", "ray"):
        _same_rows(a, read_atlas(tmp_path / other)[0])
