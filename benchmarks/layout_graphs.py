"""Graphs for the layout and quality families: chains, fans, residual blocks, RNNs, random DAGs."""

from __future__ import annotations

import random

import calcgraph as cg

CYCLE = ("tanh", "exp", "relu")


def chain(nodes: int) -> cg.Graph:
    """x → op → v → op → ... → Σ: about `nodes` nodes in one line."""
    g = cg.Graph(f"chain{nodes}")
    v = g.input("x", (3,)).name
    for i in range(max(1, (nodes - 3) // 2)):
        v = g.apply(CYCLE[i % len(CYCLE)], v, out=f"v{i}").name
    g.apply("sum", v, out="J")
    g.set_objective("J")
    return g


def fan_out(k: int) -> cg.Graph:
    """One input read by k operators; their outputs meet in one l2 (2k + 3 nodes)."""
    g = cg.Graph(f"fan_out{k}")
    g.input("x", (3,))
    outs = [g.apply(CYCLE[i % 2], "x", out=f"t{i}").name for i in range(k)]
    g.constant("lam", 0.1)
    g.apply("l2", *outs, "lam", out="J")
    g.set_objective("J")
    return g


def fan_in(k: int) -> cg.Graph:
    """k inputs added one after another into a sum."""
    g = cg.Graph(f"fan_in{k}")
    total = g.input("x0", (3,)).name
    for i in range(1, k):
        g.input(f"x{i}", (3,))
        total = g.apply("add", total, f"x{i}", out=f"a{i}").name
    g.apply("sum", total, out="J")
    g.set_objective("J")
    return g


def residual(blocks: int) -> cg.Graph:
    """h ← h + W₂ relu(W₁ h), `blocks` times, then a loss: skips over every block."""
    g = cg.Graph(f"residual{blocks}")
    h = g.input("x", (4,)).name
    for b in range(1, blocks + 1):
        g.param(f"W{b}a", (4, 4), label=f"W^({b}a)")
        g.param(f"W{b}b", (4, 4), label=f"W^({b}b)")
        g.apply("matmul", f"W{b}a", h, out=f"u{b}")
        g.apply("relu", f"u{b}", out=f"r{b}", symbol="ϕ")
        g.apply("matmul", f"W{b}b", f"r{b}", out=f"f{b}")
        h = g.apply("add", h, f"f{b}", out=f"h{b}").name
    g.label_input("y", (4,))
    g.apply("squared_loss", h, "y", out="J")
    g.set_objective("J")
    return g


def recurrent(steps: int, bias: bool = True) -> cg.Graph:
    """h_t = tanh(W_x x_t + W_h h_(t-1) + b), o_t = W_q h_t, losses summed over the steps."""
    g = cg.Graph(f"rnn{steps}" + ("" if bias else "_nobias"))
    g.param("Wx", (4, 3), label="W_x")
    g.param("Wh", (4, 4), label="W_h")
    g.param("Wq", (2, 4), label="W_q")
    if bias:
        g.param("b", (4,))
    g.input("h0", (4,), label="h_0")
    total = None
    for t in range(1, steps + 1):
        g.input(f"x{t}", (3,), label=f"x_{t}")
        g.label_input(f"y{t}", (2,), label=f"y_{t}")
        g.apply("matmul", "Wx", f"x{t}", out=f"a{t}", label=f"a_{t}")
        g.apply("matmul", "Wh", f"h{t - 1}", out=f"r{t}", label=f"r_{t}")
        pre = g.apply("add", f"a{t}", f"r{t}", out=f"s{t}", label=f"s_{t}").name
        if bias:
            pre = g.apply("add", pre, "b", out=f"z{t}", label=f"z_{t}").name
        g.apply("tanh", pre, out=f"h{t}", label=f"h_{t}")
        g.apply("matmul", "Wq", f"h{t}", out=f"o{t}", label=f"o_{t}")
        g.apply("squared_loss", f"o{t}", f"y{t}", out=f"l{t}", label=f"l_{t}")
        total = f"l{t}" if total is None else g.apply("add", total, f"l{t}", out=f"S{t}").name
    g.apply("scale", total, 1.0 / steps, out="L", symbol="1/T")
    g.set_objective("L")
    return g


def deep_mlp(layers: int = 3) -> cg.Graph:
    """An MLP with `layers` hidden layers and weight decay on every matrix."""
    g = cg.Graph(f"mlp_deep{layers}")
    h = g.input("x", (4,)).name
    sizes = [4] + [5] * layers + [3]
    for i in range(1, layers + 2):
        g.param(f"W{i}", (sizes[i], sizes[i - 1]), label=f"W^({i})")
        z = g.apply("matmul", f"W{i}", h, out=f"z{i}", label=f"z^({i})").name
        h = z if i == layers + 1 else g.apply("relu", z, out=f"h{i}", label=f"h^({i})",
                                              symbol="ϕ").name
    g.label_input("y", (), integer=True)
    g.apply("cross_entropy", h, "y", out="L")
    g.constant("lam", 0.01)
    g.apply("l2", *[f"W{i}" for i in range(1, layers + 2)], "lam", out="s")
    g.apply("add", "L", "s", out="J")
    g.set_objective("J")
    return g


def shared(width: int = 6) -> cg.Graph:
    """One weight matrix and bias applied to `width` inputs side by side (a wide graph with
    shared weights: a convolution's or a Siamese network's), the results summed."""
    g = cg.Graph(f"shared{width}")
    g.param("W", (4, 3))
    g.param("b", (4,))
    total = None
    for i in range(1, width + 1):
        g.input(f"x{i}", (3,), label=f"x_{i}")
        g.apply("matmul", "W", f"x{i}", out=f"u{i}", label=f"u_{i}")
        g.apply("add", f"u{i}", "b", out=f"v{i}", label=f"v_{i}")
        g.apply("tanh", f"v{i}", out=f"h{i}", label=f"h_{i}")
        total = f"h{i}" if total is None else g.apply(
            "add", total, f"h{i}", out=f"a{i}", label=f"a_{i}").name
    g.apply("sum", total, out="J")
    g.set_objective("J")
    return g


def random_dag(nodes: int, seed: int = 0) -> cg.Graph:
    """A random DAG of about `nodes` nodes: mostly local operands, some long skips, params."""
    rng = random.Random(seed)
    g = cg.Graph(f"random{nodes}")
    names = [g.input("x", (3,)).name]
    i = 0
    while len(g.nodes) < nodes - 2:
        if rng.random() < 0.15:
            names.append(g.param(f"p{i}", (3,)).name)
        else:
            op = rng.choice(["add", "mul", "tanh", "exp"])
            pool = names[-6:] if rng.random() < 0.8 else names
            if op in ("add", "mul") and len(pool) < 2:
                op = "tanh"  # one value to read so far: a binary op cannot have two
            args = rng.sample(pool, 2) if op in ("add", "mul") else [rng.choice(pool)]
            names.append(g.apply(op, *args, out=f"t{i}").name)
        i += 1
    g.apply("sum", names[-1], out="J")
    g.set_objective("J")
    return g


def generated() -> list[cg.Graph]:
    """The generated set of docs/layout.md's quality table."""
    return [chain(21), chain(61), fan_in(6), fan_out(8), fan_out(20), residual(3),
            deep_mlp(3), shared(6), recurrent(4), recurrent(4, bias=False),
            random_dag(10), random_dag(30), random_dag(100), random_dag(300)]
