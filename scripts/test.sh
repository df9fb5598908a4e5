#!/usr/bin/env bash
# Runs the whole test suite, in parallel on every core, with the project's virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/pytest ] || scripts/install.sh
exec .venv/bin/python -m pytest -n auto --dist loadgroup "$@"
