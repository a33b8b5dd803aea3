"""Tests for the ONNX export's int8 weights, its int8 products scaled per token, and the head it
puts on top (the train extra)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
export = pytest.importorskip("monitor.classify.support.export")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper

from monitor.classify.support.encoder import MODEL_DATA_FILE, MODEL_FILE


def tiny_graph(table: np.ndarray, weight: np.ndarray) -> onnx.ModelProto:
    """ids -> Gather(table) -> MatMul(weight) -> embedding: the two shapes MiniLM's weights take."""
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "ids"], ["rows"]),
            helper.make_node("MatMul", ["rows", "weight"], ["embedding"]),
        ],
        "tiny",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", "tokens", 96])],
        [numpy_helper.from_array(table, "table"), numpy_helper.from_array(weight, "weight")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", export.OPSET)])


def run(model: onnx.ModelProto, ids: np.ndarray, output: str = "embedding") -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run([output], {"ids": ids})[0]


def test_weights_are_stored_as_int8_and_give_nearly_the_same_outputs() -> None:
    rng = np.random.default_rng(0)
    table = rng.normal(size=(200, 64)).astype(np.float32)
    weight = rng.normal(size=(64, 96)).astype(np.float32)
    weight[:, 5] *= 40  # one loud output channel: per-channel scales keep the others precise
    ids = rng.integers(0, 200, size=(3, 7))
    model = tiny_graph(table, weight)
    before = run(model, ids)
    quantised = export.quantise_weights(model)
    onnx.checker.check_model(quantised)
    kinds = {i.name: i.data_type for i in quantised.graph.initializer}
    assert kinds["table_int8"] == kinds["weight_int8"] == TensorProto.INT8
    assert "table" not in kinds and "weight" not in kinds
    after = run(quantised, ids)
    assert np.abs(after - before).max() / np.abs(before).max() < 0.02
    quiet = [c for c in range(96) if c != 5]
    assert (
        np.abs(after[..., quiet] - before[..., quiet]).max()
        < 0.05 * np.abs(before[..., quiet]).max()
    )


def test_integer_products_are_close_and_each_token_is_scaled_alone() -> None:
    rng = np.random.default_rng(1)
    table = rng.normal(size=(200, 64)).astype(np.float32)
    table[7] *= 500  # one loud token: a scale shared over the batch would blur its neighbours
    weight = rng.normal(size=(64, 96)).astype(np.float32)
    ids = rng.integers(8, 200, size=(4, 6))
    model = tiny_graph(table, weight)
    before = run(model, ids)
    quantised = export.quantise_products(export.quantise_weights(model))
    onnx.checker.check_model(quantised)
    ops = [n.op_type for n in quantised.graph.node]
    assert "MatMulInteger" in ops and "MatMul" not in ops and "DequantizeLinear" not in ops
    after = run(quantised, ids)
    assert np.abs(after - before).max() < 0.03 * np.abs(before).max()
    loud = ids.copy()
    loud[1:, 0] = 7  # other rows (and another token of row 0) get the loud token
    loud[0, 5] = 7
    assert np.array_equal(run(quantised, loud)[0, :5], after[0, :5])


def test_small_weights_stay_float32() -> None:
    small = tiny_graph(np.ones((10, 8), np.float32), np.ones((8, 96), np.float32))
    kinds = {i.name: i.data_type for i in export.quantise_weights(small).graph.initializer}
    assert kinds == {"table": TensorProto.FLOAT, "weight": TensorProto.FLOAT}


def test_the_head_adds_a_logits_output(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    table = rng.normal(size=(20, 96)).astype(np.float32)
    weights, bias = rng.normal(size=(96, 8)).astype(np.float32), np.arange(8, dtype=np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "ids"], ["embedding"])],
        "emb",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 96])],
        [numpy_helper.from_array(table, "table")],
    )
    onnx.save(
        helper.make_model(graph, opset_imports=[helper.make_opsetid("", export.OPSET)]),
        str(tmp_path / "encoder.onnx"),
    )
    export.attach_head(tmp_path / "encoder.onnx", weights, bias, tmp_path / "head.onnx")
    ids = np.array([3, 7])
    logits = run(onnx.load(str(tmp_path / "head.onnx")), ids, "logits")
    assert np.allclose(logits, table[ids] @ weights + bias, atol=1e-5)


def test_the_optimised_graph_keeps_its_weights_beside_it_and_gives_the_same_bits(
    tmp_path: Path,
) -> None:
    """export.optimise(): the graph as onnxruntime leaves it, weights in their own file, outputs
    unchanged to the bit (the committed model is written this way to start sooner)."""
    rng = np.random.default_rng(2)
    model = export.quantise_products(export.quantise_weights(tiny_graph(
        rng.normal(size=(200, 64)).astype(np.float32), rng.normal(size=(64, 96)).astype(np.float32)
    )))
    path = tmp_path / MODEL_FILE
    onnx.save(model, str(path))
    (tmp_path / MODEL_DATA_FILE).write_bytes(b"stale")  # from an earlier model: replaced, not grown
    ids = rng.integers(0, 200, size=(3, 7))
    before = run(model, ids)
    export.optimise(path)
    assert path.stat().st_size < 4096 < (tmp_path / MODEL_DATA_FILE).stat().st_size
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert np.array_equal(session.run(["embedding"], {"ids": ids})[0], before)
