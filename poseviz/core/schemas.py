"""Keypoint schemas: joint names, skeletons, flip pairs, colours and OKS sigmas.

Sources:
- COCO-17 sigmas: the values published with the COCO keypoint evaluation
  (cocodataset/cocoapi ``COCOeval.kpt_oks_sigmas``).
- LSP-14 and MPII-16 limb joints reuse the COCO sigma of the same joint. COCO has no
  neck, head-top, pelvis or thorax; for those we use CrowdPose's 0.079 (its sigma for
  head and neck), which is also the COCO value for shoulders, a joint of similar
  annotation spread. MPII's pelvis/thorax take the hip sigma (0.107) because they are
  annotated from the same hip/torso landmarks.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["KeypointSchema", "COCO17", "LSP14", "MPII16", "ALIASES", "get_schema", "map_keypoints", "SCHEMAS", "BODY_PARTS", "joints_of"]

# Which joints make up the arms, the legs and the head, by name (every schema here names its joints alike).
BODY_PARTS = {"arms": ("shoulder", "elbow", "wrist"), "legs": ("hip", "knee", "ankle"), "head": ("neck", "head")}


@dataclass(frozen=True)
class KeypointSchema:
    """A keypoint layout.

    Attributes:
        name: short identifier ("coco17", "lsp14", "mpii16").
        joints: joint names, in the dataset's order.
        skeleton: limb edges as (i, j) index pairs.
        flip_pairs: (left, right) index pairs swapped under a horizontal flip.
        sigmas: per-joint OKS constants k_i (same order as ``joints``).
        colors: per-joint RGB colours (0-255), left side warm, right side cool.
    """

    name: str
    joints: tuple[str, ...]
    skeleton: tuple[tuple[int, int], ...]
    flip_pairs: tuple[tuple[int, int], ...]
    sigmas: tuple[float, ...]
    colors: tuple[tuple[int, int, int], ...] = field(default=())

    def __post_init__(self) -> None:
        k = len(self.joints)
        if len(self.sigmas) != k:
            raise ValueError(f"{self.name}: {len(self.sigmas)} sigmas for {k} joints")
        for a, b in (*self.skeleton, *self.flip_pairs):
            if not (0 <= a < k and 0 <= b < k):
                raise ValueError(f"{self.name}: edge ({a}, {b}) out of range")
        if not self.colors:
            object.__setattr__(self, "colors", tuple(_side_color(j) for j in self.joints))

    @property
    def num_joints(self) -> int:
        return len(self.joints)

    def index(self, joint: str) -> int:
        """Index of a joint by name (raises KeyError naming the schema)."""
        try:
            return self.joints.index(joint)
        except ValueError:
            raise KeyError(f"joint {joint!r} is not in schema {self.name} ({', '.join(self.joints)})") from None

    def flip_permutation(self) -> np.ndarray:
        """Index array p such that flipped_joints = joints[p] after a horizontal flip."""
        perm = np.arange(self.num_joints)
        for a, b in self.flip_pairs:
            perm[a], perm[b] = b, a
        return perm

    @property
    def sigma_array(self) -> np.ndarray:
        return np.asarray(self.sigmas, dtype=np.float64)


def _side_color(joint: str) -> tuple[int, int, int]:
    if joint.startswith("left"):
        return (255, 140, 0)
    if joint.startswith("right"):
        return (30, 144, 255)
    return (50, 205, 50)


COCO17 = KeypointSchema(
    name="coco17",
    joints=(
        "nose", "left_eye", "right_eye", "left_ear", "right_ear",
        "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
        "left_wrist", "right_wrist", "left_hip", "right_hip",
        "left_knee", "right_knee", "left_ankle", "right_ankle",
    ),
    skeleton=(
        (15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12),
        (5, 6), (5, 7), (6, 8), (7, 9), (8, 10), (1, 2), (0, 1), (0, 2),
        (1, 3), (2, 4), (3, 5), (4, 6),
    ),
    flip_pairs=((1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16)),
    sigmas=(
        0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072,
        0.062, 0.062, 0.107, 0.107, 0.087, 0.087, 0.089, 0.089,
    ),
)

LSP14 = KeypointSchema(
    name="lsp14",
    joints=(
        "right_ankle", "right_knee", "right_hip", "left_hip", "left_knee", "left_ankle",
        "right_wrist", "right_elbow", "right_shoulder", "left_shoulder", "left_elbow",
        "left_wrist", "neck", "head_top",
    ),
    skeleton=(
        (0, 1), (1, 2), (3, 4), (4, 5), (2, 3), (6, 7), (7, 8), (9, 10), (10, 11),
        (8, 12), (9, 12), (8, 2), (9, 3), (12, 13),
    ),
    flip_pairs=((0, 5), (1, 4), (2, 3), (6, 11), (7, 10), (8, 9)),
    sigmas=(
        0.089, 0.087, 0.107, 0.107, 0.087, 0.089, 0.062, 0.072, 0.079, 0.079,
        0.072, 0.062, 0.079, 0.079,
    ),
)

MPII16 = KeypointSchema(
    name="mpii16",
    joints=(
        "right_ankle", "right_knee", "right_hip", "left_hip", "left_knee", "left_ankle",
        "pelvis", "thorax", "upper_neck", "head_top", "right_wrist", "right_elbow",
        "right_shoulder", "left_shoulder", "left_elbow", "left_wrist",
    ),
    skeleton=(
        (0, 1), (1, 2), (2, 6), (6, 3), (3, 4), (4, 5), (6, 7), (7, 8), (8, 9),
        (10, 11), (11, 12), (12, 7), (7, 13), (13, 14), (14, 15),
    ),
    flip_pairs=((0, 5), (1, 4), (2, 3), (10, 15), (11, 14), (12, 13)),
    sigmas=(
        0.089, 0.087, 0.107, 0.107, 0.087, 0.089, 0.107, 0.079, 0.079, 0.079,
        0.062, 0.072, 0.079, 0.079, 0.072, 0.062,
    ),
)

SCHEMAS: dict[str, KeypointSchema] = {s.name: s for s in (COCO17, LSP14, MPII16)}


def joints_of(names: tuple[str, ...] | list[str], *parts: str) -> tuple[int, ...]:
    """Indices of the joints in ``names`` that belong to any of ``parts`` (keys of ``BODY_PARTS``)."""
    words = tuple(w for part in parts for w in BODY_PARTS[part])
    return tuple(i for i, n in enumerate(names) if any(w in n for w in words))


def get_schema(name: str) -> KeypointSchema:
    """Look a schema up by name ("coco17", "lsp14", "mpii16")."""
    try:
        return SCHEMAS[name]
    except KeyError:
        raise KeyError(f"unknown keypoint schema {name!r}; known: {', '.join(SCHEMAS)}") from None


def joint_mapping(src: KeypointSchema, dst: KeypointSchema) -> list[tuple[int, int]]:
    """(src_index, dst_index) pairs of the joints both schemas share, by name.

    LSP-14 → COCO-17 gives the 12 limb joints; neck and head-top have no COCO
    counterpart.
    """
    return [(i, dst.joints.index(j)) for i, j in enumerate(src.joints) if j in dst.joints]


# Joints two datasets name differently but mark at nearly the same place: MPII's upper neck is LSP's neck.
# Only where a model of one schema is scored on the other's people (an MPII-16 network on LSP PCK).
ALIASES = {"upper_neck": "neck", "neck": "upper_neck"}


def map_keypoints(keypoints: np.ndarray, src: KeypointSchema, dst: KeypointSchema, aliases: bool = False) -> np.ndarray:
    """Re-order keypoints [..., K_src, C] into ``dst``'s layout [..., K_dst, C].

    Joints ``dst`` has but ``src`` lacks are filled with zeros, which COCO reads as
    "unlabelled" (v = 0) when C == 3. With ``aliases``, joints of ``ALIASES`` stand in for each other.
    """
    kp = np.asarray(keypoints)
    if kp.shape[-2] != src.num_joints:
        raise ValueError(f"expected {src.num_joints} joints for {src.name}, got {kp.shape[-2]}")
    out = np.zeros(kp.shape[:-2] + (dst.num_joints, kp.shape[-1]), dtype=kp.dtype)
    pairs = joint_mapping(src, dst)
    if aliases:
        pairs += [(i, dst.joints.index(ALIASES[n])) for i, n in enumerate(src.joints)
                  if n not in dst.joints and ALIASES.get(n) in dst.joints]
    for i, j in pairs:
        out[..., j, :] = kp[..., i, :]
    return out
