#!/usr/bin/env python3
"""The peers' side of `bench/AutoTimm.Bench -- --peers`: PyTorch, pytorch-grad-cam and Captum, timed on request.

The C# harness starts this script once and sends one JSON request per line on stdin; each answer is one JSON line on
stdout. Requests:

    {"op": "hello"}                                   -> {"torch": ..., "pytorch_grad_cam": ..., "captum": ..., "missing": [...]}
    {"op": "time", "item": ITEM, "arch": "resnet50", "batch": 1, "size": 224, "threads": 2}
                                                      -> {"ms": wall milliseconds of one run of ITEM}
    {"op": "quit"}

Items: "forward" (torch.no_grad inference), "pgc_gradcam" (pytorch_grad_cam.GradCAM on layer4, class 1),
"captum_layergradcam" (captum LayerGradCam on layer4, class 1, upsampled to the input as pytorch-grad-cam does),
"captum_ig" (captum IntegratedGradients, 50 steps, gausslegendre, internal_batch_size 25, zero baseline, class 1).
Models are torchvision's, randomly initialized with a fixed seed (timing does not depend on the weights), in eval
mode. One request times one run, so the harness can interleave its own runs with these (A B A B) and decide warm-up.

Run with Debian's python3-torch, python3-torchvision, python3-numpy, python3-scipy, python3-opencv, python3-matplotlib
and python3-sklearn (what the two libraries import), and checkouts of pytorch-grad-cam and Captum on PYTHONPATH;
bench/peers/run.sh installs the packages and runs the table. A library that cannot be imported is reported in
"missing" and its items answer {"error": ...}; the harness then skips them with that message.
"""
import json
import sys
import time
import types

import torch
import torchvision

missing = []


def install_ttach_stand_in():
    # pytorch_grad_cam imports ttach at module level for test-time augmentation, which the benchmark never uses.
    try:
        import ttach  # noqa: F401
    except ImportError:
        class Anything:
            def __init__(self, *args, **kwargs):
                pass

            def __getattr__(self, name):
                return Anything

        stand_in = types.ModuleType("ttach")
        stand_in.__getattr__ = lambda name: Anything
        sys.modules["ttach"] = stand_in


try:
    install_ttach_stand_in()
    import pytorch_grad_cam
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
except Exception as e:  # noqa: BLE001 - reported to the harness, which skips these items
    missing.append(f"pytorch_grad_cam: {e}")
    pytorch_grad_cam = None
try:
    import captum
    from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam
except Exception as e:  # noqa: BLE001
    missing.append(f"captum: {e}")
    captum = None

models = {}


def model_for(arch):
    if arch not in models:
        torch.manual_seed(0)
        model = getattr(torchvision.models, arch)(weights=None)
        model.eval()
        models[arch] = model
    return models[arch]


inputs = {}


def input_for(batch, size):
    key = (batch, size)
    if key not in inputs:
        inputs[key] = torch.randn(batch, 3, size, size, generator=torch.Generator().manual_seed(1))
    return inputs[key]


def run(item, model, x):
    if item == "forward":
        with torch.no_grad():
            model(x)
    elif item == "pgc_gradcam":
        if pytorch_grad_cam is None:
            raise RuntimeError("pytorch_grad_cam is not importable")
        with GradCAM(model=model, target_layers=[model.layer4]) as cam:
            cam(input_tensor=x, targets=[ClassifierOutputTarget(1)] * x.shape[0])
    elif item == "captum_layergradcam":
        if captum is None:
            raise RuntimeError("captum is not importable")
        attribution = LayerGradCam(model, model.layer4).attribute(x, target=1, relu_attributions=True)
        LayerAttribution.interpolate(attribution, tuple(x.shape[2:]), interpolate_mode="bilinear")
    elif item == "captum_ig":
        if captum is None:
            raise RuntimeError("captum is not importable")
        IntegratedGradients(model).attribute(x, baselines=torch.zeros_like(x), target=1, n_steps=50,
                                             method="gausslegendre", internal_batch_size=25)
    else:
        raise ValueError(f"unknown item {item}")


def main():
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["op"] == "hello":
                answer = {"torch": torch.__version__, "torchvision": torchvision.__version__,
                          "pytorch_grad_cam": getattr(pytorch_grad_cam, "__file__", None),
                          "captum": getattr(captum, "__version__", None), "missing": missing}
            elif request["op"] == "time":
                torch.set_num_threads(request.get("threads", 2))
                model = model_for(request["arch"])
                x = input_for(request["batch"], request.get("size", 224))
                start = time.perf_counter()
                run(request["item"], model, x)
                answer = {"ms": (time.perf_counter() - start) * 1000}
            elif request["op"] == "quit":
                return
            else:
                answer = {"error": f"unknown op {request['op']}"}
        except Exception as e:  # noqa: BLE001 - the harness reports it
            answer = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
