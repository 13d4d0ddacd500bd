"""Writes torchvision's fcos_resnet50_fpn, fcn_resnet50 and deeplabv3_resnet50 (seeded random weights, saved as PyTorch
users save them) with an input and torchvision's outputs, for checking `autotimm predict` against torchvision end to end.

    /usr/bin/python3 tools/parity/make_detection_parity.py OUT_DIR

Writes, in OUT_DIR: fcos.pth, fcn.pth, deeplabv3.pth (torch.save(model.state_dict())); x.npy (float32 [1,3,800,800], the
normalized detector input at the zoo's default size, which torchvision's transform leaves unresized and unpadded);
fcos_boxes.npy / fcos_scores.npy / fcos_labels.npy (torchvision's detections for that image); x_seg.npy ([1,3,520,520],
the segmenters' default size); fcn_logits.npy and deeplabv3_logits.npy ([1,21,520,520]); and the same outputs of the
models in float64 (fcos64_*.npy, fcn64_logits.npy, deeplabv364_logits.npy), the exact reference both float32
implementations are measured against. Needs Debian's python3-torch and
python3-torchvision; nothing is downloaded.
"""
import os
import sys

import numpy as np
import torch
import torchvision
from torchvision.models.detection import fcos_resnet50_fpn
from torchvision.models.segmentation import deeplabv3_resnet50, fcn_resnet50

sys.path.insert(0, os.path.dirname(__file__))
from make_resnet18_parity import non_trivial_batchnorm  # noqa: E402

SIZE = 800
SEG_SIZE = 520


def calibrate_batchnorm(module, batch):
    """Running statistics measured on a batch, as training leaves them: activations stay O(1) through the network
    (random affine BatchNorm over default statistics lets a dilated ResNet-50's logits grow to hundreds)."""
    for m in module.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    module.train()
    with torch.no_grad():
        module(batch)
    module.eval()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(2)
    image = torch.rand(3, SIZE, SIZE)

    # The transform resizes to min_size (identity at 256) and pads to a multiple of 32 (none at 256).
    fcos = fcos_resnet50_fpn(weights=None, weights_backbone=None, min_size=SIZE, max_size=SIZE).eval()
    non_trivial_batchnorm(fcos)
    calibrate_batchnorm(fcos.backbone, fcos.transform(list(torch.rand(2, 3, SIZE, SIZE)))[0].tensors)
    with torch.no_grad():
        # Random heads score every location near sigmoid(-4.6): spread the class bias so detections pass 0.2.
        fcos.head.classification_head.cls_logits.bias.uniform_(-2.0, 1.0)
        images, _ = fcos.transform([image])
        assert tuple(images.tensors.shape) == (1, 3, SIZE, SIZE)
        detections = fcos([image])[0]
    torch.save(fcos.state_dict(), os.path.join(out, "fcos.pth"))
    np.save(os.path.join(out, "x.npy"), images.tensors.numpy())
    np.save(os.path.join(out, "fcos_boxes.npy"), detections["boxes"].numpy())
    np.save(os.path.join(out, "fcos_scores.npy"), detections["scores"].numpy())
    np.save(os.path.join(out, "fcos_labels.npy"), detections["labels"].numpy().astype(np.float32))
    # The same model in float64: how far torchvision's own float32 result is from exact arithmetic.
    with torch.no_grad():
        exact = fcos.double()([image.double()])[0]
    np.save(os.path.join(out, "fcos64_boxes.npy"), exact["boxes"].numpy())
    np.save(os.path.join(out, "fcos64_scores.npy"), exact["scores"].numpy())
    np.save(os.path.join(out, "fcos64_labels.npy"), exact["labels"].numpy().astype(np.float64))
    print(f"fcos_resnet50_fpn: {len(detections['scores'])} detections")

    x = (torch.rand(1, 3, SEG_SIZE, SEG_SIZE) - torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)) / torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    np.save(os.path.join(out, "x_seg.npy"), x.numpy())
    for name, build in (("fcn", fcn_resnet50), ("deeplabv3", deeplabv3_resnet50)):
        model = build(weights=None, weights_backbone=None, num_classes=21).eval()
        non_trivial_batchnorm(model)
        calibrate_batchnorm(model, torch.randn(2, 3, SEG_SIZE, SEG_SIZE))
        with torch.no_grad():
            logits = model(x)["out"]
        torch.save(model.state_dict(), os.path.join(out, f"{name}.pth"))
        np.save(os.path.join(out, f"{name}_logits.npy"), logits.numpy())
        with torch.no_grad():
            np.save(os.path.join(out, f"{name}64_logits.npy"), model.double()(x.double())["out"].numpy())
        print(f"{name}_resnet50: logits {tuple(logits.shape)}")
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}")


if __name__ == "__main__":
    main()
