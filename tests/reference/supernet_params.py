"""Counts the weight parameters of the DARTS search network, built as the authors'
reference code builds it (`cnn/model_search.py`), for the settings tests/describe.rs checks.

Run from the repository root:

    scripts/torch-python.sh tests/reference/supernet_params.py

It writes tests/reference/supernet_params.json. The operations are the reference modules of
tests/parity/make_fixtures.py, which the parity test holds equal to the conv2d plugin's; the
network around them (mixed op with a non-affine BatchNorm after pooling, cells with
ReLU-conv-BN or factorized-reduce preprocessing, a 3x3 convolution stem, reduction cells at
1/3 and 2/3 of the depth, one linear classifier) follows the reference code. Alphas are not
parameters of the reference network and are not counted.
"""

import json
import os
import sys

import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "parity"))
from make_fixtures import CONV2D_OPS, FactorizedReduce, ReLUConvBN  # noqa: E402

# The search space of the DARTS paper.
PRIMITIVES = [
    "none",
    "max_pool_3x3",
    "avg_pool_3x3",
    "skip_connect",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "dil_conv_3x3",
    "dil_conv_5x5",
]


class MixedOp(nn.Module):
    def __init__(self, c, stride):
        super().__init__()
        ops = []
        for primitive in PRIMITIVES:
            op = CONV2D_OPS[primitive](c, stride, False)
            if "pool" in primitive:
                op = nn.Sequential(op, nn.BatchNorm2d(c, affine=False))
            ops.append(op)
        self.ops = nn.ModuleList(ops)


class Cell(nn.Module):
    def __init__(self, nodes, c_prev_prev, c_prev, c, reduction, reduction_prev):
        super().__init__()
        if reduction_prev:
            self.preprocess0 = FactorizedReduce(2, c_prev_prev, c, False)
        else:
            self.preprocess0 = ReLUConvBN(2, c_prev_prev, c, 1, 1, 0, False)
        self.preprocess1 = ReLUConvBN(2, c_prev, c, 1, 1, 0, False)
        edges = []
        for node in range(nodes):
            for state in range(2 + node):
                stride = 2 if reduction and state < 2 else 1
                edges.append(MixedOp(c, stride))
        self.edges = nn.ModuleList(edges)


class Network(nn.Module):
    def __init__(self, c_in, c, classes, cells, nodes, multiplier, stem_multiplier):
        super().__init__()
        c_curr = stem_multiplier * c
        self.stem = nn.Sequential(
            nn.Conv2d(c_in, c_curr, 3, padding=1, bias=False), nn.BatchNorm2d(c_curr)
        )
        c_prev_prev, c_prev, c_curr = c_curr, c_curr, c
        reduction_prev = False
        layers = []
        for i in range(cells):
            reduction = i in [cells // 3, 2 * cells // 3]
            if reduction:
                c_curr *= 2
            layers.append(Cell(nodes, c_prev_prev, c_prev, c_curr, reduction, reduction_prev))
            reduction_prev = reduction
            c_prev_prev, c_prev = c_prev, multiplier * c_curr
        self.cells = nn.ModuleList(layers)
        self.classifier = nn.Linear(c_prev, classes)


SETTINGS = {
    # The paper's CIFAR-10 search network.
    "cifar10": dict(input_shape=[3, 32, 32], classes=10, channels=16, cells=8, nodes=4,
                    multiplier=4, stem_multiplier=3),
    # A small one, as for the digits data.
    "digits-small": dict(input_shape=[1, 8, 8], classes=10, channels=8, cells=5, nodes=4,
                         multiplier=4, stem_multiplier=3),
}


def main():
    counts = {}
    for name, s in SETTINGS.items():
        net = Network(s["input_shape"][0], s["channels"], s["classes"], s["cells"], s["nodes"],
                      s["multiplier"], s["stem_multiplier"])
        count = sum(p.numel() for p in net.parameters())
        counts[name] = dict(s, primitives=PRIMITIVES, weight_parameters=count)
        print(f"{name}: {count} weight parameters")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "supernet_params.json")
    with open(path, "w") as f:
        json.dump(counts, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
