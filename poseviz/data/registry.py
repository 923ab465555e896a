"""What ``python -m poseviz data`` knows how to get: public datasets and checkpoints.

Each entry names its publisher's download location, the hash the publisher or the community
states for the file where one is stated (COCO publishes MD5s; LSP, LSP Extended and MPII state
none, so ``fetch`` records the SHA-256 of the first download and ``verify`` checks against it),
its licence and citation, and the folder under the data root it lands in.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Download", "Entry", "REGISTRY", "entry"]


@dataclass(frozen=True)
class Download:
    """One file to download: URL, known hash ("md5:…" / "sha256:…", or None), size in bytes if known,
    and how to unpack it ("zip", "tar", or None to keep the file as it is)."""

    url: str
    known_hash: str | None = None
    size: int | None = None
    unpack: str | None = None
    # Sub-folder of the archive to move up to the entry's folder (archives that wrap their content).
    strip: str | None = None
    # Where no size is published: the most a download may grow to before it is stopped (bytes).
    max_size: int | None = None

    @property
    def byte_limit(self) -> int:
        """The size a download stops at: the published one, else ``max_size``, else 1 GiB."""
        return self.size or self.max_size or 1 << 30


@dataclass(frozen=True)
class Entry:
    """A dataset or checkpoint: its folder under the data root, downloads and the files that prove it is there."""

    name: str
    kind: str  # "dataset" or "checkpoint"
    title: str
    downloads: tuple[Download, ...]
    expect: tuple[str, ...]  # paths (relative to the folder) that a complete copy has
    licence: str
    citation: str
    note: str = ""
    folder: str = field(default="")

    @property
    def target(self) -> str:
        return self.folder or (f"checkpoints/{self.name}" if self.kind == "checkpoint" else self.name)


REGISTRY: dict[str, Entry] = {e.name: e for e in (
    Entry(
        "coco-val2017", "dataset", "COCO 2017 validation: person keypoints and images (5,000 images)",
        (Download("http://images.cocodataset.org/annotations/annotations_trainval2017.zip",
                  "md5:f4bbac642086de4f52a3fdda2de5fa2c", 252907541, "zip"),
         Download("http://images.cocodataset.org/zips/val2017.zip", "md5:442b8da7639aecaf257c1dceb8ba8c80", 815585330, "zip")),
        ("annotations/person_keypoints_val2017.json", "val2017"),
        "annotations CC BY 4.0; images under their Flickr owners' licences (see cocodataset.org/#termsofuse)",
        "Lin et al., Microsoft COCO: Common Objects in Context, ECCV 2014",
    ),
    Entry(
        "lsp", "dataset", "Leeds Sports Pose, original size (2,000 images, 14 joints)",
        (Download("http://sam.johnson.io/research/lsp_dataset_original.zip", None, None, "zip", max_size=1 << 30),),
        ("joints.mat", "images/im0001.jpg"),
        "research use (see the dataset's page)",
        "Johnson & Everingham, Clustered Pose and Nonlinear Appearance Models for Human Pose Estimation, BMVC 2010",
    ),
    Entry(
        "lspet", "dataset", "LSP Extended training set (10,000 images, 14 joints)",
        (Download("http://sam.johnson.io/research/lspet_dataset.zip", None, None, "zip", max_size=1 << 30),),
        ("joints.mat", "images/im00001.jpg"),
        "research use (see the dataset's page)",
        "Johnson & Everingham, Learning Effective Human Pose Estimation from Inaccurate Annotation, CVPR 2011",
    ),
    Entry(
        "mpii-original", "dataset", "MPII Human Pose v1 images and the official annotation (.mat)",
        (Download("https://datasets.d2.mpi-inf.mpg.de/andriluka14cvpr/mpii_human_pose_v1_u12_2.zip", None, None, "zip",
                  max_size=256 << 20),
         Download("https://datasets.d2.mpi-inf.mpg.de/andriluka14cvpr/mpii_human_pose_v1.tar.gz", None, None, "tar",
                  max_size=16 << 30)),  # 12.9 GB of images
        ("mpii_human_pose_v1_u12_2/mpii_human_pose_v1_u12_1.mat", "images"),
        "annotations BSD; images research use",
        "Andriluka et al., 2D Human Pose Estimation: New Benchmark and State of the Art Analysis, CVPR 2014",
        note="the official release, not the person-centred `mpii/` layout the trainer reads (that one is made "
             "from it by the development tooling); `eval` and the OKS laboratory do not read the .mat",
    ),
    Entry(
        "hrnet_w32_coco_256x192", "checkpoint", "HRNet-W32, COCO 256×192 (mmpose release)",
        (Download("https://download.openmmlab.com/mmpose/top_down/hrnet/hrnet_w32_coco_256x192-c78dce93_20200708.pth"),),
        ("hrnet_w32_coco_256x192-c78dce93_20200708.pth",),
        "Apache-2.0 (mmpose)", "Sun et al., Deep High-Resolution Representation Learning for Human Pose Estimation, CVPR 2019",
        note="mmpose's file name carries the first 8 hex digits of its SHA-256 (c78dce93), which verify checks",
    ),
    Entry(
        "hrnet_w48_coco_256x192", "checkpoint", "HRNet-W48, COCO 256×192 (mmpose release)",
        (Download("https://download.openmmlab.com/mmpose/top_down/hrnet/hrnet_w48_coco_256x192-b9e0b3ab_20200708.pth"),),
        ("hrnet_w48_coco_256x192-b9e0b3ab_20200708.pth",),
        "Apache-2.0 (mmpose)", "Sun et al., Deep High-Resolution Representation Learning for Human Pose Estimation, CVPR 2019",
        note="mmpose's file name carries the first 8 hex digits of its SHA-256 (b9e0b3ab), which verify checks",
    ),
)}


def entry(name: str) -> Entry:
    """Look an entry up by name (``PoseVizInputError`` listing the known ones)."""
    from poseviz.core.errors import PoseVizInputError

    try:
        return REGISTRY[name]
    except KeyError:
        raise PoseVizInputError(f"unknown dataset or checkpoint {name!r}; known: {', '.join(REGISTRY)}") from None
