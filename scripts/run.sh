#!/usr/bin/env bash
# Runs darts-host with the given arguments after provisioning libtorch and building the
# host and the built-in plugins (release). Example: scripts/run.sh plugins
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/libtorch.sh)"

cargo build --release --workspace --quiet
exec target/release/darts-host "$@"
