#!/usr/bin/env bash
# End-to-end parity with torchvision: `autotimm predict` on fcos_resnet50_fpn, fcn_resnet50 and deeplabv3_resnet50 saved by
# PyTorch (torch.save(state_dict), seeded random weights) against torchvision's own outputs on the same input.
# Labels and order must be equal. A box, score or logit passes within 1e-3 px, 1e-4, 1e-4 of torchvision's float32
# result, or when it is as close to the float64 result as torchvision's float32 result is (rounding, measured).
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
# Two float32 implementations agree only up to rounding, which grows with depth and magnitude. So each difference
# from torchvision's float32 result is judged against torchvision's own rounding error, its distance from the same
# model in float64: ours must be as close to the float64 result as torchvision's float32 is (within 2x + 1e-6),
# or within the fixed bounds (1e-3 px, 1e-4 score, 1e-4 logit) of torchvision's float32 result.
import json, sys
import numpy as np
out = sys.argv[1]
failed = False

def matched(ours, boxes, labels):
    """Per detection of ours: the row of the other list with its label and the closest box."""
    rows = []
    for d in ours:
        same = [i for i in range(len(labels)) if int(labels[i]) == d["label"]]
        rows.append(min(same, key=lambda i: float(np.abs(boxes[i] - np.array(d["box"])).max())) if same else None)
    return rows

got = json.load(open(f"{out}/fcos.json"))["detections"]
boxes, scores, labels = (np.load(f"{out}/fcos_{k}.npy") for k in ("boxes", "scores", "labels"))
boxes64, scores64, labels64 = (np.load(f"{out}/fcos64_{k}.npy") for k in ("boxes", "scores", "labels"))
ok = len(got) == len(scores) and all(d["label"] == int(labels[i]) for i, d in enumerate(got))
ours_box = max(float(np.abs(np.array(d["box"]) - boxes[i]).max()) for i, d in enumerate(got)) if ok else float("inf")
ours_score = max(abs(d["score"] - float(scores[i])) for i, d in enumerate(got)) if ok else float("inf")
m = matched(got, boxes64, labels64)
t = matched([{"box": b.tolist(), "label": int(l)} for b, l in zip(boxes, labels)], boxes64, labels64)
ours64_box = max(float(np.abs(np.array(d["box"]) - boxes64[j]).max()) for d, j in zip(got, m) if j is not None)
tv64_box = max(float(np.abs(boxes[i] - boxes64[j]).max()) for i, j in enumerate(t) if j is not None)
ours64_score = max(abs(d["score"] - float(scores64[j])) for d, j in zip(got, m) if j is not None)
tv64_score = max(abs(float(scores[i]) - float(scores64[j])) for i, j in enumerate(t) if j is not None)
print(f"fcos_resnet50_fpn: {len(got)} detections (torchvision {len(scores)}), labels and order equal: {ok}")
print(f"  box:   ours - torchvision32 {ours_box:.2e} px; from float64: ours {ours64_box:.2e}, torchvision32 {tv64_box:.2e}")
print(f"  score: ours - torchvision32 {ours_score:.2e}; from float64: ours {ours64_score:.2e}, torchvision32 {tv64_score:.2e}")
failed |= not ok
failed |= not (ours_box <= 1e-3 or ours64_box <= 2 * tv64_box + 1e-6)
failed |= not (ours_score <= 1e-4 or ours64_score <= 2 * tv64_score + 1e-6)
for name in ("fcn", "deeplabv3"):
    want, exact, ours = np.load(f"{out}/{name}_logits.npy"), np.load(f"{out}/{name}64_logits.npy"), np.load(f"{out}/{name}_ours.npy")
    diff, ours64, tv64 = float(np.abs(want - ours).max()), float(np.abs(exact - ours).max()), float(np.abs(exact - want).max())
    print(f"{name}_resnet50: {want.size} logits (max |logit| {float(np.abs(want).max()):.2f}): ours - torchvision32 {diff:.2e}; "
          f"from float64: ours {ours64:.2e}, torchvision32 {tv64:.2e}")
    failed |= not (diff <= 1e-4 or ours64 <= 2 * tv64 + 1e-6)
sys.exit(1 if failed else 0)
PY
