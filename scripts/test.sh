#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need first (idempotent): Fashion-MNIST for the tests that
# read the real data set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh dataset-fashion-mnist
dotnet test AutoTimm.slnx -c Release --nologo "$@"
