"""Top-down training samples (LSP, LSP Extended, MPII people in LSP-14): augmented crop, belief-map targets and target weights."""
from __future__ import annotations

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset
from tqdm.auto import tqdm

from poseviz.core.dense import dense_targets
from poseviz.core.geometry import DEFAULT_ENLARGE, box_to_center_scale, crop_transform, warp_crop
from poseviz.core.heatmaps import input_to_heatmap, make_targets
from poseviz.core.paf import paf_targets
from poseviz.core.preprocess import to_tensor
from poseviz.core.schemas import LSP14
from poseviz.data.lsp import LSPData, joints_box
from poseviz.data.poseset import PoseSet
from poseviz.training.augment import AugmentConfig, add_occluders, color_jitter, half_body_joints, sample_affine, user_box

__all__ = ["LSPPoseDataset", "load_images"]

DENSE_IGNORE = -100  # part label of pixels whose chart target is unknown (cross-entropy's ignore_index)


def load_images(data: LSPData | PoseSet, indices: np.ndarray, progress: bool = False) -> list[np.ndarray]:
    """Decode the chosen images to RGB uint8 once, so epochs do no JPEG work."""
    images = []
    for i in tqdm(indices, desc="decoding images", disable=not progress, leave=False):
        bgr = cv2.imread(str(data.image_path(int(i))), cv2.IMREAD_COLOR)
        if bgr is None:
            raise FileNotFoundError(data.image_path(int(i)))
        images.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    return images


class LSPPoseDataset(Dataset):
    """Top-down crops of people (an ``LSPData`` or ``PoseSet``) with Gaussian targets; joints
    with v = 0 (not annotated) get target weight 0.

    Each item: image [3, H, W] normalised, targets [K, h, w], weights [K], joints [K, 3]
    (crop pixels, for evaluation), index; for ``task="paf"`` also pafs [2L, h, w]; for
    ``task="dense"`` also dense_i [H/2, W/2] (long), dense_u and dense_v [H/2, W/2].
    """

    def __init__(
        self,
        data: LSPData | PoseSet,
        indices: np.ndarray,
        input_size: tuple[int, int],
        stride: int,
        sigma: float = 1.5,
        augment: AugmentConfig | None = None,
        images: list[np.ndarray] | None = None,
        seed: int = 0,
        task: str = "keypoints",
        limbs: tuple[tuple[int, int], ...] = LSP14.skeleton,
        detector_boxes: np.ndarray | None = None,
    ):
        self.data = data
        self.indices = np.asarray(indices)
        self.input_size = input_size
        self.stride = stride
        self.heatmap_size = (input_size[0] // stride, input_size[1] // stride)
        self.sigma = sigma
        self.augment = augment
        self.images = images if images is not None else load_images(data, self.indices)
        self.rng = np.random.default_rng(seed)
        self.flip_perm = LSP14.flip_permutation()
        if task not in ("keypoints", "paf", "dense"):
            raise ValueError(f"unknown task {task!r}")
        self.task = task
        self.limbs = list(limbs)
        # [N, 4] the detector's box of each person (NaN: not found), for ``AugmentConfig.user_box_prob`` crops.
        self.detector_boxes = None if detector_boxes is None else np.asarray(detector_boxes, dtype=np.float64)

    def __len__(self) -> int:
        return len(self.indices)

    def _user_box(self, item: int, joints: np.ndarray) -> tuple[tuple[float, float, float, float], float] | None:
        """(box, enlargement) of a user-like crop for this draw, or None for the joints' crop."""
        from poseviz.inference.yolox import BOX_ENLARGE

        cfg = self.augment
        if self.rng.random() >= cfg.user_box_prob:
            return None
        det = self.detector_boxes[item] if self.detector_boxes is not None else None
        if det is not None and np.isfinite(det).all() and self.rng.random() < cfg.detector_box_prob:
            return tuple(float(v) for v in det), BOX_ENLARGE
        return user_box(joints_box(joints), self.rng, cfg), DEFAULT_ENLARGE

    def __getitem__(self, item: int) -> dict[str, torch.Tensor]:
        idx = int(self.indices[item])
        img = self.images[item]
        joints = self.data.joints[idx].copy()
        half = half_body_joints(joints, self.rng, self.augment) if self.augment is not None else None
        box_joints, enlarge = (joints, DEFAULT_ENLARGE) if half is None else (half, self.augment.half_body_enlarge)
        aspect = self.input_size[0] / self.input_size[1]
        center, scale = box_to_center_scale(joints_box(box_joints), aspect, enlarge)
        rotation, flip = 0.0, False
        if self.augment is not None:
            s, rotation, flip, shift = sample_affine(self.rng, self.augment)
            user = self._user_box(item, joints) if half is None and self.augment.user_box_prob > 0 else None
            if user is not None:  # framed as the app frames a user's or the detector's box: no further jitter
                center, scale = box_to_center_scale(user[0], aspect, user[1])
            else:
                center = center + shift * scale * 200.0
                scale = scale * s
        t = crop_transform(center, scale, self.input_size, rotation)
        crop = warp_crop(img, t)
        kp = joints.copy()
        kp[:, :2] = t.to_crop(joints[:, :2])
        if flip:
            crop = crop[:, ::-1]
            kp[:, 0] = self.input_size[0] - 1 - kp[:, 0]
            kp = kp[self.flip_perm]
        if self.augment is not None:
            crop = add_occluders(color_jitter(crop, self.rng, self.augment), self.rng, self.augment)
        hm_kp = kp.copy()
        hm_kp[:, :2] = input_to_heatmap(kp[:, :2], self.stride)
        # A labelled joint cut off by the crop (a half-body crop's legs) is taught as absent, so the
        # network answers "not here" with low belief rather than placing it inside the crop.
        targets, weights = make_targets(hm_kp, self.heatmap_size, self.sigma, teach_absent=True)
        item = {
            "image": to_tensor(np.ascontiguousarray(crop))[0],
            "targets": torch.from_numpy(targets),
            "weights": torch.from_numpy(weights),
            "joints": torch.from_numpy(kp.astype(np.float32)),
            "index": torch.tensor(idx),
        }
        if self.task == "paf":
            # A limb gets a field where both ends are annotated (occluded ones too).
            people = [np.column_stack([hm_kp[:, :2], (hm_kp[:, 2] > 0).astype(np.float64)])]
            pafs = paf_targets(people, self.limbs, self.heatmap_size[::-1], width=1.0)
            item["pafs"] = torch.from_numpy(pafs.reshape(-1, *pafs.shape[2:]).astype(np.float32))
        elif self.task == "dense":
            grid = (self.input_size[1] // 2, self.input_size[0] // 2)
            d = dense_targets(input_to_heatmap(kp[:, :2], 2), grid)
            # Charts drawn from a skeleton with an unannotated joint would be wrong: ignore them.
            part = d.I if (kp[:, 2] > 0).all() else np.full_like(d.I, DENSE_IGNORE)
            item["dense_i"] = torch.from_numpy(part)
            item["dense_u"] = torch.from_numpy(d.U.astype(np.float32))
            item["dense_v"] = torch.from_numpy(d.V.astype(np.float32))
        return item
