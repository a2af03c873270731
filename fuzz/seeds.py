#!/usr/bin/env python3
"""Writes the committed seed corpus of the fuzz targets into fuzz/corpus/<target>/seed-*.

Seeds are small, meaningful inputs for the fuzzer to mutate: valid files of each format
(the published DARTS genotypes, configs as darts-host writes them into run folders, CSV,
NPY and NPZ files as numpy writes them) and a few broken ones. tests/fuzz_corpus.rs feeds
every seed through the targets' calls in the stable test suite. Seeds named seed-crash-*
are inputs that once crashed a target, kept as they were found; this script leaves them be.

Usage: PYTHONPATH="$DARTS_TORCH_PYTHONPATH" python3 fuzz/seeds.py
(the site folder that scripts/libtorch.sh exports holds numpy.)
"""

import io
import json
import zipfile
from pathlib import Path

import numpy as np

CORPUS = Path(__file__).resolve().parent / "corpus"

DARTS_V2 = (
    "DARTS_V2 = Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
    "('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), "
    "('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], "
    "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), "
    "('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), "
    "('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"
)

# The other syntax the text reader accepts: comments, line breaks, double quotes and
# escapes, lists as tuples, range() concats, trailing commas, keywords out of order.
TEXT_VARIANTS = (
    "# a search log line\n"
    "Genotype(\n"
    "    reduce_concat=range(2, 4),\n"
    '    normal=(["conv2d:sep_conv_3x3", 0], ("it\\\'s \\"odd\\"\\t", 1,),\n'
    "            ('skip_connect', 2), ('none', 0),),\n"
    "    normal_concat=range(4),\n"
    "    reduce=[('max_pool_3x3', 0), ('avg_pool_3x3', 1), ('skip_connect', 2), "
    "('max_pool_3x3', 0)],\n"
    ")  # done\n"
)


def edges_json(edges):
    return [{"primitive": name, "input": source} for name, source in edges]


V2_NORMAL = [
    ("conv2d:sep_conv_3x3", 0), ("conv2d:sep_conv_3x3", 1), ("conv2d:sep_conv_3x3", 0),
    ("conv2d:sep_conv_3x3", 1), ("conv2d:sep_conv_3x3", 1), ("conv2d:skip_connect", 0),
    ("conv2d:skip_connect", 0), ("conv2d:dil_conv_3x3", 2),
]
V2_REDUCE = [
    ("conv2d:max_pool_3x3", 0), ("conv2d:max_pool_3x3", 1), ("conv2d:skip_connect", 2),
    ("conv2d:max_pool_3x3", 1), ("conv2d:max_pool_3x3", 0), ("conv2d:skip_connect", 2),
    ("conv2d:skip_connect", 2), ("conv2d:max_pool_3x3", 1),
]

# The genotype.json of a search over the linear plugin, as darts-host wrote it.
LINEAR_JSON = """{
  "normal": {
    "edges": [
      {
        "primitive": "linear:linear_block",
        "input": 1
      },
      {
        "primitive": "linear:linear_drop",
        "input": 0
      },
      {
        "primitive": "linear:linear_block",
        "input": 2
      },
      {
        "primitive": "linear:encoder",
        "input": 1
      }
    ],
    "concat": [
      2,
      3
    ]
  }
}
"""

# The config.toml of a small search and of a small training run, as darts-host wrote them.
SEARCH_CONFIG = """dataset = "t"
targets = ["label"]
classify = ["label"]
primitives = [
    "linear:encoder",
    "linear:linear_block",
    "linear:linear_drop",
    "linear:none",
    "linear:skip_connect",
]
epochs = 1
batch_size = 8
lr = 0.025
lr_min = 0.001
momentum = 0.9
weight_decay = 0.0003
arch_lr = 0.0003
arch_betas = [
    0.5,
    0.999,
]
arch_weight_decay = 0.001
grad_clip = 5.0
cells = 1
channels = 4
nodes = 2
multiplier = 2
stem_multiplier = 3
train_portion = 0.5
test_fraction = 0.2
order = "first"
seed = 2
device = "auto"
threads = 1
task_weights = []
"""

TRAIN_CONFIG = """dataset = "t"
targets = ["label"]
classify = ["label"]
epochs = 1
batch_size = 8
lr = 0.025
lr_min = 0.0
momentum = 0.9
weight_decay = 0.0003
grad_clip = 5.0
cells = 1
channels = 4
stem_multiplier = 3
auxiliary = false
auxiliary_weight = 0.4
drop_path = 0.2
cutout = 0
valid_fraction = 0.1
test_fraction = 0.2
task_weights = []
seed = 2
device = "auto"
threads = 1
"""


def npy(array, version=None):
    """An array as NPY bytes, in the given format version when one is asked for."""
    buffer = io.BytesIO()
    if version is None:
        np.save(buffer, array)
    else:
        np.lib.format.write_array(buffer, array, version=version)
    return buffer.getvalue()


def npz(compressed=False, **arrays):
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def main():
    x = np.arange(12, dtype=np.float32).reshape(4, 3) / 4
    labels = np.array([0, 1, 2, 1], dtype=np.int64)
    seeds = {
        "genotype_text": {
            "darts-v2.txt": DARTS_V2,
            "normal-only.txt": "Genotype(normal=[('linear_block', 0), ('encoder', 1)], "
            "normal_concat=[2])",
            "variants.txt": TEXT_VARIANTS,
            "broken-unclosed-quote.txt": "Genotype(normal=[('sep_conv_3x3, 0)], "
            "normal_concat=[2])",
            "broken-range-too-far.txt": "Genotype(normal=[('a', 0), ('b', 1)], "
            "normal_concat=range(2, 9))",
        },
        "genotype_json": {
            "darts-v2.json": json.dumps(
                {
                    "normal": {"edges": edges_json(V2_NORMAL), "concat": [2, 3, 4, 5]},
                    "reduce": {"edges": edges_json(V2_REDUCE), "concat": [2, 3, 4, 5]},
                },
                indent=2,
            ),
            "linear.json": LINEAR_JSON,
            "reduce-null.json": '{"normal": {"edges": [{"primitive": "a", "input": 0}, '
            '{"primitive": "b", "input": 1}], "concat": [2]}, "reduce": null}',
            "broken-unknown-key.json": '{"normal": {"edges": [], "concat": []}, '
            '"reduction": null}',
            "broken-bad-input.json": '{"normal": {"edges": [{"primitive": "a", "input": 7}, '
            '{"primitive": "b", "input": 1}], "concat": [2, 3]}}',
        },
        "config": {
            "search.toml": SEARCH_CONFIG,
            "train.toml": TRAIN_CONFIG,
            "search-short.toml": 'dataset = "digits"\nepochs = 5\ncells = 5\nchannels = 8\n'
            'order = "second"\ndevice = "cpu"\ntask_weights = [1.0, 0.5]\n',
            "train-image.toml": 'dataset = "data.npz"\nauxiliary = true\ncutout = 16\n'
            "drop_path = 0.3\nlr = 2.5e-2\n",
            "broken-unknown-key.toml": "epochs = 1\nlearning_rate = 0.1\n",
            "broken-invalid-values.toml": "epochs = 0\nlr = -1.0\nmomentum = 1.5\n"
            "nodes = 2\nmultiplier = 3\narch_betas = [nan, inf]\ntrain_portion = 1.0\n",
        },
        "csv": {
            # Control bytes first (see tests/support/fuzz_inputs.rs): `A` = the last column.
            "labels.csv": "AAx1,x2,label\n0.5,1.0,cat\n1.5,-2.0,dog\n2.5,3e2,cat\n",
            "integer-labels.csv": "AAa,b,c\n1,2,0\n3,4,2.0\n5,6,1\n",
            "regression.csv": "A@a,b,y\n1,2,0.25\n3,4,-1e-3\n5,6,7\n",
            "two-tasks.csv": "CBa,size,kind\n1,2.5,x\n2,3.5,y\n3,4.5,x\n",
            "bom-spaces-blank-lines.csv": "AA\ufeff a , b ,  y \n\n 1 , 2 , 0 \n\n3,4,1\n",
            "quoted.csv": 'AAa,"note, quoted",y\n1,"2",0\n"3","4","1"\n',
            "broken-ragged.csv": "AAa,b,y\n1,2,0\n3,4\n",
            "broken-not-numeric.csv": "A@a,b,y\n1,x,0\n3,4,1e39\n",
            # 0xc1: also a missing target column and a class-label column that is no target.
            "broken-options.csv": b"\xc1\xc1a,b,y\n1,2,0\n",
        },
        "npy": {
            "float32-flat.npy": npy(x),
            "float64-sequence.npy": npy(np.linspace(-1, 1, 24).reshape(2, 3, 4)),
            "uint8-image.npy": npy(np.arange(32, dtype=np.uint8).reshape(2, 1, 4, 4)),
            "fortran-int16.npy": npy(
                np.asfortranarray(np.arange(6, dtype=np.int16).reshape(2, 3))
            ),
            "bool-version2.npy": npy(np.array([[True, False], [False, True]]), version=(2, 0)),
            "broken-rank1.npy": npy(labels),
            "broken-truncated.npy": npy(x)[:-5],
            "broken-nan.npy": npy(np.array([[1.0, np.nan]], dtype=np.float32)),
        },
        "npz": {
            "classification.npz": npz(x=x, y=labels),
            "compressed-tasks.npz": npz(
                compressed=True,
                x=np.arange(16, dtype=np.uint8).reshape(2, 2, 2, 2),
                y_kind=np.array([[1], [0]], dtype=np.int32),
                y_size=np.array([0.5, -1.5], dtype=np.float64),
                extra=np.zeros(3),
            ),
            "sequence-regression.npz": npz(
                x=np.ones((3, 2, 5), dtype=np.float64), y=np.array([1.0, 2.0, 3.0], np.float32)
            ),
            "broken-no-targets.npz": npz(x=x),
            "broken-length-mismatch.npz": npz(x=x, y=labels[:3]),
            "broken-truncated.npz": npz(x=x, y=labels)[:-40],
            # NPY files one after another, which the target stores as the arrays x, y,
            # y_second, ... of an archive it makes (see tests/support/fuzz_inputs.rs).
            "parts-flat-two-tasks.bin": npy(x) + npy(labels) + npy(np.linspace(0, 1, 4)),
            "parts-image-bad-label.bin": npy(np.zeros((2, 1, 3, 3), np.uint8))
            + npy(np.array([[1], [-1]], np.int8)),
        },
    }
    # A zip whose entry is not an NPY file at all.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x.npy", b"not an array")
        archive.writestr("y.npy", npy(labels))
    seeds["npz"]["broken-not-npy.npz"] = buffer.getvalue()

    for target, files in seeds.items():
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            (folder / f"seed-{name}").write_bytes(data)


if __name__ == "__main__":
    main()
