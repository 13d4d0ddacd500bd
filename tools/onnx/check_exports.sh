#!/usr/bin/env bash
# Checks the ONNX executor on real models, outside the README test command (the graphs take 1.8 GB):
#   - torchvision's seven reference models, exported at opsets 13 and 17 (tools/onnx/export_torchvision.py), against
#     ONNX Runtime and PyTorch, and resnet50's Grad-CAM against the same weights loaded natively;
#   - third-party graphs with real trained weights (tools/onnx/fetch_models.sh): PaddleOCR det/rec/cls, BlazeFace,
#     ML.NET's ResNet18 featurizer, against ONNX Runtime on a photo;
# each with Grad-CAM's time relative to one ONNX Runtime inference. Run by hand after changing the executor.
#   bash tools/onnx/check_exports.sh [DIR]      (default /tmp/autotimm-onnx-exports)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${1:-/tmp/autotimm-onnx-exports}"
bash scripts/install-deps.sh python3-torch python3-torchvision python3-onnx python3-numpy
[ -f "$dir/swin_t_opset17.onnx" ] && [ -f "$dir/resnet50.pth" ] || /usr/bin/python3 tools/onnx/export_torchvision.py "$dir"
[ -f "$dir/third_party/ResNet18.onnx" ] || bash tools/onnx/fetch_models.sh "$dir/third_party"
for folder in "$dir" "$dir/third_party"; do
  dotnet run -c Release --project bench/AutoTimm.Bench -- --onnx-exports "$folder" --repeats 5
done
