#!/usr/bin/env bash
# Runs the whole test suite: provisions libtorch, builds every crate and plugin once, then
# runs the tests against the built artefacts. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/libtorch.sh)"

# tests/report.rs renders a report with headless Chromium: install Debian's package if missing.
if ! command -v chromium >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && apt-get install -y -qq chromium
    elif command -v sudo >/dev/null; then
        sudo apt-get update -qq && sudo apt-get install -y -qq chromium
    else
        echo "scripts/test.sh: chromium is missing and cannot be installed without root;" \
            "install Debian's chromium package for tests/report.rs" >&2
    fi
fi

cargo build --release --workspace --all-targets
cargo test --release --workspace "$@"
