#!/usr/bin/env bash
# End-to-end parity: `autotimm predict --logits` on a torchvision resnet18 saved by PyTorch (.pth and .safetensors)
# against PyTorch's own logits. Prints the max abs difference per file; fails above 1e-4.
# Needs Debian's python3-torch/python3-torchvision (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/install-deps.sh python3-torch python3-torchvision python3-numpy
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/python3 tools/parity/make_resnet18_parity.py "$out"
dotnet build src/AutoTimm.Cli -c Release --nologo -v q >/dev/null
for file in resnet18.pth resnet18.safetensors; do
  dotnet src/AutoTimm.Cli/bin/Release/net10.0/autotimm.dll predict --checkpoint "$out/$file" --arch resnet18 --num-classes 1000 \
    --image "$out/x.npy" --logits > "$out/$file.json"
  /usr/bin/python3 - "$out/$file.json" "$out/logits.npy" "$file" <<'PY'
import json, sys
import numpy as np
got = np.array(json.load(open(sys.argv[1]))["logits"], dtype=np.float32)
want = np.load(sys.argv[2])[0]
diff = float(np.abs(got - want).max())
print(f"{sys.argv[3]}: max abs diff {diff:.2e} over {want.size} logits")
sys.exit(0 if diff <= 1e-4 else 1)
PY
done
