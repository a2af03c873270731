"""Times one DARTS search step in PyTorch, on the same supernet and with the same step as
the Rust search, so that a Rust benchmark can set its figures beside PyTorch's.

Run from the repository root:

    scripts/torch-python.sh benches/reference/search_step.py [--order first|second] ...

It prints one JSON line on stdout: the settings (`config`), `weight_parameters`,
`median_seconds` and `min_seconds` per step over the timed steps, and memory in MiB:
`rss_after_build_mb` (resident set once the model, optimizers and batches exist),
`peak_rss_after_warmup_mb` and `peak_rss_mb` (peak resident set after the warm-up and after
the timed steps), and `step_growth_mb`, the peak after the steps minus the resident set
after the build: what the steps themselves add. benches/search_step.rs reads these keys.

What it mirrors, and why each choice is made as it is:

- The supernet is host/src/supernet for the image layout, built from the reference
  primitives of tests/parity/make_fixtures.py, which tests/parity.rs holds equal to the
  conv2d plugin's (search-style, BatchNorm without affine parameters). Around them: a 3x3
  convolution stem with an affine BatchNorm; per cell, preprocess0 a factorized reduce after
  a reduction cell and ReLU-conv1x1-BN otherwise, preprocess1 ReLU-conv1x1-BN; reduction
  cells at cells // 3 and 2 * cells // 3, with twice the channels and stride 2 on the edges
  from the two cell inputs; node j the sum of mixed ops over every earlier state; the cell
  output the concatenation of the last `multiplier` nodes; a mean over height and width; one
  linear head. Its weight parameter count equals what `darts-host describe` reports for the
  same settings (393778 for the defaults here).
- A mixed op skips `none` in forward, as mixed_op.rs does: its term is zero, so running it
  would only add work that the Rust side does not do. Pooling primitives are followed by a
  non-affine BatchNorm, as in the authors' code.
- The alphas are two plain tensors `[edges, primitives]` outside the module, drawn as
  1e-3 * randn, so that no weight optimizer or clipping reaches them, as in network.rs.
- One step is one batch of host/src/search/run.rs: the architecture step (architect.rs)
  with the BatchNorm running statistics saved before and restored after it, an Adam step on
  the alphas, then the weight step: zero the gradients (in place, as tch does, rather than
  setting them to None), training loss forward and backward, gradient clipping to norm 5,
  an SGD step. The weight step runs the network with the alphas detached, as the Rust
  weight step does (Supernet::forward_fixed_alphas), so its backward computes no alpha
  gradient.
- The second-order gradient follows architect.rs term for term: a virtual SGD step with the
  optimizer's momentum buffers, the validation gradients at w', the finite-difference
  Hessian-vector product with eps = 0.01 / ||v||, and the weights put back.

The inputs and labels are fixed random batches drawn once from `--seed`; the weights and
alphas are drawn from the same seed, so two runs do the same arithmetic. Timings are wall
clock around whole steps after `--warmup` untimed ones.
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "parity")
)
from make_fixtures import CONV2D_OPS, FactorizedReduce, ReLUConvBN  # noqa: E402

# The paper's search space, in the alpha column order of the Rust search (sorted by name,
# as the conv2d plugin lists its primitives).
PRIMITIVES = [
    "avg_pool_3x3",
    "dil_conv_3x3",
    "dil_conv_5x5",
    "max_pool_3x3",
    "none",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "skip_connect",
]

# Optimisation settings: the defaults of host/src/search/config.rs, with the weight
# learning rate of the first epoch.
LR = 0.025
MOMENTUM = 0.9
WEIGHT_DECAY = 3e-4
ARCH_LR = 3e-4
ARCH_BETAS = (0.5, 0.999)
ARCH_WEIGHT_DECAY = 1e-3
GRAD_CLIP = 5.0
# The finite-difference scale of the second-order gradient, architect.rs FD_SCALE.
FD_SCALE = 0.01


class MixedOp(nn.Module):
    """Every primitive on one edge; forward is sum_k weights[k] * op_k(x) over the
    primitives other than `none`."""

    def __init__(self, primitives, c, stride):
        super().__init__()
        ops = []
        for name in primitives:
            op = CONV2D_OPS[name](c, stride, False)
            if "pool" in name:
                op = nn.Sequential(op, nn.BatchNorm2d(c, affine=False))
            ops.append(op)
        self.ops = nn.ModuleList(ops)
        self.active = [k for k, name in enumerate(primitives) if name != "none"]

    def forward(self, x, weights):
        total = None
        for k in self.active:
            term = self.ops[k](x) * weights[k]
            total = term if total is None else total + term
        return total


class Cell(nn.Module):
    """A search cell: two preprocessed inputs, `nodes` nodes, the last `multiplier` nodes
    concatenated. `weights` is softmax(alpha) of the cell's kind, `[edges, primitives]`."""

    def __init__(self, primitives, nodes, multiplier, c_prev_prev, c_prev, c, reduction,
                 reduction_prev):
        super().__init__()
        if reduction_prev:
            self.preprocess0 = FactorizedReduce(2, c_prev_prev, c, False)
        else:
            self.preprocess0 = ReLUConvBN(2, c_prev_prev, c, 1, 1, 0, False)
        self.preprocess1 = ReLUConvBN(2, c_prev, c, 1, 1, 0, False)
        edges = []
        for node in range(nodes):
            for state in range(node + 2):
                stride = 2 if reduction and state < 2 else 1
                edges.append(MixedOp(primitives, c, stride))
        self.edges = nn.ModuleList(edges)
        self.nodes = nodes
        self.multiplier = multiplier
        self.reduction = reduction

    def forward(self, s0, s1, weights):
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        edge = 0
        for _ in range(self.nodes):
            node = None
            for state in states:
                out = self.edges[edge](state, weights[edge])
                edge += 1
                node = out if node is None else node + out
            states.append(node)
        return torch.cat(states[-self.multiplier:], dim=1)


class Supernet(nn.Module):
    """The search network; `alphas` (normal, reduce) are plain tensors, not parameters."""

    def __init__(self, args):
        super().__init__()
        c_stem = args.stem_multiplier * args.channels
        self.stem = nn.Sequential(
            nn.Conv2d(args.input_shape[0], c_stem, 3, padding=1, bias=False),
            nn.BatchNorm2d(c_stem),
        )
        c_prev_prev, c_prev, c = c_stem, c_stem, args.channels
        reduction_prev = False
        cells = []
        for index in range(args.cells):
            reduction = index in (args.cells // 3, 2 * args.cells // 3)
            if reduction:
                c *= 2
            cells.append(Cell(args.primitives, args.nodes, args.multiplier, c_prev_prev, c_prev,
                              c, reduction, reduction_prev))
            reduction_prev = reduction
            c_prev_prev, c_prev = c_prev, args.multiplier * c
        self.cells = nn.ModuleList(cells)
        self.head = nn.Linear(c_prev, args.classes)

        edges = sum(node + 2 for node in range(args.nodes))
        shape = (edges, len(args.primitives))
        self.alphas = [(1e-3 * torch.randn(shape)).requires_grad_(True) for _ in range(2)]

    def forward(self, x, fixed_alphas=False):
        alphas = [a.detach() for a in self.alphas] if fixed_alphas else self.alphas
        weights_normal, weights_reduce = (alpha.softmax(-1) for alpha in alphas)
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            weights = weights_reduce if cell.reduction else weights_normal
            s0, s1 = s1, cell(s0, s1, weights)
        return self.head(s1.mean(dim=(2, 3)))


def batch_loss(net, batch, fixed_alphas=False):
    inputs, labels = batch
    return F.cross_entropy(net(inputs, fixed_alphas), labels)


def zero_if_none(grads, like):
    return [torch.zeros_like(t) if g is None else g for g, t in zip(grads, like)]


def first_order(net, valid):
    """d L_val(w, alpha) / d alpha."""
    loss = batch_loss(net, valid)
    return zero_if_none(torch.autograd.grad(loss, net.alphas, allow_unused=True), net.alphas)


def second_order(net, sgd, train, valid):
    """The unrolled alpha gradient of architect.rs second_order(); the weights are left as
    they were."""
    weights = sgd.param_groups[0]["params"]
    xi = LR
    original = [w.detach().clone() for w in weights]

    # The virtual step w' = w - xi * (momentum * b + dL_train/dw + wd * w).
    train_loss = batch_loss(net, train)
    grads = torch.autograd.grad(train_loss, weights, allow_unused=True)
    with torch.no_grad():
        for w, grad, w0 in zip(weights, grads, original):
            direction = w0 * WEIGHT_DECAY
            if grad is not None:
                direction += grad
            buffer = sgd.state.get(w, {}).get("momentum_buffer")
            if buffer is not None:
                direction += buffer * MOMENTUM
            w.copy_(w0 - direction * xi)

    # The validation loss at w': its alpha gradient and v, its weight gradient.
    valid_loss = batch_loss(net, valid)
    grads = torch.autograd.grad(valid_loss, net.alphas + weights, allow_unused=True)
    d_alpha = zero_if_none(grads[:2], net.alphas)
    v = zero_if_none(grads[2:], weights)

    # The finite-difference Hessian-vector product around w.
    with torch.no_grad():
        squares = [g.square().sum(dtype=torch.float64) for g in v]
        norm = torch.stack(squares).sum().sqrt().item()
    eps = FD_SCALE / max(norm, 1e-12)

    def alpha_gradient_at(sign):
        with torch.no_grad():
            for w, w0, g in zip(weights, original, v):
                w.copy_(w0 + g * (sign * eps))
        loss = batch_loss(net, train)
        return zero_if_none(torch.autograd.grad(loss, net.alphas, allow_unused=True),
                            net.alphas)

    plus = alpha_gradient_at(1.0)
    minus = alpha_gradient_at(-1.0)
    with torch.no_grad():
        for w, w0 in zip(weights, original):
            w.copy_(w0)

    return [d - (p - m) / (2.0 * eps) * xi for d, p, m in zip(d_alpha, plus, minus)]


def search_step(net, sgd, adam, running_stats, order, train, valid):
    """One batch of run.rs: the architecture step, then the weight step. Returns the
    training loss."""

    # The architecture step, leaving the BatchNorm running statistics as they were.
    saved = [b.clone() for b in running_stats]
    if order == "first":
        alpha_grads = first_order(net, valid)
    else:
        alpha_grads = second_order(net, sgd, train, valid)
    with torch.no_grad():
        for buffer, value in zip(running_stats, saved):
            buffer.copy_(value)
    for alpha, grad in zip(net.alphas, alpha_grads):
        alpha.grad = grad
    adam.step()

    # The weight step.
    sgd.zero_grad(set_to_none=False)
    loss = batch_loss(net, train, fixed_alphas=True)
    loss.backward()
    nn.utils.clip_grad_norm_(sgd.param_groups[0]["params"], GRAD_CLIP)
    sgd.step()
    return loss.item()


def peak_rss_mb():
    """The process's peak resident set so far, in MiB, as VmHWM in /proc/self/status
    (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / (1 << 10)


def rss_mb():
    """The process's resident set now, in MiB: VmRSS of /proc/self/status, as the Rust
    benchmark reads it; where there is no /proc, the peak so far."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / (1 << 10)
    except OSError:
        pass
    return peak_rss_mb()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--order", choices=["first", "second"], default="first")
    parser.add_argument("--cells", type=int, default=5)
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--nodes", type=int, default=4)
    parser.add_argument("--multiplier", type=int, default=4,
                        help="nodes concatenated into a cell's output (the last ones)")
    parser.add_argument("--stem-multiplier", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--input-shape", default="1,8,8", help="one example's C,H,W")
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--primitives", default=",".join(PRIMITIVES),
                        help="comma-separated, in alpha column order; conv2d: prefix allowed")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args()

    # Every problem at once, as the Rust config check reports them; exit code 2.
    problems = []
    try:
        args.input_shape = [int(s) for s in args.input_shape.strip("()[] ").split(",")]
    except ValueError:
        problems.append(f"--input-shape {args.input_shape!r} is not C,H,W")
        args.input_shape = []
    if len(args.input_shape) != 3 or min(args.input_shape, default=0) < 1:
        problems.append(f"--input-shape must be three positive sizes C,H,W, not "
                        f"{args.input_shape}")
    elif any(size % 4 for size in args.input_shape[1:]):
        problems.append(f"the spatial sizes of --input-shape {args.input_shape} must be "
                        f"multiples of 4 for the two reduction cells")
    args.primitives = [name.strip().removeprefix("conv2d:")
                       for name in args.primitives.split(",")]
    unknown = [name for name in args.primitives if name not in CONV2D_OPS]
    if unknown:
        problems.append(f"unknown primitives {unknown}; known: {sorted(CONV2D_OPS)}")
    if len(set(args.primitives)) != len(args.primitives):
        problems.append(f"a primitive is listed twice in {args.primitives}")
    if all(name == "none" for name in args.primitives):
        problems.append("the search space has no primitive but none")
    for name in ("cells", "nodes", "batch", "classes", "threads", "steps", "stem_multiplier"):
        if getattr(args, name) < 1:
            problems.append(f"--{name.replace('_', '-')} must be at least 1")
    if args.channels < 2 or args.channels % 2:
        problems.append(f"--channels must be even and positive, not {args.channels}")
    if not 1 <= args.multiplier <= args.nodes:
        problems.append(f"--multiplier must be between 1 and --nodes ({args.nodes}), not "
                        f"{args.multiplier}")
    if args.warmup < 0:
        problems.append("--warmup must not be negative")
    if problems:
        parser.error("; ".join(problems))
    return args


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)

    # Fixed batches, drawn once.
    generator = torch.Generator().manual_seed(args.seed)

    def draw_batch():
        inputs = torch.randn([args.batch, *args.input_shape], generator=generator)
        labels = torch.randint(args.classes, (args.batch,), generator=generator)
        return inputs, labels

    train, valid = draw_batch(), draw_batch()

    # The supernet in training mode, its optimizers and the buffers the architecture step
    # restores (running statistics; PyTorch's num_batches_tracked has no Rust counterpart).
    torch.manual_seed(args.seed)
    net = Supernet(args).train()
    weights = list(net.parameters())
    sgd = torch.optim.SGD(weights, lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)
    adam = torch.optim.Adam(net.alphas, lr=ARCH_LR, betas=ARCH_BETAS,
                            weight_decay=ARCH_WEIGHT_DECAY)
    running_stats = [b for name, b in net.named_buffers()
                     if not name.endswith("num_batches_tracked")]
    rss_after_build = rss_mb()

    def step():
        return search_step(net, sgd, adam, running_stats, args.order, train, valid)

    for _ in range(args.warmup):
        step()
    peak_after_warmup = peak_rss_mb()

    seconds = []
    for _ in range(args.steps):
        started = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - started)
    peak_after_steps = peak_rss_mb()

    # Flat keys, read by benches/search_step.rs; MiB throughout.
    report = {
        "benchmark": "search_step",
        "framework": f"pytorch {torch.__version__}",
        "config": {
            "order": args.order,
            "cells": args.cells,
            "channels": args.channels,
            "nodes": args.nodes,
            "multiplier": args.multiplier,
            "stem_multiplier": args.stem_multiplier,
            "batch": args.batch,
            "input_shape": args.input_shape,
            "classes": args.classes,
            "primitives": args.primitives,
            "threads": args.threads,
            "warmup": args.warmup,
            "steps": args.steps,
            "seed": args.seed,
        },
        "weight_parameters": sum(w.numel() for w in weights),
        "median_seconds": round(statistics.median(seconds), 6),
        "min_seconds": round(min(seconds), 6),
        "rss_after_build_mb": round(rss_after_build, 1),
        "peak_rss_after_warmup_mb": round(peak_after_warmup, 1),
        "peak_rss_mb": round(peak_after_steps, 1),
        "step_growth_mb": round(peak_after_steps - rss_after_build, 1),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
