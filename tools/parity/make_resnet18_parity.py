"""Writes a torchvision resnet18 (1000 classes, seeded random weights) the way PyTorch users save it, plus an
input tensor and PyTorch's logits, for checking `autotimm predict` against PyTorch end to end.

    /usr/bin/python3 tools/parity/make_resnet18_parity.py OUT_DIR

Writes OUT_DIR/resnet18.pth (torch.save(model.state_dict())), OUT_DIR/resnet18.safetensors (same tensors),
OUT_DIR/x.npy (float32 [1,3,224,224]) and OUT_DIR/logits.npy (float32 [1,1000]). Needs Debian's python3-torch
and python3-torchvision; nothing is downloaded.
"""
import os
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from make_pytorch_fixtures import write_safetensors  # noqa: E402


def non_trivial_batchnorm(model):
    """BatchNorm statistics and affine parameters drawn away from 0/1, as a trained model has."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=1000).eval()
    non_trivial_batchnorm(model)
    state = model.state_dict()
    torch.save(state, os.path.join(out, "resnet18.pth"))
    write_safetensors(os.path.join(out, "resnet18.safetensors"), state, {"format": "pt"})
    x = torch.randn(1, 3, 224, 224)
    np.save(os.path.join(out, "x.npy"), x.numpy().astype(np.float32))
    with torch.no_grad():
        np.save(os.path.join(out, "logits.npy"), model(x).numpy().astype(np.float32))


if __name__ == "__main__":
    main()
