#!/usr/bin/env bash
# Runs python3 with torch 2.13 importable, for the scripts that compare with PyTorch
# (fixture generators, reference benchmarks). Example:
#   scripts/torch-python.sh tests/parity/make_fixtures.py
#
# Python's `import torch` needs the CUDA libraries that the CPU-only cache leaves out, so
# this provisions the full (cuda) variant, 4.7 GB, once per machine.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(env -u LIBTORCH DARTS_TORCH=cuda scripts/libtorch.sh)"
export PYTHONPATH="$DARTS_TORCH_PYTHONPATH${PYTHONPATH:+:$PYTHONPATH}"
exec python3 "$@"
