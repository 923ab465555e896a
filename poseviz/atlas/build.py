"""Build a failure atlas: every person of a dataset through every chosen model, shard by shard.

Engines give the same rows: ``local`` runs in this process (``workers`` > 1: a process pool, each worker holding
the models once); ``ray`` sends shards to Ray Data actors that hold the models (``map_batches``), on a local Ray
started here or the cluster at ``address`` (its workers must see the dataset at the same paths). Only the
process that called ``build_atlas`` writes the atlas.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from poseviz.atlas.rows import crowd_index, error_row, gt_is_coco, match_detection, model_view, person_row
from poseviz.atlas.source import AtlasSource, open_source
from poseviz.atlas.store import VERSION, check_or_write_manifest, done_shards, table_bytes, weights_hash, write_shard
from poseviz.core.errors import PoseVizInputError

__all__ = ["AtlasSpec", "ENGINES", "build_atlas", "shard_rows", "MAX_WORKERS"]

ENGINES = ("local", "ray")
MAX_WORKERS = 256
BOXES = ("gt", "detected")


@dataclass(frozen=True)
class AtlasSpec:
    """What to run: picklable, so worker processes and Ray actors rebuild the same source and models."""

    dataset: str
    models: tuple[str, ...]
    images: str | None = None
    root: str | None = None
    boxes: str = "gt"
    flip: bool = False
    occlusion: bool = False
    shard_size: int = 32
    limit: int | None = None

    def check(self) -> None:
        from poseviz.models import zoo

        if not self.models:
            raise PoseVizInputError("--models: name at least one shipped model")
        for m in self.models:
            if not zoo.is_shipped(m):
                raise PoseVizInputError(f"--models: {m!r} is not a shipped model; choose from {', '.join(zoo.shipped_models(None))}")
        if len(set(self.models)) != len(self.models):
            raise PoseVizInputError("--models: a model is named twice")
        if self.boxes not in BOXES:
            raise PoseVizInputError(f"--boxes must be one of {', '.join(BOXES)}")
        if not 1 <= self.shard_size <= 10_000:
            raise PoseVizInputError("--shard-size must be between 1 and 10000 people")
        if self.limit is not None and self.limit < 1:
            raise PoseVizInputError("--limit must be at least 1")


@functools.lru_cache(maxsize=2)
def _source(spec: AtlasSpec) -> AtlasSource:
    return open_source(spec.dataset, spec.images, spec.root, spec.limit)


@functools.lru_cache(maxsize=2)
def _views(spec: AtlasSpec) -> tuple:
    from poseviz import load_model
    from poseviz.explain.oks_errors import gt_schema

    schema = gt_schema(_source(spec).gt)
    return tuple(model_view(n, load_model(n), schema) for n in spec.models)


def _image(source: AtlasSource, file_name: str) -> np.ndarray:
    from poseviz.io.images import load_image

    try:
        return load_image(source.image_path(file_name), max_side=None).rgb
    except PoseVizInputError as exc:
        raise PoseVizInputError(f"image {Path(file_name).name!r}: {exc}") from None


def shard_rows(spec: AtlasSpec, index: int) -> list[dict]:
    """The rows of shard ``index`` (its people × every model, in order); a person that cannot be run is an error
    row per model, never an exception."""
    from poseviz.inference.person_boxes import person_candidates

    source, views = _source(spec), _views(spec)
    coco = gt_is_coco(source)
    people = source.people[index * spec.shard_size:(index + 1) * spec.shard_size]
    rows: list[dict] = []
    rgb, rgb_of, image_error, detections = None, None, "", []
    for person in people:
        if person.problem:
            rows += [error_row(source.name, person, v.name, f"annotation: {person.problem}") for v in views]
            continue
        if rgb_of != person.image_id:
            rgb_of, image_error = person.image_id, ""
            try:
                rgb = _image(source, person.file_name)
                detections = person_candidates(rgb) if spec.boxes == "detected" else []
            except PoseVizInputError as exc:
                image_error = str(exc)
        if image_error:
            rows += [error_row(source.name, person, v.name, image_error) for v in views]
            continue
        others = source.others(person)
        crowd = crowd_index(person.ann, others)
        if spec.boxes == "gt":
            box_source, box = "gt", tuple(float(v) for v in person.ann["bbox"])
        else:
            hit, _ = match_detection(person.ann["bbox"], detections)
            box_source, box = ("detector", detections[hit].crop_box) if hit is not None else ("missed", None)
        for v in views:
            try:
                rows.append(person_row(source.name, person, others, v, rgb, box_source, box, crowd, coco,
                                       spec.flip, spec.occlusion))
            except (PoseVizInputError, ValueError) as exc:  # a degenerate box or keypoints: this row only
                rows.append(error_row(source.name, person, v.name, f"{type(exc).__name__}: {exc}"))
    return rows


def _shard_bytes(spec: AtlasSpec, index: int) -> tuple[int, bytes]:
    return index, table_bytes(shard_rows(spec, index))


def _pool_init() -> None:
    import torch

    torch.set_num_threads(1)  # one core per worker: the pool is the parallelism


class _RayShards:
    """A Ray Data actor holding the models (built once per actor), turning shard indices into Parquet bytes."""

    def __init__(self, spec: AtlasSpec) -> None:
        _pool_init()
        self.spec = spec
        _views(spec)

    def __call__(self, batch: dict) -> dict:
        out = [_shard_bytes(self.spec, int(i)) for i in batch["shard"]]
        return {"shard": np.array([i for i, _ in out]), "data": np.array([d for _, d in out], dtype=object)}


def _run_local(spec: AtlasSpec, todo: list[int], workers: int):
    if workers <= 1:
        for i in todo:
            yield _shard_bytes(spec, i)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_pool_init) as pool:
        yield from pool.map(_shard_bytes, [spec] * len(todo), todo)


def _run_ray(spec: AtlasSpec, todo: list[int], workers: int, address: str | None):
    try:
        import ray
    except ImportError:
        raise PoseVizInputError("--engine ray needs Ray: pip install 'ray[data]'") from None
    started = not ray.is_initialized()
    if started:
        ray.init(address=address, num_cpus=None if address else workers, include_dashboard=False,
                 log_to_driver=False, configure_logging=False)
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ds = ray.data.from_items([{"shard": i} for i in todo], override_num_blocks=max(len(todo), 1))
        out = ds.map_batches(_RayShards, fn_constructor_kwargs={"spec": spec}, batch_size=1, concurrency=workers,
                             num_cpus=1)
        for row in out.iter_rows():
            yield int(row["shard"]), bytes(row["data"])
    finally:
        if started:
            ray.shutdown()


def manifest_of(spec: AtlasSpec, source: AtlasSource) -> dict:
    """What an atlas records of its run (the engine and worker count are not in it: they change no row)."""
    return {"version": VERSION, "dataset": spec.dataset, "dataset_sha256": source.digest, "images": str(source.images.resolve()),
            "people": len(source.people), "models": {m: weights_hash(m) for m in spec.models},
            "options": {"boxes": spec.boxes, "flip": spec.flip, "occlusion": spec.occlusion, "limit": spec.limit},
            "shard_size": spec.shard_size, "shards": -(-len(source.people) // spec.shard_size)}


def build_atlas(spec: AtlasSpec, out: str | Path, engine: str = "local", workers: int = 1, address: str | None = None,
                progress: bool = True, progress_callback=None) -> dict:
    """Run (or resume) the atlas of ``spec`` into folder ``out``; returns its manifest with ``written`` (shards
    written now) and ``resumed`` (shards found done). ``progress_callback(done, total)`` after each shard."""
    from tqdm.auto import tqdm

    spec.check()
    if engine not in ENGINES:
        raise PoseVizInputError(f"--engine must be one of {', '.join(ENGINES)}")
    if not 1 <= workers <= MAX_WORKERS:
        raise PoseVizInputError(f"--workers must be between 1 and {MAX_WORKERS}")
    if address and engine != "ray":
        raise PoseVizInputError("--address is for --engine ray")
    out = Path(out)
    source = _source(spec)
    manifest = manifest_of(spec, source)
    check_or_write_manifest(out, manifest)
    done = done_shards(out, manifest["shards"])
    todo = [i for i in range(manifest["shards"]) if i not in done]
    runs = _run_ray(spec, todo, workers, address) if engine == "ray" else _run_local(spec, todo, workers)
    bar = tqdm(total=len(source.people), initial=min(len(done) * spec.shard_size, len(source.people)),
               desc="atlas (people)", disable=not progress)
    written = 0
    for index, data in runs:
        write_shard(out, index, data)
        written += 1
        bar.update(min(spec.shard_size, len(source.people) - index * spec.shard_size))
        if progress_callback is not None:
            progress_callback(len(done) + written, manifest["shards"])
    bar.close()
    return {**manifest, "written": written, "resumed": len(done)}


def spec_from(dataset: str, models: list[str] | tuple[str, ...], **options) -> AtlasSpec:
    """An ``AtlasSpec`` with the models as a tuple (hashable, as the caches need)."""
    return dataclasses.replace(AtlasSpec(dataset, tuple(models)), **options)
