#!/usr/bin/env bash
# Runs the benchmarks, which print figures and assert nothing: provisions libtorch, builds
# the workspace (release) so the plugin libraries exist, then runs `cargo bench`.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/libtorch.sh)"

cargo build --release --workspace
cargo bench --bench "${1:-boundary}" "${@:2}"
