#!/usr/bin/env bash
# SIGKILL at random points, then restart until the job completes; checks that the result equals an uninterrupted run.
#   bash tools/reliability/kill-restart.sh explain-batch ROUNDS   # every PNG and .npy byte for byte, manifest equal but timings
#   bash tools/reliability/kill-restart.sh train ROUNDS           # final weights bit for bit (via --resume)
# Each round starts the job in a fresh folder and kills it with SIGKILL after a random delay (up to 4/5 of the reference
# run's duration), again and again, each restart also killed at a random point with probability 1/2, until one run
# exits 0. Prints one line per round and a summary; exits 1 on the first difference. Needs python3 for the checks.
set -euo pipefail
cd "$(dirname "$0")/../.."
job="${1:?explain-batch or train}"
rounds="${2:-10}"
work="$(mktemp -d /tmp/autotimm-kill-XXXXXX)"
trap 'rm -rf "$work"' EXIT
dotnet build src/AutoTimm.Cli -c Release --nologo -v quiet >/dev/null
cli=(dotnet src/AutoTimm.Cli/bin/Release/net10.0/autotimm.dll)

case "$job" in
  explain-batch)
    mkdir -p "$work/in"
    cp assets/samples/canvases/*.png assets/samples/photos/*.png assets/samples/photos/*.jpg "$work/in/" 2>/dev/null || true
    args() { echo explain-batch --input-dir "$work/in" --output-dir "$1" --methods gradcam,integrated_gradients --ig-steps 32 --batch-size 1; }
    resume_flag="" ;;
  train)
    args() { echo train --arch resnet10_tiny --data canvas --canvas-size 64 --train-size 512 --val-size 64 --epochs 4 --batch-size 32 --lr 0.01 --output-dir "$1" --seed 1 --workers 1 --threads 1; }
    resume_flag="--resume" ;;
  *) echo "unknown job $job" >&2; exit 2 ;;
esac

start=$(date +%s%N)
"${cli[@]}" $(args "$work/reference") > "$work/reference.json" 2>&1 || { echo "the reference run failed:" >&2; cat "$work/reference.json" >&2; exit 1; }
duration_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "reference run: ${duration_ms} ms"

compare() {
  python3 - "$job" "$work/reference" "$1" <<'PY'
import json, os, struct, sys
job, ref, out = sys.argv[1:4]
def files(root, ends):
    return {os.path.relpath(os.path.join(d, f), root): os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(ends)}
if job == "explain-batch":
    a, b = files(ref, (".png", ".npy")), files(out, (".png", ".npy"))
    assert a.keys() == b.keys(), f"different files: {sorted(a.keys() ^ b.keys())[:5]}"
    for k in a:
        assert open(a[k], "rb").read() == open(b[k], "rb").read(), f"{k} differs"
    def entries(path):
        last = {}
        for line in open(path):
            e = json.loads(line); e.pop("timings_ms", None); last[e["path"]] = e
        return last
    assert entries(os.path.join(ref, "manifest.jsonl")) == entries(os.path.join(out, "manifest.jsonl")), "manifests differ"
    assert not [f for d, _, fs in os.walk(out) for f in fs if f.startswith(".")], "temporary files left"
else:
    def tensors(path):
        data = open(path, "rb").read(); n = struct.unpack("<Q", data[:8])[0]; header = json.loads(data[8:8 + n]); header.pop("__metadata__", None)
        return {k: data[8 + n + v["data_offsets"][0]: 8 + n + v["data_offsets"][1]] for k, v in header.items()}
    assert tensors(os.path.join(ref, "model.safetensors")) == tensors(os.path.join(out, "model.safetensors")), "final weights differ"
PY
}

# What a killed run had committed: manifest lines, or the checkpoint generation CURRENT names.
progress() {
  if [ "$job" = explain-batch ]; then
    if [ -f "$1/manifest.jsonl" ]; then echo "$(wc -l < "$1/manifest.jsonl") images"; else echo "0 images"; fi
  else
    if [ -f "$1/checkpoints/CURRENT" ]; then cat "$1/checkpoints/CURRENT"; else echo "no epoch"; fi
  fi
}

kills=0
for round in $(seq 1 "$rounds"); do
  out="$work/round-$round"
  first=1; round_kills=0; progress=()
  while true; do
    flag=""; [ $first = 1 ] || flag="$resume_flag"
    "${cli[@]}" $(args "$out") $flag >/dev/null 2>&1 &
    pid=$!
    if [ $first = 1 ] || [ $((RANDOM % 2)) = 0 ]; then
      sleep "$(awk -v ms=$((RANDOM * duration_ms * 4 / 5 / 32768)) 'BEGIN { printf "%.3f", ms / 1000 }')"
      if kill -9 "$pid" 2>/dev/null; then
        round_kills=$((round_kills + 1))
        progress+=("$(progress "$out")")
      fi
    fi
    if wait "$pid" 2>/dev/null; then break; fi
    first=0
  done
  kills=$((kills + round_kills))
  compare "$out" && echo "round $round: $round_kills kills (done when killed: ${progress[*]:-}), result equals the uninterrupted run's"
done
echo "$rounds rounds, $kills SIGKILLs: every result equal to the uninterrupted run's"
