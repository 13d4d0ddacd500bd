#!/usr/bin/env python3
"""Exports torchvision's resnet50, mobilenet_v3_large, efficientnet_b0, convnext_tiny, regnet_y_400mf, vit_b_16 and
swin_t (seeded random weights: nothing is downloaded) with torch.onnx.export at opsets 13 and 17, each with an input
and PyTorch's output for it. Freshly initialized models output almost nothing (zero heads, batch norms at their
initial statistics shrink activations layer by layer), which would make any comparison pass: the batch-norm
statistics are first set from a few random batches and zero-initialized weights are redrawn, so every model's output
has a scale of order one. The files are large (up to 350 MB), so they are written outside the repository and
checked by tools/onnx/check_exports.sh (bench/AutoTimm.Bench --onnx-exports), not by the README test command. Needs python3-torch, python3-torchvision,
python3-onnx (Debian):

    /usr/bin/python3 tools/onnx/export_torchvision.py OUTPUT_DIR [model ...]
"""
import os
import sys

import numpy as np
import onnx
import torch
import torchvision

MODELS = ["resnet50", "mobilenet_v3_large", "efficientnet_b0", "convnext_tiny", "regnet_y_400mf", "vit_b_16", "swin_t"]


def calibrated(model):
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() > 1 and not parameter.abs().sum():
                parameter.normal_(0, 0.02)
        model.train()
        for module in model.modules():
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                module.reset_running_stats()
                module.momentum = None  # a plain average over the calibration batches
        generator = torch.Generator().manual_seed(2)
        for _ in range(4):
            model(torch.randn(8, 3, 224, 224, generator=generator))
    return model.eval()


def main():
    out = sys.argv[1]
    names = sys.argv[2:] or MODELS
    os.makedirs(out, exist_ok=True)
    for name in names:
        torch.manual_seed(0)
        model = calibrated(getattr(torchvision.models, name)(weights=None))
        x = torch.from_numpy(np.random.default_rng(1).standard_normal((1, 3, 224, 224)).astype(np.float32))
        with torch.no_grad():
            y = model(x)
        np.save(os.path.join(out, f"{name}_input.npy"), x.numpy())
        np.save(os.path.join(out, f"{name}_output.npy"), y.numpy())
        if name == "resnet50":
            # The same weights for the native model: Grad-CAM on the export must equal Grad-CAM on them.
            torch.save(model.state_dict(), os.path.join(out, f"{name}.pth"))
        for opset in (13, 17):
            path = os.path.join(out, f"{name}_opset{opset}.onnx")
            torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["logits"])
            ops = sorted({n.op_type for n in onnx.load(path, load_external_data=False).graph.node})
            print(f"{name} opset {opset}: {os.path.getsize(path) / 1e6:.0f} MB, max|output| {y.abs().max():.3g}, ops {' '.join(ops)}", flush=True)


if __name__ == "__main__":
    main()
