#!/usr/bin/env bash
# End-to-end parity with torchvision: `autotimm predict` on fcos_resnet50_fpn, fcn_resnet50 and deeplabv3_resnet50 saved by
# PyTorch (torch.save(state_dict), seeded random weights) against torchvision's own outputs on the same input.
# Fails when a box differs by more than 1e-3 px, a score by more than 1e-4, a label at all, or a logit by more than 1e-4.
# Sizes are the zoo defaults (800 px detection, 520 px segmentation). Needs Debian's python3-torch/python3-torchvision (installed when missing). Takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/install-deps.sh python3-torch python3-torchvision python3-numpy
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/python3 tools/parity/make_detection_parity.py "$out"
dotnet build src/AutoTimm.Cli -c Release --nologo -v q >/dev/null
cli="dotnet src/AutoTimm.Cli/bin/Release/net10.0/autotimm.dll"
$cli predict --checkpoint "$out/fcos.pth" --arch fcos_resnet50_fpn --num-classes 91 --image "$out/x.npy" --detection-threshold 0.2 > "$out/fcos.json" \
  || { cat "$out/fcos.json"; exit 1; }
for name in fcn deeplabv3; do
  $cli predict --checkpoint "$out/$name.pth" --arch "${name}_resnet50" --num-classes 21 --image "$out/x_seg.npy" --output-npy "$out/${name}_ours.npy" > "$out/$name.json" \
    || { cat "$out/$name.json"; exit 1; }
done
/usr/bin/python3 - "$out" <<'PY'
import json, sys
import numpy as np
out = sys.argv[1]
got = json.load(open(f"{out}/fcos.json"))["detections"]
boxes, scores, labels = (np.load(f"{out}/fcos_{k}.npy") for k in ("boxes", "scores", "labels"))
ok = len(got) == len(scores)
box_diff = max((float(np.abs(np.array(d["box"]) - boxes[i]).max()) for i, d in enumerate(got)), default=0.0) if ok else float("inf")
score_diff = max((abs(d["score"] - float(scores[i])) for i, d in enumerate(got)), default=0.0) if ok else float("inf")
labels_equal = ok and all(d["label"] == int(labels[i]) for i, d in enumerate(got))
print(f"fcos_resnet50_fpn: {len(got)} detections (torchvision {len(scores)}), max box diff {box_diff:.2e} px, max score diff {score_diff:.2e}, labels equal: {labels_equal}")
failed = not (ok and box_diff <= 1e-3 and score_diff <= 1e-4 and labels_equal)
for name in ("fcn", "deeplabv3"):
    want, ours = np.load(f"{out}/{name}_logits.npy"), np.load(f"{out}/{name}_ours.npy")
    diff = float(np.abs(want - ours).max())
    print(f"{name}_resnet50: max abs logit diff {diff:.2e} over {want.size} logits (max |logit| {float(np.abs(want).max()):.2f})")
    failed |= not diff <= 1e-4
sys.exit(1 if failed else 0)
PY
