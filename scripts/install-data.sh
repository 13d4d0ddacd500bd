#!/usr/bin/env bash
# Installs the Fashion-MNIST dataset (Debian package dataset-fashion-mnist) when missing. Safe to run repeatedly.
# Without root it prints the command to run instead. Elsewhere, point --data-dir or AUTOTIMM_DATA_DIR at a directory
# holding the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
# t10k-labels-idx1-ubyte; raw or .gz).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh dataset-fashion-mnist
echo "Fashion-MNIST: /usr/share/datasets/fashion-mnist" >&2
