#!/usr/bin/env python3
"""Writes tests/fixtures/onnx: a tiny CNN graph (Conv, Relu, GlobalAveragePool, Flatten, Gemm) saved by the onnx
package twice, with its weights inside the model and as external data beside it, so the reader is checked against
ONNX's own writer. Needs python3-onnx (Debian):

    /usr/bin/python3 tools/onnx/make_onnx_fixtures.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "onnx")


def model():
    rng = np.random.default_rng(5)
    weights = [
        numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "conv.weight"),
        numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "conv.bias"),
        numpy_helper.from_array(rng.standard_normal((2, 4)).astype(np.float32), "fc.weight"),
        numpy_helper.from_array(rng.standard_normal(2).astype(np.float32), "fc.bias"),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["conv"], name="", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["conv"], ["relu"]),
        helper.make_node("GlobalAveragePool", ["relu"], ["pool"]),
        helper.make_node("Flatten", ["pool"], ["flat"], axis=1),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], transB=1),
    ]
    graph = helper.make_graph(nodes, "tiny_cnn", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 2])], weights)
    result = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="autotimm-fixtures")
    onnx.checker.check_model(result)
    return result


def main():
    os.makedirs(OUT, exist_ok=True)
    onnx.save_model(model(), os.path.join(OUT, "tiny_cnn.onnx"))
    onnx.save_model(model(), os.path.join(OUT, "tiny_cnn_external.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="tiny_cnn_external.bin", size_threshold=0)


if __name__ == "__main__":
    main()
