#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need first (idempotent): Fashion-MNIST for the tests that
# read the real data set, and Chromium for the browser tests of the interactive report (Playwright drives Debian's
# browser; it downloads none of its own).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh dataset-fashion-mnist chromium
dotnet test AutoTimm.slnx -c Release --nologo "$@"
