#!/usr/bin/env bash
# The main job: explain a test canvas with every method on the bundled CNN, offline.
# Writes figures, raw arrays and report.html to out/demo and prints the JSON result.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
dotnet build src/AutoTimm.Cli -c Release --nologo -v q >&2
dotnet src/AutoTimm.Cli/bin/Release/net10.0/autotimm.dll interpret \
  --image assets/samples/canvases/canvas_test_00000.png \
  --output-dir out/demo --save-raw --report "$@"
