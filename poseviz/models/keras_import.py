"""Read a Keras 2 ``.h5`` model (layer graph + weights) into ``KerasGraph``'s graph and a PyTorch state dict.

Only h5py is needed, no TensorFlow: the graph is the JSON in the file's ``model_config`` attribute and the
weights are arrays under ``model_weights/<layer>/``. Kernels are converted from Keras' HWIO layouts to PyTorch's.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

__all__ = ["ESWISH_BETA", "read_keras_model"]

ESWISH_BETA = 1.25  # E-swish's β in EfficientPose (Alcaide 2018's recommended value; the equality test confirms it)


def _inputs(layer: dict) -> list[str]:
    nodes = layer.get("inbound_nodes") or []
    return [x[0] for x in nodes[0]] if nodes else []


def _weights(group, layer: str) -> list[np.ndarray]:
    if layer not in group:
        return []
    g = group[layer]
    return [np.asarray(g[n]) for n in g.attrs["weight_names"]]


def _node(layer: dict, w: list[np.ndarray]) -> tuple[dict, dict[str, np.ndarray]]:
    """One graph node and its tensors (PyTorch layouts, keyed by the module's parameter names)."""
    kind, c, name = layer["class_name"], layer["config"], layer["name"]
    node: dict = {"name": name, "inputs": _inputs(layer)}
    tensors: dict[str, np.ndarray] = {}
    if kind == "InputLayer":
        node["op"] = "input"
    elif kind in ("Conv2D", "DepthwiseConv2D"):
        if c["padding"] != "same" or c.get("dilation_rate", [1, 1]) != [1, 1] or c["activation"] not in ("linear", "sigmoid"):
            raise ValueError(f"{name}: only 'same' padding, no dilation and a linear or sigmoid activation are supported")
        k = w[0]
        if kind == "Conv2D":  # (kh, kw, in, out) → (out, in, kh, kw)
            weight, groups = k.transpose(3, 2, 0, 1), 1
        else:  # (kh, kw, in, multiplier) → (in · multiplier, 1, kh, kw)
            weight, groups = k.transpose(2, 3, 0, 1).reshape(-1, 1, k.shape[0], k.shape[1]), k.shape[2]
        node.update(op="conv", cin=int(k.shape[2]), cout=int(weight.shape[0]), kernel=int(c["kernel_size"][0]),
                    stride=int(c["strides"][0]), groups=int(groups), bias=bool(c["use_bias"]), sigmoid=c["activation"] == "sigmoid")
        tensors["conv.weight"] = weight
        if c["use_bias"]:
            tensors["conv.bias"] = w[1]
    elif kind == "Conv2DTranspose":
        if c["padding"] != "same" or c["activation"] != "linear":
            raise ValueError(f"{name}: only 'same' padding and a linear activation are supported")
        k = w[0]  # (kh, kw, out, in) → (in, out, kh, kw)
        node.update(op="deconv", cin=int(k.shape[3]), cout=int(k.shape[2]), kernel=int(c["kernel_size"][0]),
                    stride=int(c["strides"][0]), bias=bool(c["use_bias"]))
        tensors["weight"] = k.transpose(3, 2, 0, 1)
        if c["use_bias"]:
            tensors["bias"] = w[1]
    elif kind == "BatchNormalization":
        gamma, beta, mean, var = w
        node.update(op="bn", channels=int(len(gamma)), eps=float(c["epsilon"]))
        tensors.update({"weight": gamma, "bias": beta, "running_mean": mean, "running_var": var,
                        "num_batches_tracked": np.array(0, dtype=np.int64)})
    elif kind == "Swish":
        node.update(op="swish", beta={"swish1": 1.0, "eswish": ESWISH_BETA}[c["activation"]])
    elif kind == "Activation":
        if c["activation"] != "sigmoid":
            raise ValueError(f"{name}: only sigmoid activations are supported")
        node["op"] = "sigmoid"
    elif kind == "GlobalAveragePooling2D":
        node["op"] = "spatial_mean"  # kept as [B, C, 1, 1]; the Reshape after it is then the identity
    elif kind == "Reshape":
        node["op"] = "identity"
    elif kind == "Lambda":
        # The authors' lambdas: the squeeze of a squeeze-excitation (a mean over the spatial axes, its argument
        # the axes [1, 2]) and EfficientNet's drop-connect, the identity at inference.
        args = c["function"][2] if isinstance(c["function"], list) and len(c["function"]) > 2 else None
        node["op"] = "spatial_mean" if args == [[1, 2]] else "identity"
    elif kind == "Multiply":
        node["op"] = "mul"
    elif kind == "Add":
        node["op"] = "add"
    elif kind == "Concatenate":
        if c["axis"] not in (-1, 3):
            raise ValueError(f"{name}: only channel concatenation is supported")
        node["op"] = "concat"
    elif kind == "AveragePooling2D":
        node.update(op="avgpool", kernel=int(c["pool_size"][0]), stride=int(c["strides"][0]))
    else:
        raise ValueError(f"{name}: Keras layer kind {kind} is not supported")
    return node, tensors


def read_keras_model(path: str | Path) -> tuple[list[dict], list[str], dict[str, torch.Tensor], int]:
    """(graph, output node names, state dict for ``KerasGraph``, input side in px) of a Keras ``.h5`` model."""
    import h5py

    with h5py.File(path, "r") as f:
        cfg = json.loads(f.attrs["model_config"])["config"]
        group = f["model_weights"]
        graph, state = [], {}
        for layer in cfg["layers"]:
            node, tensors = _node(layer, _weights(group, layer["name"]))
            graph.append(node)
            for k, v in tensors.items():
                state[f"layers.{layer['name']}.{k}"] = torch.from_numpy(np.array(v, order="C"))  # ascontiguousarray would make a 0-d counter 1-d
        outputs = [o[0] for o in cfg["output_layers"]]
        size = int(cfg["layers"][0]["config"]["batch_input_shape"][1])
    return graph, outputs, state, size
