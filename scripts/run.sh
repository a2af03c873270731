#!/usr/bin/env bash
# Runs darts-host with the given arguments after provisioning libtorch and building the
# host and the built-in plugins (release). Example: scripts/run.sh plugins
#
# The build happens in the checkout; darts-host then runs in the folder this script was
# called from, so relative paths (--out, --dataset, --genotype) mean what they say there.
set -euo pipefail
caller="$PWD"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

eval "$(scripts/libtorch.sh)"

cargo build --release --workspace --quiet
cd "$caller"
exec "$root/target/release/darts-host" "$@"
