"""Receptive fields: theoretical (layer arithmetic) and effective (gradients, Luo et al. 2016).

Theoretical RF of a unit, per spatial axis, tracked as (size r, jump j, start s), with
input pixels as the unit (Araujo, Norris & Sim, Distill 2019):

* conv / pool with kernel k, stride t, padding p, dilation d (k' = d(k-1)+1):
  r ← r + (k'-1)·j,  s ← s + ((k'-1)/2 − p)·j,  j ← j·t
* nearest upsampling by f: r unchanged, j ← j/f, s ← s + (1/(2f) − 1/2)·j
* branches that are summed or concatenated: the union, i.e. the largest r.

``start`` is the centre (input px, 0-based pixel centres) of output unit 0; unit u is
centred at start + u·jump. Sizes are not clipped to the image: CPM's paper quotes its
stage-2 field (≈ 400 px) larger than its 368 px input.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from poseviz.models import CPM, HRNet, StackedHourglass, predicts_charts
from poseviz.models.keras_graph import KerasGraph
from poseviz.models.openpose import OpenPose

__all__ = ["RF", "LayerRF", "receptive_fields", "stage_receptive_fields", "effective_receptive_field", "ERFResult", "mass_radius"]


@dataclass(frozen=True)
class RF:
    """Receptive field of one feature map's units: size and jump in input px, start = centre of unit 0."""

    size: float = 1.0
    jump: float = 1.0
    start: float = 0.0

    def conv(self, k: int, stride: int = 1, padding: int | None = None, dilation: int = 1) -> "RF":
        ke = dilation * (k - 1) + 1
        p = (ke - 1) // 2 if padding is None else padding
        return RF(self.size + (ke - 1) * self.jump, self.jump * stride, self.start + ((ke - 1) / 2 - p) * self.jump)

    pool = conv

    def up(self, factor: float) -> "RF":
        return RF(self.size, self.jump / factor, self.start + (0.5 / factor - 0.5) * self.jump)


def merge(*rfs: RF) -> RF:
    """Sum or concatenation of maps on one grid: the union of the fields of unit 0."""
    jumps = {round(r.jump, 9) for r in rfs}
    if len(jumps) != 1:
        raise ValueError(f"cannot merge fields on different grids (jumps {sorted(jumps)})")
    left = min(r.start - (r.size - 1) / 2 for r in rfs)
    right = max(r.start + (r.size - 1) / 2 for r in rfs)
    return RF(right - left + 1, rfs[0].jump, (left + right) / 2)


@dataclass(frozen=True)
class LayerRF:
    """One row of the RF table: layer name, depth (conv/pool layers on the longest path), field."""

    name: str
    depth: int
    rf: RF
    stage_output: bool = False


class _Walker:
    def __init__(self) -> None:
        self.rows: list[LayerRF] = []
        self.depth = 0

    def log(self, name: str, rf: RF, depth: int | None = None, stage: bool = False) -> RF:
        self.rows.append(LayerRF(name, self.depth if depth is None else depth, rf, stage))
        return rf


def _conv_module(rf: RF, m: nn.Module) -> RF:
    if isinstance(m, nn.Conv2d):
        return rf.conv(m.kernel_size[0], m.stride[0], m.padding[0], m.dilation[0])
    if isinstance(m, nn.MaxPool2d | nn.AvgPool2d):
        k = m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]
        s = m.stride if isinstance(m.stride, int) else m.stride[0]
        p = m.padding if isinstance(m.padding, int) else m.padding[0]
        return rf.pool(k, s, p)
    if isinstance(m, nn.Upsample):
        return rf.up(float(m.scale_factor))
    return rf


def _seq(rf: RF, module: nn.Module) -> tuple[RF, int]:
    """Walk the convs/pools of a plain chain (Sequential of conv-ReLU groups); returns (rf, layers)."""
    n = 0
    for m in module.modules():
        if isinstance(m, nn.Conv2d | nn.MaxPool2d | nn.AvgPool2d | nn.Upsample):
            rf = _conv_module(rf, m)
            n += 1
    return rf, n


def _walk_cpm(model: CPM, w: _Walker) -> None:
    rf = RF()
    for i, m in enumerate(model.stage1):
        for sub in m.modules() if isinstance(m, nn.Sequential) else [m]:
            if isinstance(sub, nn.Conv2d | nn.MaxPool2d):
                rf = _conv_module(rf, sub)
                w.depth += 1
                w.log(f"stage1.{type(sub).__name__.lower()}{sub.kernel_size if isinstance(sub.kernel_size, int) else sub.kernel_size[0]}", rf)
    w.rows[-1] = LayerRF("stage 1 belief maps", w.rows[-1].depth, rf, True)
    feats, n_feat = _seq(RF(), model.features)
    w.log("features (shared trunk)", feats, n_feat)
    belief, depth = rf, w.depth
    for t, stage in enumerate(model.stages, start=2):
        rf = merge(feats, belief)
        depth = max(depth, n_feat)
        for sub in stage.modules():
            if isinstance(sub, nn.Conv2d):
                rf = _conv_module(rf, sub)
                depth += 1
                w.log(f"stage{t}.conv{sub.kernel_size[0]}", rf, depth)
        w.rows[-1] = LayerRF(f"stage {t} belief maps", depth, rf, True)
        belief = rf


def _bottleneck(rf: RF, blk: nn.Module) -> RF:
    # the 3×3 is the only spatial layer; the residual/downsample path is 1×1 (a subset)
    return rf.conv(3, blk.conv2.stride[0], blk.conv2.padding[0])


def _walk_hourglass(model: StackedHourglass, w: _Walker) -> None:
    rf = w.log("conv1 7×7/2", RF().conv(7, 2, 3), 1)
    depth = 1
    for name in ("layer1", "maxpool", "layer2", "layer3"):
        if name == "maxpool":
            rf = rf.pool(2, 2, 0)
            depth += 1
        else:
            for blk in getattr(model, name):
                rf = _bottleneck(rf, blk)
                depth += 1
        w.log(name, rf, depth)

    def hourglass(rf: RF, n: int, hg: nn.Module, depth: int) -> tuple[RF, int]:
        level = hg.hg[n - 1]
        up1, d_up = rf, depth
        for blk in level[0]:
            up1, d_up = _bottleneck(up1, blk), d_up + 1
        low, d = rf.pool(2, 2, 0), depth + 1
        for blk in level[1]:
            low, d = _bottleneck(low, blk), d + 1
        if n > 1:
            low, d = hourglass(low, n - 1, hg, d)
        else:
            for blk in level[3]:
                low, d = _bottleneck(low, blk), d + 1
        for blk in level[2]:
            low, d = _bottleneck(low, blk), d + 1
        return merge(up1, low.up(2)), max(d_up, d + 1)

    for i in range(model.num_stacks):
        rf, depth = hourglass(rf, model.hg[i].depth, model.hg[i], depth)
        w.log(f"hg{i + 1}", rf, depth)
        for blk in model.res[i]:
            rf, depth = _bottleneck(rf, blk), depth + 1
        w.log(f"stack {i + 1} belief maps", rf, depth + 2, stage=True)  # fc and score are 1×1


def _walk_hrnet(model: HRNet, w: _Walker) -> None:
    rf = RF().conv(3, 2, 1).conv(3, 2, 1)
    depth = 2
    w.log("stem (two 3×3/2)", rf, depth)
    for blk in model.layer1:
        rf, depth = _bottleneck_hr(rf, blk), depth + 1
    w.log("layer1", rf, depth)
    branches, depths = [rf], [depth]
    n_stages = len(model.config.stages) + 1
    for s in range(2, n_stages + 1):
        transition = getattr(model, f"transition{s - 1}")
        new, new_d = [], []
        for i, t in enumerate(transition):
            src, d = (branches[i], depths[i]) if i < len(branches) else (branches[-1], depths[-1])
            if t is not None:
                for m in t.modules():
                    if isinstance(m, nn.Conv2d):
                        src, d = _conv_module(src, m), d + 1
            new.append(src)
            new_d.append(d)
        branches, depths = new, new_d
        for module in getattr(model, f"stage{s}"):
            for b, branch in enumerate(module.branches):
                for _ in branch:
                    branches[b] = branches[b].conv(3).conv(3)
                    depths[b] += 2
            if module.fuse_layers is not None:
                fused, fused_d = [], []
                for i, row in enumerate(module.fuse_layers):
                    cands, ds = [branches[i]], [depths[i]]
                    for j, layer in enumerate(row):
                        if j == i:
                            continue
                        r, d = branches[j], depths[j]
                        for m in layer.modules():
                            if isinstance(m, nn.Conv2d | nn.Upsample):
                                r = _conv_module(r, m)
                                d += isinstance(m, nn.Conv2d)
                        cands.append(r)
                        ds.append(d)
                    fused.append(merge(*cands))
                    fused_d.append(max(ds))
                branches, depths = fused, fused_d
        for b, (r, d) in enumerate(zip(branches, depths)):
            w.log(f"stage{s} branch{b + 1} (1/{int(round(r.jump))})", r, d)
    w.log("final_layer (1×1) belief maps", branches[0], depths[0] + 1, stage=True)


def _walk_openpose(model: nn.Module, w: _Walker) -> None:
    feats, depth = _seq(RF(), model.trunk)
    w.log("trunk (image features)", feats, depth)
    belief, d_b = _seq(feats, model.stage1_belief)
    paf, d_p = _seq(feats, model.stage1_paf)
    w.log("stage 1 part affinity fields", paf, depth + d_p)
    w.log("stage 1 belief maps", belief, depth + d_b, stage=True)
    depth_b, depth_p = depth + d_b, depth + d_p
    for t, (bs, ps) in enumerate(zip(model.belief_stages, model.paf_stages), start=2):
        # each later stage reads the image features and both previous outputs, concatenated
        inp, d_in = merge(feats, belief, paf), max(depth, depth_b, depth_p)
        paf, d_p = _seq(inp, ps)
        belief, d_b = _seq(inp, bs)
        depth_b, depth_p = d_in + d_b, d_in + d_p
        w.log(f"stage {t} part affinity fields", paf, depth_p)
        w.log(f"stage {t} belief maps", belief, depth_b, stage=True)


def _walk_chart_head(model: nn.Module, w: _Walker) -> None:
    """DensePose-style head on HRNet's top branch: bilinear ×2 (each output reads 2 input cells
    per axis: one more cell of field), then the head's convolutions."""
    top = next(r for r in reversed(w.rows) if r.name.endswith("(1/4)"))
    rf = RF(top.rf.size + top.rf.jump, top.rf.jump / 2, top.rf.start + (0.5 / 2 - 0.5) * top.rf.jump)
    rf, n = _seq(rf, model.dense_head)
    w.log("chart head (I, U, V at 1/2)", rf.conv(1), top.depth + n + 1)


def _walk_keras_graph(model: nn.Module, w: _Walker) -> None:
    """EfficientPose's graph, node by node (TensorFlow's "same" padding: the pixels padded before). A
    squeeze-excitation gate is a mean over the whole map, so strictly every unit after the first gate depends on
    every input pixel through its channel weights; the fields here follow the spatial path (the gated map), which
    is what bounds where a unit can localise. A transposed convolution (kernel k, stride s) is zero insertion ×s
    then a k × k convolution."""
    from poseviz.models.keras_graph import same_padding

    net = model.net
    stages = dict(zip(net.outputs[1:], model.stage_names)) if hasattr(model, "stage_names") else {}
    rfs: dict[str, tuple[RF, int, int]] = {}  # name -> (field, conv depth, map side at a nominal input)
    side0 = model.config.input_size[0]
    for n in net.graph:
        op, ins = n["op"], [rfs[i] for i in n["inputs"]]
        if op == "input":
            out = (RF(), 0, side0)
        elif op == "conv":
            rf, d, side = ins[0]
            before, _ = same_padding(side, n["kernel"], n["stride"])
            out = (rf.conv(n["kernel"], n["stride"], before), d + 1, -(-side // n["stride"]))
        elif op == "deconv":
            rf, d, side = ins[0]
            k, s = n["kernel"], n["stride"]
            up = RF(rf.size, rf.jump / s, rf.start)
            out = (up.conv(k, 1, k - 1 - (k - s) // 2), d + 1, side * s)
        elif op == "avgpool":
            rf, d, side = ins[0]
            out = (rf.pool(n["kernel"], n["stride"], 0), d + 1, side // n["stride"])
        elif op == "mul":  # the spatial operand: the one that is not a [B, C, 1, 1] gate
            spatial = [(r, d, sd) for r, d, sd in ins if sd > 1]
            out = max(spatial or ins, key=lambda t: t[0].size)
        elif op == "spatial_mean":
            r, d, _ = ins[0]
            out = (r, d, 1)
        elif op in ("add", "concat"):
            out = (merge(*(r for r, _, _ in ins)), max(d for _, d, _ in ins), ins[0][2])
        else:  # bn, swish, sigmoid, identity: pointwise
            out = ins[0]
        rfs[n["name"]] = out
        if op in ("conv", "deconv", "avgpool") and out[2] > 1 and n["name"] not in net.outputs:
            w.log(n["name"], out[0], out[1])
    for name in net.outputs:
        label = {net.outputs[0]: "pass 1 part affinity fields (1/8)"}.get(name, stages.get(name, name))
        w.log(label, rfs[name][0], rfs[name][1], stage=name != net.outputs[0])


def _bottleneck_hr(rf: RF, blk: nn.Module) -> RF:
    return rf.conv(3, blk.conv2.stride[0], blk.conv2.padding[0])


def receptive_fields(model: nn.Module) -> list[LayerRF]:
    """Theoretical receptive field of every layer (and every stage output).

    Works for the PoseViz CPM, Stacked Hourglass, HRNet (with its chart head, if any),
    OpenPose-style networks and EfficientPose's graph (walking their structure:
    parallel branches and fusion sums take the union) and for any plain ``nn.Sequential``
    chain of convolutions, poolings and upsamplings.
    """
    w = _Walker()
    if isinstance(model, nn.Sequential):
        rf = RF()
        for name, m in model.named_children():
            if isinstance(m, nn.Conv2d | nn.MaxPool2d | nn.AvgPool2d | nn.Upsample):
                rf = _conv_module(rf, m)
                w.depth += 1
                w.log(f"{name} {type(m).__name__}", rf)
        if w.rows:
            w.rows[-1] = LayerRF(w.rows[-1].name, w.rows[-1].depth, rf, True)
    elif isinstance(model, CPM):
        _walk_cpm(model, w)
    elif isinstance(model, StackedHourglass):
        _walk_hourglass(model, w)
    elif isinstance(model, HRNet):
        _walk_hrnet(model, w)
        if predicts_charts(model):
            _walk_chart_head(model, w)
    elif isinstance(model, OpenPose):
        _walk_openpose(model, w)
    elif isinstance(getattr(model, "net", None), KerasGraph):
        _walk_keras_graph(model, w)
    else:
        raise TypeError(f"no receptive-field walker for {type(model).__name__}")
    return w.rows


def stage_receptive_fields(model: nn.Module) -> list[LayerRF]:
    """Only the rows that are stage outputs (belief maps), in stage order."""
    return [r for r in receptive_fields(model) if r.stage_output]


def mass_radius(grad: np.ndarray, center: tuple[float, float], fraction: float) -> float:
    """Smallest radius (px) of a disc about ``center`` holding ``fraction`` of |grad|'s total mass."""
    g = np.abs(np.asarray(grad, dtype=np.float64))
    total = g.sum()
    if total <= 0:
        return 0.0
    ys, xs = np.indices(g.shape)
    d = np.hypot(xs - center[0], ys - center[1]).ravel()
    order = np.argsort(d, kind="stable")
    cum = np.cumsum(g.ravel()[order])
    return float(d[order][np.searchsorted(cum, fraction * total)])


@dataclass(frozen=True)
class ERFResult:
    """Effective RF of one belief-map unit: |∂unit/∂input| summed over colour channels [H, W]."""

    gradient: np.ndarray
    unit: tuple[int, int]  # (u, v) heatmap cell
    center: tuple[float, float]  # that cell's centre in input px
    r50: float
    r90: float


def effective_receptive_field(
    model: nn.Module, x: torch.Tensor, stage: int, joint: int, unit: tuple[int, int] | None = None
) -> ERFResult:
    """Gradient of one belief-map unit of ``stage`` w.r.t. the input pixels (Luo et al., NeurIPS 2016).

    Args:
        x: [1, 3, H, W] model input. stage: index into ``PoseOutput.stages``. joint: channel.
        unit: (u, v) heatmap cell; default the stage's own peak for that joint.
    """
    model.eval()
    x = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        out = model(x)
        hm = out.stages[stage][0, joint]
        if unit is None:
            idx = int(hm.detach().argmax())
            unit = (idx % hm.shape[1], idx // hm.shape[1])
        hm[unit[1], unit[0]].backward()
    grad = x.grad[0].abs().sum(0).numpy()
    stride = x.shape[-1] / hm.shape[-1]
    center = ((unit[0] + 0.5) * stride - 0.5, (unit[1] + 0.5) * stride - 0.5)
    return ERFResult(grad, (int(unit[0]), int(unit[1])), center, mass_radius(grad, center, 0.5), mass_radius(grad, center, 0.9))
