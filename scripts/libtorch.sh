#!/usr/bin/env bash
# Provisions the libtorch that tch needs and prints the environment that points the build at it.
#
# Usage: eval "$(scripts/libtorch.sh)"
#
# The pip package `torch==$TORCH_VERSION` is installed once into a cache folder outside the
# checkout, keyed by version and variant, so every clone and every CI run on the machine
# shares it. The install goes to a temporary folder that is renamed into place only when
# complete, so an interrupted install never leaves a half-written cache.
#
# Environment:
#   LIBTORCH          use this existing libtorch (the folder holding include/ and lib/) and
#                     install nothing; it must be version $TORCH_VERSION
#   DARTS_TORCH       `cpu` (default): libtorch without the CUDA libraries, 1.2 GB;
#                     `cuda`: the full install with CUDA 13, 4.7 GB, for GPU machines
#   DARTS_CACHE       cache folder; default ${XDG_CACHE_HOME:-$HOME/.cache}/darts
set -euo pipefail

TORCH_VERSION=2.13.0
CUDA_RUNTIME_VERSION=13.0.96
CUPTI_VERSION=13.0.85

# Python packages that `import torch` needs. Only the full (cuda) variant can be imported
# from Python (the cpu variant lacks the CUDA libraries libtorch.so links); these make the
# cpu variant's Python files complete all the same, at little cost.
PYTHON_DEPS=(filelock typing-extensions sympy networkx jinja2 fsspec numpy)

say() { echo "libtorch.sh: $*" >&2; }

if [[ -n "${LIBTORCH:-}" ]]; then
    if [[ ! -d "$LIBTORCH/lib" || ! -d "$LIBTORCH/include" ]]; then
        say "LIBTORCH=$LIBTORCH has no lib/ and include/ folders; point it at a libtorch"
        say "$TORCH_VERSION install (for pip's torch, the site-packages/torch folder)"
        exit 2
    fi
    echo "export LIBTORCH='$LIBTORCH'"
    exit 0
fi

variant="${DARTS_TORCH:-cpu}"
case "$variant" in
    cpu | cuda) ;;
    *)
        say "DARTS_TORCH=$variant is not a variant; use cpu or cuda"
        exit 2
        ;;
esac

cache="${DARTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/darts}"
dest="$cache/torch-$TORCH_VERSION-$variant"
mkdir -p "$cache"

# One installer at a time: a second clone waits here, then finds the finished cache.
exec 9>"$cache/.lock-torch-$TORCH_VERSION-$variant"
flock 9

if [[ ! -f "$dest/.complete" ]]; then
    say "installing torch $TORCH_VERSION ($variant) into $dest (once per machine)"
    tmp="$(mktemp -d "$cache/.install.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    if [[ "$variant" == cpu ]]; then
        python3 -m pip install --quiet --disable-pip-version-check --no-deps \
            --target "$tmp/site" "torch==$TORCH_VERSION" \
            "nvidia-cuda-runtime==$CUDA_RUNTIME_VERSION" "nvidia-cuda-cupti==$CUPTI_VERSION" >&2
        python3 -m pip install --quiet --disable-pip-version-check \
            --target "$tmp/site" "${PYTHON_DEPS[@]}" >&2
    else
        python3 -m pip install --quiet --disable-pip-version-check \
            --target "$tmp/site" "torch==$TORCH_VERSION" numpy >&2
    fi
    touch "$tmp/.complete"
    rm -rf "$dest"
    mv "$tmp" "$dest"
    trap - EXIT
fi

echo "export LIBTORCH='$dest/site/torch'"
echo "export DARTS_TORCH_PYTHONPATH='$dest/site'"
