"""The shipped model zoo: compact CPM, Hourglass and HRNet models trained here on LSP (the teaching set), and
EfficientPose RT and I with their authors' MPII training.

Weights live in ``assets/<name>.safetensors`` with a model card ``assets/<name>.md``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from torch import nn

from poseviz.core.errors import PoseVizInputError
from poseviz.models import create_model

__all__ = ["ZooEntry", "ZOO", "ABLATIONS", "entry", "TASKS", "ASSETS", "PUBLIC_ARCHS", "build", "build_public", "weights_path", "list_zoo", "shipped_models",
           "list_networks", "shipped_networks", "trainable_networks", "is_shipped", "is_ensemble", "members", "fastest_model",
           "check_trainable", "comparison_default"]

ASSETS = Path(__file__).resolve().parents[2] / "assets"


@dataclass(frozen=True)
class ZooEntry:
    """A shipped model: registered architecture + its keyword arguments."""

    name: str
    arch: str
    kwargs: dict = field(default_factory=dict)
    description: str = ""
    # "keypoints": top-down belief maps; "paf": OpenPose-style beliefs + PAFs (bottom-up);
    # "dense": DensePose-style charts with keypoints. Pages pick the models of their task.
    task: str = "keypoints"
    # False for published networks shipped with their authors' weights (EfficientPose): this project does not
    # train them, so `train` refuses them and training tests leave them out.
    trained_here: bool = True


_SMALL_HRNET = dict(width=16, stages=((1, 2), (1, 2), (1, 2)), layer1_blocks=1, num_joints=14, input_size=(128, 128), schema="lsp14")
# Models grown by `python -m poseviz grow` (an identity module added to each stage, then fine-tuned);
# hrnet_nl_lsp is hrnet_lsp's grown network with a non-local block added (it too starts as the identity).
_GROWN_STAGES = ((2, 2), (2, 2), (2, 2))

ZOO: dict[str, ZooEntry] = {
    e.name: e
    for e in (
        ZooEntry(
            "efficientpose_rt",
            "efficientpose",
            dict(variant="rt"),
            "EfficientPose RT (Groos et al. 2021, the authors' MPII training): PAF pass + 2 belief passes, 224×224, MPII-16",
            trained_here=False,
        ),
        ZooEntry(
            "efficientpose_i",
            "efficientpose",
            dict(variant="i"),
            "EfficientPose I (Groos et al. 2021, the authors' MPII training): PAF pass + 2 belief passes, 256×256, MPII-16",
            trained_here=False,
        ),
        ZooEntry(
            "hourglass_lsp",
            "hourglass",
            dict(num_stacks=3, num_feats=32, stem_planes=32, num_joints=14, input_size=(128, 128), schema="lsp14"),
            "3-stack hourglass, 128×128, LSP-14",
        ),
        ZooEntry(
            "hrnet_lsp",
            "hrnet",
            dict(_SMALL_HRNET, stages=_GROWN_STAGES),
            "HRNet-W16 (lite: 2 modules of 2 blocks per branch in each stage), 128×128, LSP-14",
        ),
        ZooEntry(
            "hrnet_nl_lsp",
            "hrnet",
            dict(_SMALL_HRNET, stages=_GROWN_STAGES, nonlocal_at=(3, 1)),
            "HRNet-W16 (lite: 2 modules of 2 blocks per branch in each stage) with a non-local block on stage 3's 1/8 branch, 128×128, LSP-14",
        ),
        ZooEntry(
            "cpm_lsp",
            "cpm",
            dict(
                num_stages=3, num_joints=14, trunk_channels=24, feature_channels=32, head_channels=64,
                stage_channels=32, trunk_kernel=7, stage_kernel=7, num_pools=2, input_size=(128, 128), schema="lsp14",
                batch_norm=True,
            ),
            "3-stage CPM with BatchNorm, 7×7 kernels, 128×128, LSP-14",
        ),
        ZooEntry(
            "openpose_lsp",
            "openpose",
            dict(num_stages=3, num_joints=14, input_size=(128, 128), schema="lsp14"),
            "3-stage OpenPose-style network (belief maps + part affinity fields), LSP-14",
            task="paf",
        ),
        ZooEntry(
            "hrnet_dense_lsp",
            "hrnet_dense",
            dict(_SMALL_HRNET, stages=_GROWN_STAGES),
            "HRNet-W16 lite + DensePose-style chart head (skeleton-derived charts), 128×128, LSP-14",
            task="dense",
        ),
        ZooEntry(
            "ensemble_lsp",
            "ensemble",
            # Chosen on the validation split (benchmarks/ensemble_choice.py): among the candidates within the
            # accuracy-first model's 120 ms (flip test), the fastest within 0.2 points of the best.
            dict(members=("hrnet_lsp", "openpose_lsp"), scales=(0.85, 1.0, 1.2)),
            "Accuracy-first: hrnet_lsp and openpose_lsp, each at 3 crop scales (0.85, 1, 1.2), belief maps averaged "
            "(several times slower than one network)",
        ),
    )
}

TASKS = ("keypoints", "paf", "dense")

_CPM = ZOO["cpm_lsp"].kwargs
# Trained for the seed ablations, not shipped to the pages: their measured results live in
# assets/ablations.json (accuracy vs receptive field; HRNet vs Hourglass at matched parameters).
ABLATIONS: dict[str, ZooEntry] = {
    e.name: e
    for e in (
        ZooEntry("cpm6_ablation", "cpm", dict(_CPM, num_stages=6), "6-stage CPM (cpm_lsp's stages 1-3, stages 4-6 grown from stage 3)"),
        ZooEntry("hourglass_ablation", "hourglass", ZOO["hourglass_lsp"].kwargs, "3-stack hourglass trained from scratch (648k parameters)"),
        # Width 10 with one module per stage: 640k parameters, within 2 % of the 3-stack hourglass.
        ZooEntry("hrnet_ablation", "hrnet", dict(_SMALL_HRNET, width=10), "HRNet-W10 lite trained from scratch (640k parameters)"),
        # Lesson 6's controlled pair: one recipe, seed and budget; only the pasted occluders differ.
        ZooEntry("hourglass_occ_ablation", "hourglass", ZOO["hourglass_lsp"].kwargs,
                 "3-stack hourglass from scratch, with occluder augmentation (pair of hourglass_noocc_ablation)"),
        ZooEntry("hourglass_noocc_ablation", "hourglass", ZOO["hourglass_lsp"].kwargs,
                 "3-stack hourglass from scratch, without occluder augmentation (pair of hourglass_occ_ablation)"),
    )
}


# Public architectures a user can load a downloaded checkpoint into (official layouts).
PUBLIC_ARCHS: dict[str, tuple[str, dict]] = {
    "HRNet-W32, COCO 256×192 (official)": ("hrnet", dict(width=32)),
    "HRNet-W48, COCO 256×192 (official)": ("hrnet", dict(width=48)),
    "Stacked Hourglass, 2 stacks, MPII 256×256 (pytorch-pose)": ("hourglass", dict(num_stacks=2)),
    "Stacked Hourglass, 8 stacks, MPII 256×256 (pytorch-pose)": ("hourglass", dict(num_stacks=8)),
}


def build_public(label: str) -> nn.Module:
    """Instantiate one of ``PUBLIC_ARCHS`` (random weights) for a user's checkpoint."""
    try:
        arch, kwargs = PUBLIC_ARCHS[label]
    except KeyError:
        raise PoseVizInputError(f"unknown public architecture {label!r}; choose one of: {'; '.join(PUBLIC_ARCHS)}") from None
    return create_model(arch, **kwargs)


def list_zoo(task: str | None = "keypoints") -> list[str]:
    """Names of the zoo models of ``task`` (None: every task)."""
    return [n for n, e in ZOO.items() if task is None or e.task == task]


def entry(name: str) -> ZooEntry:
    """The zoo (or ablation) entry of ``name``; a clear error for an unknown name."""
    try:
        return ZOO[name] if name in ZOO else ABLATIONS[name]
    except KeyError:
        raise PoseVizInputError(f"unknown model {name!r}; shipped models: {', '.join(ZOO)}") from None


def is_ensemble(name: str) -> bool:
    """Whether ``name`` averages other zoo models (``poseviz.models.ensemble``) instead of being one network."""
    return entry(name).arch == "ensemble"


def members(name: str) -> tuple[str, ...]:
    """The zoo models an ensemble averages; () for a single network."""
    return tuple(entry(name).kwargs["members"]) if is_ensemble(name) else ()


def build(name: str) -> nn.Module:
    """Instantiate a zoo model with random weights (an ensemble: its members with random weights)."""
    e = entry(name)
    if is_ensemble(name):
        from poseviz.models.ensemble import Ensemble

        return Ensemble({m: build(m) for m in members(name)}, e.kwargs["scales"])
    return create_model(e.arch, **e.kwargs)


def weights_path(name: str) -> Path:
    """Where the shipped safetensors weights of ``name`` live."""
    return ASSETS / f"{entry(name).name}.safetensors"


def card_path(name: str) -> Path:
    """Where the model card (Markdown) of ``name`` lives."""
    return ASSETS / f"{entry(name).name}.md"


def card_metrics_path(name: str) -> Path:
    """Machine-readable model-card figures (JSON) beside the weights."""
    return ASSETS / f"{entry(name).name}.json"


def card_metrics(name: str) -> dict:
    """The model card's measured figures, or {} if none were recorded."""
    p = card_metrics_path(name)
    return json.loads(p.read_text()) if p.is_file() else {}


def is_shipped(name: str) -> bool:
    """Whether ``name``'s weights are in ``assets/`` (an ensemble: every member's)."""
    return all(is_shipped(m) for m in members(name)) if is_ensemble(name) else weights_path(name).is_file()


def shipped_models(task: str | None = "keypoints") -> list[str]:
    """Zoo models of ``task`` (None: every task) whose weights are present in ``assets/``."""
    return [n for n in list_zoo(task) if is_shipped(n)]


def list_networks(task: str | None = "keypoints") -> list[str]:
    """Zoo models of ``task`` that are single networks (not ensembles), shipped or not: what can be trained
    and has one network's layers, receptive field and feature maps."""
    return [n for n in list_zoo(task) if not is_ensemble(n)]


def trainable_networks(task: str | None = "keypoints") -> list[str]:
    """Single networks this project trains (not the published ones shipped with their authors' weights)."""
    return [n for n in list_networks(task) if ZOO[n].trained_here]


def check_trainable(name: str) -> None:
    """Refuse, with a message, to train a network shipped with its authors' weights."""
    if not entry(name).trained_here:
        raise PoseVizInputError(f"{name} is shipped with its authors' weights (see assets/{name}.md) and is not trained "
                                f"by this project; train one of: {', '.join(trainable_networks(None))}")


def shipped_networks(task: str | None = "keypoints") -> list[str]:
    """Shipped models that are single networks: for views that read a network's layers, receptive fields
    or feature maps."""
    return [n for n in list_networks(task) if is_shipped(n)]


def fastest_model(task: str | None = None) -> str | None:
    """The shipped model with the lowest median latency per crop on its card (live views start with it),
    or None when nothing is shipped; models without a measured latency come last."""
    names = shipped_models(task)
    return min(names, key=lambda n: card_metrics(n).get("median_ms_per_crop", float("inf")), default=None)


def comparison_default(n: int = 3) -> list[str]:
    """The models the Compare page starts with: the default model, then the fastest shipped networks trained here
    (by their cards' latency): a published network beside the teaching set, quick to run side by side."""
    names = shipped_models(None)
    if not names:
        return []
    trained = sorted((m for m in shipped_networks(None) if ZOO[m].trained_here and m != names[0]),
                     key=lambda m: card_metrics(m).get("median_ms_per_crop", float("inf")))
    return [names[0], *trained][:n]
