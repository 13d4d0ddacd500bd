#!/usr/bin/env bash
# The performance table against the peers, set up from scratch:
#   bash bench/peers/run.sh PEERS_DIR [benchmark flags, default --threads 2 --repeats 7]
# PEERS_DIR holds checkouts of pytorch-grad-cam (its pytorch_grad_cam package) and Captum (its captum package), e.g.
#   git -C pytorch-grad-cam archive HEAD pytorch_grad_cam | tar -x -C PEERS_DIR
#   git -C captum archive HEAD captum | tar -x -C PEERS_DIR
# The Debian packages the peers import are installed here; the peers' libraries are never installed system-wide.
# Prints the benchmark's JSON on stdout and exits 1 when a ratio misses its target.
set -euo pipefail
cd "$(dirname "$0")/../.."
peers="${1:?usage: bench/peers/run.sh PEERS_DIR [benchmark flags]}"
shift
for package in pytorch_grad_cam captum; do
  [ -f "$peers/$package/__init__.py" ] || { echo "bench/peers/run.sh: $peers/$package/__init__.py not found: PEERS_DIR must hold the $package package of its checkout" >&2; exit 2; }
done
bash scripts/install-deps.sh python3-torch python3-torchvision python3-numpy python3-scipy python3-opencv python3-matplotlib python3-sklearn python3-tqdm >&2
dotnet build -c Release bench/AutoTimm.Bench >&2
[ $# -gt 0 ] || set -- --threads 2 --repeats 7
PYTHONPATH="$(cd "$peers" && pwd)" AUTOTIMM_BENCH_PYTHON=/usr/bin/python3 \
  dotnet bench/AutoTimm.Bench/bin/Release/net10.0/AutoTimm.Bench.dll --peers "$@"
