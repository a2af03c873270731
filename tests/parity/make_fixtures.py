"""Writes the PyTorch reference fixtures that tests/parity.rs compares the plugins against.

Run from the repository root:

    scripts/torch-python.sh tests/parity/make_fixtures.py

Any Python with torch 2.13 and numpy will do. scripts/torch-python.sh runs the torch that
`DARTS_TORCH=cuda scripts/libtorch.sh` installs; the default cpu variant leaves out the CUDA
libraries that `import torch` loads, so it serves the Rust build only. The script writes one
`.npz` per plugin into tests/parity/fixtures/: conv2d.npz, conv1d.npz and linear.npz. The
files depend only on the torch version, byte for byte: every case seeds its generators from
its own name, and the archives carry no timestamps.

The reference modules below are written from the DARTS reference code (Liu et al. 2019,
`cnn/operations.py`): ReLU-conv-BN sequences, SepConv as two depthwise + pointwise + BN
stages, DilConv, FactorizedReduce, Zero as `x * 0` of a strided slice, pools with padding 1
and `count_include_pad=False`. The same modules serve 1-D (conv1d) and 2-D (conv2d). The
linear modules follow the doc comments of plugins/linear/src/lib.rs. Attribute names are
chosen so that every state_dict key equals the variable name the Rust plugin creates.

Key scheme (arrays are float32 unless said otherwise)
-----------------------------------------------------

Shared by every case of a plugin:

    input                       the input: [2, 6, 8, 8], [2, 6, 16] or [4, 6]
    upstream/s<stride>          the fixed random tensor the output at that stride is
                                multiplied with; the loss is (output_train * upstream).sum()
    train_seed                  int64 scalar: torch.manual_seed(train_seed) is called right
                                before every train-mode forward (see Dropout below)

One parity case is one primitive at one stride with one BatchNorm setting:

    <case> = <primitive>/s<stride>/<affine|plain>       e.g. sep_conv_3x3/s2/affine

`affine` builds BatchNorm with a learned scale and shift, `plain` without (affine=False,
as the search supernet does). Every primitive has an `affine` case at stride 1 and, where
the plugin supports it, at stride 2. A primitive with BatchNorm also has one `plain` case,
at the lowest stride where it has BatchNorm (the switch changes nothing else).

    <case>/param/<name>         each parameter, as loaded before the forward
    <case>/buffer/<name>        each buffer (BatchNorm running stats) before the forward;
                                PyTorch's num_batches_tracked is left out
    <case>/output_train         the train-mode output
    <case>/grad_input           d loss / d input
    <case>/grad/<name>          d loss / d parameter, for each parameter
    <case>/buffer_after/<name>  each buffer after the train-mode forward
    <case>/output_eval          the eval-mode output, computed after the train-mode
                                forward (so with the updated running stats)

Parameter counts, for every primitive and stride, at a few channel counts:

    count_channels              int64 [n]: the channel counts, [6, 16, 36]
    counts/<primitive>/s<stride>
                                int64 [2, n]: the reference module's number of parameters,
                                row 0 with affine BatchNorm, row 1 without, column j at
                                count_channels[j] channels

BatchNorm weights, biases and running stats are drawn at random rather than left at their
initial 1, 0, 0, 1, so that a mix-up between them changes the numbers.

Dropout (linear_drop): both sides run `at::dropout` of the same libtorch version on the
CPU, which draws its mask from the default CPU generator. Seeding that generator with
`train_seed` immediately before the train-mode forward on both sides gives both the same
mask, so linear_drop is compared in train mode like every other primitive. Should a new
libtorch draw masks differently, the train-mode comparison of linear_drop fails (its eval
mode, without dropout, still matches) and the fixtures must be regenerated with it.
"""

import io
import os
import zipfile
import zlib

import numpy as np
import torch
from torch import nn

CHANNELS = 6
INPUT_SHAPES = {
    "conv2d": [2, CHANNELS, 8, 8],
    "conv1d": [2, CHANNELS, 16],
    "linear": [4, CHANNELS],
}
COUNT_CHANNELS = [6, 16, 36]
TRAIN_SEED = 20190423
LINEAR_DROPOUT = 0.2

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


# ---------------------------------------------------------------------------------------
# Reference modules, for `dims` spatial axes (1 or 2).
# ---------------------------------------------------------------------------------------


def conv_nd(dims):
    return {1: nn.Conv1d, 2: nn.Conv2d}[dims]


def bn_nd(dims):
    return {1: nn.BatchNorm1d, 2: nn.BatchNorm2d}[dims]


class Zero(nn.Module):
    """The absent edge: zero, keeping every `stride`-th position of each spatial axis."""

    def __init__(self, dims, stride):
        super().__init__()
        self.dims = dims
        self.stride = stride

    def forward(self, x):
        if self.stride == 1:
            return x.mul(0.0)
        index = (slice(None), slice(None)) + (slice(None, None, self.stride),) * self.dims
        return x[index].mul(0.0)


class Identity(nn.Module):
    def forward(self, x):
        return x


class ReLUConvBN(nn.Module):
    def __init__(self, dims, c_in, c_out, kernel, stride, padding, affine):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            conv_nd(dims)(c_in, c_out, kernel, stride=stride, padding=padding, bias=False),
            bn_nd(dims)(c_out, affine=affine),
        )

    def forward(self, x):
        return self.op(x)


class DilConv(nn.Module):
    def __init__(self, dims, c_in, c_out, kernel, stride, padding, dilation, affine):
        super().__init__()
        conv = conv_nd(dims)
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            conv(c_in, c_in, kernel, stride=stride, padding=padding, dilation=dilation,
                 groups=c_in, bias=False),
            conv(c_in, c_out, 1, padding=0, bias=False),
            bn_nd(dims)(c_out, affine=affine),
        )

    def forward(self, x):
        return self.op(x)


class SepConv(nn.Module):
    def __init__(self, dims, c_in, c_out, kernel, stride, padding, affine):
        super().__init__()
        conv = conv_nd(dims)
        bn = bn_nd(dims)
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            conv(c_in, c_in, kernel, stride=stride, padding=padding, groups=c_in, bias=False),
            conv(c_in, c_in, 1, padding=0, bias=False),
            bn(c_in, affine=affine),
            nn.ReLU(inplace=False),
            conv(c_in, c_in, kernel, stride=1, padding=padding, groups=c_in, bias=False),
            conv(c_in, c_out, 1, padding=0, bias=False),
            bn(c_out, affine=affine),
        )

    def forward(self, x):
        return self.op(x)


class FactorizedReduce(nn.Module):
    def __init__(self, dims, c_in, c_out, affine):
        super().__init__()
        assert c_out % 2 == 0
        self.dims = dims
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = conv_nd(dims)(c_in, c_out // 2, 1, stride=2, padding=0, bias=False)
        self.conv_2 = conv_nd(dims)(c_in, c_out // 2, 1, stride=2, padding=0, bias=False)
        self.bn = bn_nd(dims)(c_out, affine=affine)

    def forward(self, x):
        x = self.relu(x)
        shifted = x[(slice(None), slice(None)) + (slice(1, None),) * self.dims]
        out = torch.cat([self.conv_1(x), self.conv_2(shifted)], dim=1)
        return self.bn(out)


class Conv7x1x1x7(nn.Module):
    """The reference's `conv_7x1_1x7`. The reference returns the bare nn.Sequential (keys
    `1.weight`, ...); it is wrapped in `op` here to match the plugin's `op.1.weight`."""

    def __init__(self, c, stride, affine):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(c, c, (1, 7), stride=(1, stride), padding=(0, 3), bias=False),
            nn.Conv2d(c, c, (7, 1), stride=(stride, 1), padding=(3, 0), bias=False),
            nn.BatchNorm2d(c, affine=affine),
        )

    def forward(self, x):
        return self.op(x)


def pool(dims, kind, stride):
    if kind == "max":
        return {1: nn.MaxPool1d, 2: nn.MaxPool2d}[dims](3, stride=stride, padding=1)
    avg = {1: nn.AvgPool1d, 2: nn.AvgPool2d}[dims]
    return avg(3, stride=stride, padding=1, count_include_pad=False)


def skip_connect(dims, c, stride, affine):
    return Identity() if stride == 1 else FactorizedReduce(dims, c, c, affine)


def conv_ops(dims, suffix):
    """The vision primitives for `dims` axes; `suffix(k)` names a kernel size k."""
    return {
        "none": lambda c, s, a: Zero(dims, s),
        "max_pool_" + suffix(3): lambda c, s, a: pool(dims, "max", s),
        "avg_pool_" + suffix(3): lambda c, s, a: pool(dims, "avg", s),
        "skip_connect": lambda c, s, a: skip_connect(dims, c, s, a),
        "sep_conv_" + suffix(3): lambda c, s, a: SepConv(dims, c, c, 3, s, 1, a),
        "sep_conv_" + suffix(5): lambda c, s, a: SepConv(dims, c, c, 5, s, 2, a),
        "sep_conv_" + suffix(7): lambda c, s, a: SepConv(dims, c, c, 7, s, 3, a),
        "dil_conv_" + suffix(3): lambda c, s, a: DilConv(dims, c, c, 3, s, 2, 2, a),
        "dil_conv_" + suffix(5): lambda c, s, a: DilConv(dims, c, c, 5, s, 4, 2, a),
    }


CONV2D_OPS = conv_ops(2, lambda k: f"{k}x{k}")
CONV2D_OPS["conv_7x1_1x7"] = lambda c, s, a: Conv7x1x1x7(c, s, a)

# CANDLE's P3B5 names: a single width instead of k x k, and a dense ReLU-conv-BN block.
CONV1D_OPS = conv_ops(1, str)
CONV1D_OPS["convblock_7"] = lambda c, s, a: ReLUConvBN(1, c, c, 7, s, 3, a)


# The linear primitives, as the doc comments of plugins/linear/src/lib.rs define them.


class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class Sequenced(nn.Module):
    """A sequence held as `op`, so its keys read `op.<index>.<name>`."""

    def __init__(self, *layers):
        super().__init__()
        self.op = nn.Sequential(*layers)

    def forward(self, x):
        return self.op(x)


LINEAR_OPS = {
    "none": lambda c, s, a: Lambda(lambda x: x.mul(0.0)),
    "skip_connect": lambda c, s, a: Identity(),
    "linear_block": lambda c, s, a: Sequenced(
        nn.ReLU(), nn.Linear(c, 2 * c), nn.Linear(2 * c, c)
    ),
    "linear_drop": lambda c, s, a: Sequenced(
        nn.ReLU(), nn.Linear(c, 2 * c), nn.Dropout(LINEAR_DROPOUT), nn.Linear(2 * c, c)
    ),
    "encoder": lambda c, s, a: Sequenced(
        nn.ReLU(), nn.Linear(c, max(c // 2, 1)), nn.Linear(max(c // 2, 1), c)
    ),
}

# Plugin name -> (primitives, strides the plugin supports).
PLUGINS = {
    "conv2d": (CONV2D_OPS, [1, 2]),
    "conv1d": (CONV1D_OPS, [1, 2]),
    "linear": (LINEAR_OPS, [1]),
}


# ---------------------------------------------------------------------------------------
# Fixture generation.
# ---------------------------------------------------------------------------------------


def case_seed(case):
    """A seed that depends only on the case's name, so cases do not shift each other."""
    return zlib.crc32(case.encode()) & 0x7FFFFFFF


def buffers(module):
    """Named buffers without num_batches_tracked, which the plugins do not keep."""
    return {
        name: value
        for name, value in module.named_buffers()
        if not name.endswith("num_batches_tracked")
    }


def randomise_batch_norm(module, generator):
    """Draws BatchNorm scale, shift and running stats so that each of them matters."""
    for layer in module.modules():
        if isinstance(layer, nn.modules.batchnorm._BatchNorm):
            c = layer.num_features
            with torch.no_grad():
                if layer.affine:
                    layer.weight.copy_(torch.rand(c, generator=generator) + 0.5)
                    layer.bias.copy_(torch.randn(c, generator=generator) * 0.5)
                layer.running_mean.copy_(torch.randn(c, generator=generator) * 0.5)
                layer.running_var.copy_(torch.rand(c, generator=generator) + 0.5)


def parameter_count(module):
    return sum(p.numel() for p in module.parameters())


def numpy32(tensor):
    return tensor.detach().to(torch.float32).numpy().copy()


def run_case(make, case, stride, affine, x, upstream, out):
    """Runs one parity case on input `x` and adds its arrays to `out`. `upstream` maps a
    stride to its upstream tensor. Returns whether the module has buffers (BatchNorm running
    stats)."""

    # The module's own initialisation draws from the global generator.
    seed = case_seed(case)
    torch.manual_seed(seed)
    module = make(CHANNELS, stride, affine)
    randomise_batch_norm(module, torch.Generator().manual_seed(seed))

    for name, value in module.named_parameters():
        out[f"{case}/param/{name}"] = numpy32(value)
    for name, value in buffers(module).items():
        out[f"{case}/buffer/{name}"] = numpy32(value)

    # Train mode: forward, then the gradient of (output * upstream).sum().
    module.train()
    x_grad = x.clone().requires_grad_(True)
    torch.manual_seed(TRAIN_SEED)
    output = module(x_grad)
    (output * upstream[stride]).sum().backward()

    out[f"{case}/output_train"] = numpy32(output)
    out[f"{case}/grad_input"] = numpy32(x_grad.grad)
    for name, value in module.named_parameters():
        grad = value.grad if value.grad is not None else torch.zeros_like(value)
        out[f"{case}/grad/{name}"] = numpy32(grad)
    for name, value in buffers(module).items():
        out[f"{case}/buffer_after/{name}"] = numpy32(value)

    # Eval mode, with the running stats the train-mode forward left.
    module.eval()
    with torch.no_grad():
        out[f"{case}/output_eval"] = numpy32(module(x))

    return bool(buffers(module))


def output_shape(input_shape, stride):
    """The shape a primitive returns: the input's, each spatial axis divided by `stride`
    (rounding up)."""
    return input_shape[:2] + [-(-size // stride) for size in input_shape[2:]]


def save_npz(path, arrays):
    """Writes `arrays` as a compressed `.npz`, as np.savez_compressed does, but sorted and
    with a fixed timestamp, so that regenerating unchanged fixtures changes no byte."""
    with zipfile.ZipFile(path, "w") as archive:
        for key, value in sorted(arrays.items()):
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            data = io.BytesIO()
            np.lib.format.write_array(data, np.ascontiguousarray(value), allow_pickle=False)
            archive.writestr(info, data.getvalue())


def make_plugin(plugin):
    ops, strides = PLUGINS[plugin]
    input_shape = INPUT_SHAPES[plugin]
    generator = torch.Generator().manual_seed(case_seed(plugin))
    x = torch.randn(input_shape, generator=generator)
    out = {
        "input": numpy32(x),
        "train_seed": np.array(TRAIN_SEED, dtype=np.int64),
        "count_channels": np.array(COUNT_CHANNELS, dtype=np.int64),
    }
    upstream = {}
    for stride in strides:
        upstream[stride] = torch.randn(output_shape(input_shape, stride), generator=generator)
        out[f"upstream/s{stride}"] = numpy32(upstream[stride])

    cases = 0
    for name, make in ops.items():
        plain_done = False
        for stride in strides:
            case = f"{name}/s{stride}"
            has_batch_norm = run_case(make, f"{case}/affine", stride, True, x, upstream, out)
            cases += 1
            if has_batch_norm and not plain_done:
                run_case(make, f"{case}/plain", stride, False, x, upstream, out)
                plain_done = True
                cases += 1
            out[f"counts/{case}"] = np.array(
                [[parameter_count(make(c, stride, affine)) for c in COUNT_CHANNELS]
                 for affine in (True, False)],
                dtype=np.int64,
            )

    path = os.path.join(OUT_DIR, f"{plugin}.npz")
    save_npz(path, out)
    print(f"{path}: {cases} cases, {len(out)} arrays, {os.path.getsize(path)} bytes")


def main():
    # One thread fixes the summation order, so the files do not depend on the machine.
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    for plugin in PLUGINS:
        make_plugin(plugin)


if __name__ == "__main__":
    main()
