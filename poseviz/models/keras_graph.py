"""A Keras functional graph run in PyTorch: the layer kinds EfficientPose's authors used, nothing more.

Why an interpreter of their graph rather than a hand-written network: EfficientPose's backbone is EfficientNet's,
cut and widened differently per variant (RT, I), and its passes are dense MBConv stacks with concatenations; the
authors' file states every layer and edge (``model_config``). Reading that graph makes the port exact by
construction, and what remains to prove is each layer kind's arithmetic — which the equality test against the
authors' reference outputs does.

A graph is a list of nodes in topological order, each ``{"name", "op", "inputs", ...}``; ``op`` is one of
``OPS``. Tensors are NCHW. TensorFlow's "same" padding is reproduced exactly: with stride 2 it pads more at the
bottom and right than at the top and left, unlike PyTorch's symmetric padding.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["OPS", "KerasGraph", "same_padding"]

OPS = ("input", "conv", "bn", "swish", "sigmoid", "spatial_mean", "identity", "mul", "add", "concat", "deconv", "avgpool")


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """(before, after) padding of TensorFlow's "same" along an axis of ``size``."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class _SameConv(nn.Module):
    """Conv2d (grouped for depthwise) with TensorFlow's "same" padding and an optional sigmoid."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, groups: int, bias: bool, sigmoid: bool):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, 0, groups=groups, bias=bias)
        self.sigmoid = sigmoid

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k, s = self.conv.kernel_size[0], self.conv.stride[0]
        (top, bottom), (left, right) = same_padding(x.shape[-2], k, s), same_padding(x.shape[-1], k, s)
        if top == bottom and left == right:  # symmetric (every stride-1 layer): the convolution pads, no padded copy
            c = self.conv
            y = F.conv2d(x, c.weight, c.bias, c.stride, (top, left), c.dilation, c.groups)
        else:
            y = self.conv(F.pad(x, (left, right, top, bottom)))
        return torch.sigmoid(y) if self.sigmoid else y


class _Swish(nn.Module):
    """β · x · sigmoid(x): β = 1 is swish, β = 1.25 the E-swish EfficientPose uses in its passes."""

    def __init__(self, beta: float):
        super().__init__()
        self.beta = beta

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.silu(x)  # one fused kernel: the activations dominate this network's CPU time, not its convolutions
        return y if self.beta == 1.0 else self.beta * y


class KerasGraph(nn.Module):
    """Runs a graph (see the module docstring); ``forward`` returns {name: tensor} of the ``outputs`` nodes."""

    def __init__(self, graph: list[dict], outputs: list[str]):
        super().__init__()
        unknown = sorted({n["op"] for n in graph} - set(OPS))
        if unknown:
            raise ValueError(f"layer kinds this graph reader does not know: {', '.join(unknown)}")
        self.graph = graph
        self.outputs = list(outputs)
        self.layers = nn.ModuleDict()
        for n in graph:
            op = n["op"]
            if op == "conv":
                self.layers[n["name"]] = _SameConv(n["cin"], n["cout"], n["kernel"], n["stride"], n["groups"], n["bias"], n.get("sigmoid", False))
            elif op == "bn":
                self.layers[n["name"]] = nn.BatchNorm2d(n["channels"], eps=n["eps"])
            elif op == "deconv":
                # TensorFlow's "same" transposed convolution with kernel 4, stride 2 crops 1 px per side: padding=1.
                pad = (n["kernel"] - n["stride"]) // 2
                self.layers[n["name"]] = nn.ConvTranspose2d(n["cin"], n["cout"], n["kernel"], n["stride"], pad, bias=n["bias"])
            elif op == "swish":
                self.layers[n["name"]] = _Swish(n["beta"])

    def fold_batchnorm(self) -> int:
        """Fold every BatchNorm that reads a convolution no other layer reads into that convolution (eval mode;
        ``poseviz.models.fast_inference`` calls it); returns how many were folded."""
        from torch.nn.utils.fusion import fuse_conv_bn_eval

        readers: dict[str, int] = {}
        for n in self.graph:
            for i in n["inputs"]:
                readers[i] = readers.get(i, 0) + 1
        ops = {n["name"]: n["op"] for n in self.graph}
        folded = 0
        graph = []
        for n in self.graph:
            src = n["inputs"][0] if n["inputs"] else None
            if n["op"] == "bn" and ops.get(src) == "conv" and readers[src] == 1 and not self.layers[src].sigmoid:
                conv = self.layers[src]
                conv.conv = fuse_conv_bn_eval(conv.conv.eval(), self.layers[n["name"]].eval())
                del self.layers[n["name"]]
                n = {**n, "op": "identity"}
                folded += 1
            graph.append(n)
        self.graph = graph
        return folded

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        values: dict[str, torch.Tensor] = {}
        for n in self.graph:
            op, ins = n["op"], [values[i] for i in n["inputs"]]
            if op == "input":
                y = x
            elif op in ("conv", "bn", "deconv", "swish"):
                y = self.layers[n["name"]](ins[0])
            elif op == "sigmoid":
                y = torch.sigmoid(ins[0])
            elif op == "spatial_mean":
                y = ins[0].mean((2, 3), keepdim=True)
            elif op == "identity":
                y = ins[0]
            elif op == "mul":
                y = ins[0] * ins[1]
            elif op == "add":
                y = ins[0]
                for t in ins[1:]:
                    y = y + t
            elif op == "concat":
                y = torch.cat(ins, 1)
            else:  # avgpool, "same" on even sizes: no padding
                y = F.avg_pool2d(ins[0], n["kernel"], n["stride"], ceil_mode=True)
            values[n["name"]] = y
        return {k: values[k] for k in self.outputs}
