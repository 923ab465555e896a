"""The failure atlas: every person of a dataset through every chosen model, joint by joint and stage by stage,
as Parquet shards a page browses (``python -m poseviz atlas``)."""
from poseviz.atlas.build import ENGINES, AtlasSpec, build_atlas, shard_rows, spec_from
from poseviz.atlas.source import NAMED, open_source
from poseviz.atlas.store import read_atlas, read_manifest

__all__ = ["AtlasSpec", "ENGINES", "NAMED", "build_atlas", "open_source", "read_atlas", "read_manifest", "shard_rows",
           "spec_from"]
