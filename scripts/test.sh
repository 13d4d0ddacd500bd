#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need first (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
dotnet test AutoTimm.slnx -c Release --nologo "$@"
