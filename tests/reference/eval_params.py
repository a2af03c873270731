"""Counts the parameters of the DARTS evaluation network for the published genotypes, built
as the authors' reference code builds it (`cnn/model.py`, NetworkCIFAR), for
tests/describe.rs.

Run from the repository root:

    scripts/torch-python.sh tests/reference/eval_params.py

It writes tests/reference/eval_params.json. The operations are the reference modules of
tests/parity/make_fixtures.py with affine BatchNorm; the network around them follows the
reference code: a 3x3 convolution stem of 3 x C channels, cells holding only the
genotype's edges (ReLU-conv-BN or factorized-reduce preprocessing), reduction cells at 1/3
and 2/3 of the depth, the auxiliary head after the cell at 2/3, global pooling and a linear
classifier. The reference code reports its size without the auxiliary head; both counts
are written.
"""

import json
import os
import sys

import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "parity"))
from make_fixtures import CONV2D_OPS, FactorizedReduce, ReLUConvBN  # noqa: E402

# The published genotypes, as the authors' genotypes.py prints them.
DARTS_V1 = dict(
    normal=[("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("skip_connect", 0), ("sep_conv_3x3", 1),
            ("skip_connect", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("skip_connect", 2)],
    normal_concat=[2, 3, 4, 5],
    reduce=[("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 0),
            ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("avg_pool_3x3", 0)],
    reduce_concat=[2, 3, 4, 5],
)
DARTS_V2 = dict(
    normal=[("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
            ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2)],
    normal_concat=[2, 3, 4, 5],
    reduce=[("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
            ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1)],
    reduce_concat=[2, 3, 4, 5],
)


class Cell(nn.Module):
    def __init__(self, genotype, c_prev_prev, c_prev, c, reduction, reduction_prev):
        super().__init__()
        if reduction_prev:
            self.preprocess0 = FactorizedReduce(2, c_prev_prev, c, True)
        else:
            self.preprocess0 = ReLUConvBN(2, c_prev_prev, c, 1, 1, 0, True)
        self.preprocess1 = ReLUConvBN(2, c_prev, c, 1, 1, 0, True)
        edges = genotype["reduce"] if reduction else genotype["normal"]
        concat = genotype["reduce_concat"] if reduction else genotype["normal_concat"]
        self.multiplier = len(concat)
        ops = []
        for name, index in edges:
            stride = 2 if reduction and index < 2 else 1
            ops.append(CONV2D_OPS[name](c, stride, True))
        self.ops = nn.ModuleList(ops)


class AuxiliaryHeadCIFAR(nn.Module):
    def __init__(self, c, classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.ReLU(inplace=True),
            nn.AvgPool2d(5, stride=3, padding=0, count_include_pad=False),
            nn.Conv2d(c, 128, 1, bias=False),
            nn.BatchNorm2d(128),
            nn.ReLU(inplace=True),
            nn.Conv2d(128, 768, 2, bias=False),
            nn.BatchNorm2d(768),
            nn.ReLU(inplace=True),
        )
        self.classifier = nn.Linear(768, classes)


class NetworkCIFAR(nn.Module):
    def __init__(self, c, classes, layers, auxiliary, genotype):
        super().__init__()
        c_curr = 3 * c
        self.stem = nn.Sequential(nn.Conv2d(3, c_curr, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(c_curr))
        c_prev_prev, c_prev, c_curr = c_curr, c_curr, c
        cells = []
        reduction_prev = False
        c_aux = None
        for i in range(layers):
            reduction = i in [layers // 3, 2 * layers // 3]
            if reduction:
                c_curr *= 2
            cell = Cell(genotype, c_prev_prev, c_prev, c_curr, reduction, reduction_prev)
            reduction_prev = reduction
            cells.append(cell)
            c_prev_prev, c_prev = c_prev, cell.multiplier * c_curr
            if i == 2 * layers // 3:
                c_aux = c_prev
        self.cells = nn.ModuleList(cells)
        if auxiliary:
            self.auxiliary_head = AuxiliaryHeadCIFAR(c_aux, classes)
        self.classifier = nn.Linear(c_prev, classes)


def count(module):
    return sum(p.numel() for p in module.parameters())


def main():
    counts = {}
    for name, genotype in [("DARTS_V1", DARTS_V1), ("DARTS_V2", DARTS_V2)]:
        with_aux = count(NetworkCIFAR(36, 10, 20, True, genotype))
        without = count(NetworkCIFAR(36, 10, 20, False, genotype))
        counts[name] = dict(input_shape=[3, 32, 32], classes=10, channels=36, cells=20,
                            parameters=without, parameters_with_auxiliary=with_aux)
        print(f"{name}: {without} parameters, {with_aux} with the auxiliary head")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "eval_params.json")
    with open(path, "w") as f:
        json.dump(counts, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
