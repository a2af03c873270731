#!/usr/bin/env bash
# Runs the whole test suite: provisions libtorch, builds every crate and plugin once, then
# runs the tests against the built artefacts. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/libtorch.sh)"

cargo build --release --workspace --all-targets
cargo test --release --workspace "$@"
