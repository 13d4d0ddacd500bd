#!/usr/bin/env bash
# Exports torchvision's seven reference models to ONNX (opsets 13 and 17) outside the repository and checks each
# against ONNX Runtime and PyTorch, with Grad-CAM's cost relative to one ONNX Runtime inference. Too large for the
# README test command (the exports take 1.7 GB); run by hand after changing the ONNX executor.
#   bash tools/onnx/check_exports.sh [DIR]      (default /tmp/autotimm-onnx-exports)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${1:-/tmp/autotimm-onnx-exports}"
bash scripts/install-deps.sh python3-torch python3-torchvision python3-onnx python3-numpy
[ -f "$dir/swin_t_opset17.onnx" ] || /usr/bin/python3 tools/onnx/export_torchvision.py "$dir"
dotnet run -c Release --project bench/AutoTimm.Bench -- --onnx-exports "$dir" --repeats 3
