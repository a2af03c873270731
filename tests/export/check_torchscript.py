"""Loads a TorchScript module exported by `darts-host export` in plain PyTorch (no darts, no
plugins), runs it on saved inputs, and compares its outputs with the ones darts computed.

Usage: scripts/torch-python.sh tests/export/check_torchscript.py MODULE.pt INPUTS.npy \
           EXPECTED.npy TOLERANCE

EXPECTED.npy holds the heads' outputs side by side, `[N, sum of head widths]`,
which is what the exported module returns. Prints the largest absolute difference; exits 1
when it exceeds TOLERANCE.
"""

import sys

import numpy as np
import torch


def main():
    module_path, inputs_path, expected_path, tolerance = sys.argv[1:5]
    module = torch.jit.load(module_path)
    module.eval()
    inputs = torch.from_numpy(np.load(inputs_path))
    with torch.no_grad():
        outputs = module(inputs)
    expected = np.load(expected_path)
    if tuple(outputs.shape) != expected.shape:
        print(f"the module returned shape {tuple(outputs.shape)}, darts {expected.shape}")
        sys.exit(1)
    difference = float(np.abs(outputs.numpy() - expected).max())
    print(f"outputs: shape {tuple(outputs.shape)}, max |difference| {difference:.3e}")
    sys.exit(0 if difference <= float(tolerance) else 1)


if __name__ == "__main__":
    main()
