#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers under AFL++ with SharpFuzz (see docs/fuzzing.md).
#   bash fuzz/run-afl.sh [EXECS_PER_TARGET] [TARGET...]
# Installs afl++ (Debian) and the SharpFuzz instrumenter (NuGet tool) when missing, builds the driver, instruments
# the parser namespaces of AutoTimm.Core, runs afl-fuzz on each target from fuzz/corpus/<target> until it has run
# EXECS_PER_TARGET inputs (default 200000), minimizes the queue it grew with afl-cmin, and prints one line of
# statistics per target. With AUTOTIMM_FUZZ_UPDATE_CORPUS=1 the minimized queue is added to fuzz/corpus/<target>.
# Everything goes under $AUTOTIMM_FUZZ_WORK (default ~/.cache/autotimm-afl; afl-cmin refuses /tmp). Crashes and
# hangs are left in <work>/out-<target>/default/; replay them with
# `dotnet <work>/bin/AutoTimm.Fuzz.dll replay <target> <dir>` and commit them to fuzz/crashers/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
execs="${1:-200000}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(image safetensors torchzip torchzip-content pickle npy config onnx)
work="${AUTOTIMM_FUZZ_WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/autotimm-afl}"
dotnet_bin="$(readlink -f "$(command -v dotnet)")"

bash scripts/install-deps.sh afl++
tools="$work/tools"
if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

dotnet build fuzz/AutoTimm.Fuzz -c Release --nologo -v quiet >/dev/null
rm -rf "$work/bin"
mkdir -p "$work"
cp -r fuzz/AutoTimm.Fuzz/bin/Release/net10.0 "$work/bin"
# Only the parsers are instrumented: the module initializer that loads libtorch must run before SharpFuzz's
# shared-memory map exists.
"$tools/sharpfuzz" "$work/bin/AutoTimm.Core.dll" AutoTimm.Imaging AutoTimm.Models.Checkpoints AutoTimm.Models.Onnx AutoTimm.IO Onnx

export AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1
# Images over 4 megapixels are refused, so that mutated headers test the limit instead of decoding huge images.
export AUTOTIMM_MAX_IMAGE_PIXELS=4194304
printf '%-12s %10s %9s %7s %8s %7s %6s %9s\n' target execs exec/s edges queue crashes hangs minimized
for target in "${targets[@]}"; do
  out="$work/out-$target"
  corpus="fuzz/corpus/$(dotnet "$work/bin/AutoTimm.Fuzz.dll" corpus "$target")"
  rm -rf "$out"
  afl-fuzz -i "$corpus" -o "$out" -t 10000 -m none -E "$execs" -- "$dotnet_bin" "$work/bin/AutoTimm.Fuzz.dll" afl "$target" \
    > "$work/afl-$target.log" 2>&1 || { echo "afl-fuzz failed for $target; see $work/afl-$target.log" >&2; exit 1; }
  stats="$out/default/fuzzer_stats"
  value() { awk -F' *: *' -v k="$1" '$1==k {print $2}' "$stats"; }
  rm -rf "$work/min-$target"
  afl-cmin -i "$out/default/queue" -o "$work/min-$target" -t 10000 -m none -- "$dotnet_bin" "$work/bin/AutoTimm.Fuzz.dll" afl "$target" \
    > "$work/cmin-$target.log" 2>&1 || { echo "afl-cmin failed for $target; see $work/cmin-$target.log" >&2; exit 1; }
  if [ "${AUTOTIMM_FUZZ_UPDATE_CORPUS:-0}" = 1 ]; then
    known="$(sha256sum "$corpus"/* | cut -c1-64)"
    for file in "$work/min-$target"/*; do
      sum="$(sha256sum "$file" | cut -c1-64)"
      grep -q "$sum" <<<"$known" || cp "$file" "$corpus/afl-${sum:0:16}"
    done
  fi
  printf '%-12s %10s %9s %7s %8s %7s %6s %9s\n' "$target" "$(value execs_done)" "$(value execs_per_sec)" "$(value edges_found)" \
    "$(value corpus_count)" "$(value saved_crashes)" "$(value saved_hangs)" "$(ls "$work/min-$target" | wc -l)"
done
