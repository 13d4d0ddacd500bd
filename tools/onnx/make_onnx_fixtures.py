#!/usr/bin/env python3
"""Writes tests/fixtures/onnx:
- a tiny CNN graph (Conv, Relu, GlobalAveragePool, Flatten, Gemm) saved by the onnx package twice, with its weights
  inside the model and as external data beside it, so the reader is checked against ONNX's own writer;
- the bundled classifier (assets/models/fashion_cnn.safetensors, resnet10_tiny: torchvision's BasicBlock, a 3x3
  stride-1 stem, no max-pool, 16..128 channels) exported by torch.onnx.export at opsets 13 and 17, with an input and
  PyTorch's logits for it, so the executor is checked against PyTorch and Grad-CAM against the native model;
- the bundled segmenter (DeepLabV3 on resnet10_tiny) exported at opset 17, so segmentation explanations of the
  export are checked against the native model's;
- a toy torchvision VisionTransformer (opset 17), for the attention interface of imported transformers.
Needs python3-onnx, python3-numpy and python3-torch (Debian):

    /usr/bin/python3 tools/onnx/make_onnx_fixtures.py
"""
import json
import os
import struct

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


def read_safetensors(path):
    import torch
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = {"F32": np.float32, "I64": np.int64}[entry["dtype"]]
        tensors[name] = torch.from_numpy(np.frombuffer(data[begin:end], dtype=dtype).reshape(entry["shape"]).copy())
    return tensors


def fashion_cnn(load=True):
    import torch
    from torch import nn
    from torchvision.models.resnet import BasicBlock

    class SmallResNet(nn.Module):
        def __init__(self, widths=(16, 32, 64, 128), classes=10):
            super().__init__()
            self.conv1 = nn.Conv2d(3, widths[0], 3, stride=1, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(widths[0])
            self.relu = nn.ReLU(inplace=True)
            layers, previous = [], widths[0]
            for i, width in enumerate(widths):
                stride = 1 if i == 0 else 2
                downsample = None if stride == 1 and previous == width else nn.Sequential(
                    nn.Conv2d(previous, width, 1, stride=stride, bias=False), nn.BatchNorm2d(width))
                layers.append(nn.Sequential(BasicBlock(previous, width, stride, downsample)))
                previous = width
            self.layer1, self.layer2, self.layer3, self.layer4 = layers
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(previous, classes)

        def forward(self, x):
            x = self.relu(self.bn1(self.conv1(x)))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    model = SmallResNet()
    if load:
        model.load_state_dict(read_safetensors(os.path.join(ROOT, "assets", "models", "fashion_cnn.safetensors")))
    return model.eval()


def export_with_logits(model, x, stem, opsets):
    """Saves x and the model's logits for it as {stem}_input.npy and {stem}_logits.npy, and exports the model as
    {stem}_opset{N}.onnx for each opset (batch axis dynamic), each checked by the onnx package."""
    import torch
    with torch.no_grad():
        logits = model(x)
    np.save(os.path.join(OUT, f"{stem}_input.npy"), x.numpy())
    np.save(os.path.join(OUT, f"{stem}_logits.npy"), logits.numpy())
    for opset in opsets:
        path = os.path.join(OUT, f"{stem}_opset{opset}.onnx")
        torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        onnx.checker.check_model(onnx.load(path))


def export_fashion_cnn():
    import torch
    model = fashion_cnn()
    x = torch.from_numpy(np.random.default_rng(11).standard_normal((2, 3, 64, 64)).astype(np.float32))
    export_with_logits(model, x, "fashion_cnn", (13, 17))


def export_fashion_deeplabv3():
    """The bundled segmenter (assets/models/fashion_deeplabv3.safetensors: torchvision's DeepLabV3 on the resnet10_tiny
    backbone, ASPP rates 2, 4, 6 with 64 channels, output stride 8) rebuilt in PyTorch and exported at opset 17: its
    ASPP pooling branch and the final upsampling become Resize nodes."""
    import torch
    from torch import nn
    from torch.nn import functional as F
    from torchvision.models.segmentation.deeplabv3 import ASPP

    class Backbone(nn.Module):
        def __init__(self, resnet):
            super().__init__()
            for name in ("conv1", "bn1", "relu", "layer1", "layer2", "layer3", "layer4"):
                setattr(self, name, getattr(resnet, name))

        def forward(self, x):
            x = self.relu(self.bn1(self.conv1(x)))
            return self.layer4(self.layer3(self.layer2(self.layer1(x))))

    class DeepLabV3(nn.Module):
        def __init__(self, classes=11):
            super().__init__()
            self.backbone = Backbone(fashion_cnn(load=False))
            self.classifier = nn.Sequential(ASPP(128, [2, 4, 6], 64), nn.Conv2d(64, 64, 3, padding=1, bias=False),
                                            nn.BatchNorm2d(64), nn.ReLU(), nn.Conv2d(64, classes, 1))

        def forward(self, x):
            size = x.shape[-2:]
            return F.interpolate(self.classifier(self.backbone(x)), size=size, mode="bilinear", align_corners=False)

    model = DeepLabV3()
    model.load_state_dict(read_safetensors(os.path.join(ROOT, "assets", "models", "fashion_deeplabv3.safetensors")))
    model.eval()
    x = torch.from_numpy(np.random.default_rng(13).standard_normal((2, 3, 96, 96)).astype(np.float32))
    export_with_logits(model, x, "fashion_deeplabv3", (17,))


def export_tiny_vit():
    """torchvision's VisionTransformer at toy size (32 px, 8 px patches, 2 blocks of 2 heads, width 16), whose
    nn.MultiheadAttention exports each block's attention as a Softmax over [batch x heads, T, T]; the zero-initialized
    head is redrawn so the logits are not all zero."""
    import torch
    import torchvision
    torch.manual_seed(3)
    model = torchvision.models.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=16,
                                                 mlp_dim=32, num_classes=3).eval()
    with torch.no_grad():
        model.heads.head.weight.normal_(0, 0.5)
    x = torch.from_numpy(np.random.default_rng(12).standard_normal((2, 3, 32, 32)).astype(np.float32))
    export_with_logits(model, x, "tiny_vit", (17,))


def main():
    os.makedirs(OUT, exist_ok=True)
    export_fashion_cnn()
    export_fashion_deeplabv3()
    export_tiny_vit()
    onnx.save_model(model(), os.path.join(OUT, "tiny_cnn.onnx"))
    # onnx appends to an existing data file: start from none.
    if os.path.exists(os.path.join(OUT, "tiny_cnn_external.bin")):
        os.remove(os.path.join(OUT, "tiny_cnn_external.bin"))
    onnx.save_model(model(), os.path.join(OUT, "tiny_cnn_external.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="tiny_cnn_external.bin", size_threshold=0)


if __name__ == "__main__":
    main()
