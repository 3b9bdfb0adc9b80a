"""Graphs the tests share: builder-made MLP variants, the RNN, random DAGs, the d2l grid."""

from __future__ import annotations

import csv
from pathlib import Path

import calcgraph
from calcgraph import Graph, init_values

DATA = Path(__file__).parent / "data"



REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


ROWS = {"bottom": 0, "middle": 1, "top": 2}


def reference_cells(folder: Path = DATA) -> dict[str, tuple[int, int]]:
    """{node id: (col, row)} from d2l-forward-nodes.csv; row 0 is the bottom."""
    with open(folder / "d2l-forward-nodes.csv", encoding="utf-8") as fh:
        return {r["id"]: (int(r["col"]), ROWS[r["row"]]) for r in csv.DictReader(fh)}


def mlp_bias(batch: int | None = None) -> Graph:
    g = Graph("mlp_bias", batch=batch)
    row, b = ((batch,) if batch else ()), bool(batch)
    g.input("x", row + (4,), batched=b)
    g.param("W1", (5, 4), label="W^(1)")
    g.param("b1", (5,), label="b^(1)")
    g.param("W2", (3, 5), label="W^(2)")
    g.param("b2", (3,), label="b^(2)")
    g.label_input("y", row, integer=True, batched=b)
    g.constant("lam", 0.1, label="λ")
    g.apply("matmul", "W1", "x", out="u", name="mul1")
    g.apply("add", "u", "b1", out="z", name="add1")
    g.apply("relu", "z", out="h", name="phi", symbol="ϕ")
    g.apply("matmul", "W2", "h", out="v", name="mul2")
    g.apply("add", "v", "b2", out="o", name="add2")
    g.apply("cross_entropy", "o", "y", out="L", name="l", symbol="l")
    g.apply("l2", "W1", "W2", "lam", out="s", name="l2")
    g.apply("add", "L", "s", out="J", name="plus")
    g.set_objective("J")
    return init_values(g)


def two_layer() -> Graph:
    g = Graph("two_layer")
    g.input("x", (4,))
    for i, shape in enumerate([(5, 4), (6, 5), (3, 6)], 1):
        g.param(f"W{i}", shape, label=f"W^({i})")
    g.label_input("y", (), integer=True)
    g.constant("lam", 0.1)
    g.apply("matmul", "W1", "x", out="z1", name="mul1", label="z^(1)")
    g.apply("relu", "z1", out="h1", name="phi1", symbol="ϕ", label="h^(1)")
    g.apply("matmul", "W2", "h1", out="z2", name="mul2", label="z^(2)")
    g.apply("sigmoid", "z2", out="h2", name="phi2", label="h^(2)")
    g.apply("matmul", "W3", "h2", out="o", name="mul3")
    g.apply("cross_entropy", "o", "y", out="L", name="l", symbol="l")
    g.apply("l2", "W1", "W2", "W3", "lam", out="s", name="l2")
    g.apply("add", "L", "s", out="J", name="plus")
    g.set_objective("J")
    return init_values(g)


def softmax_regression(decay: bool = True) -> Graph:
    g = Graph("softmax_regression")
    g.input("x", (4,))
    g.param("W", (3, 4))
    g.param("b", (3,))
    g.label_input("y", (), integer=True)
    g.apply("matmul", "W", "x", out="u", name="mul")
    g.apply("add", "u", "b", out="o", name="add")
    g.apply("cross_entropy", "o", "y", out="L", name="l", symbol="l")
    if decay:
        g.constant("lam", 0.01, label="λ")
        g.apply("l2", "W", "lam", out="s", name="l2")
        g.apply("add", "L", "s", out="J", name="plus")
    g.set_objective("J" if decay else "L")
    return init_values(g)


def linear_regression() -> Graph:
    g = Graph("linreg")
    g.input("x", (4,))
    g.param("w", (1, 4))
    g.label_input("y", (1,))
    g.apply("matmul", "w", "x", out="o", name="mul")
    g.apply("squared_loss", "o", "y", out="L", name="l", symbol="l")
    g.set_objective("L")
    return init_values(g)


def rnn(steps: int = 3) -> Graph:
    """d2l-rnn-bptt.png: h_t = W_hx x_t + W_hh h_(t-1), o_t = W_qh h_t, L = mean of l(o_t, y_t)."""
    g = Graph("rnn")
    g.param("Whx", (4, 3), label="W_{hx}")
    g.param("Whh", (4, 4), label="W_{hh}")
    g.param("Wqh", (2, 4), label="W_{qh}")
    g.input("h0", (4,), label="h_0")
    total = None
    for t in range(1, steps + 1):
        g.input(f"x{t}", (3,), label=f"x_{t}")
        g.label_input(f"y{t}", (2,), label=f"y_{t}")
        g.apply("matmul", "Whx", f"x{t}", out=f"a{t}", name=f"mx{t}", label=f"a_{t}")
        g.apply("matmul", "Whh", f"h{t - 1}", out=f"b{t}", name=f"mh{t}", label=f"b_{t}")
        g.apply("add", f"a{t}", f"b{t}", out=f"h{t}", name=f"add{t}", label=f"h_{t}")
        g.apply("matmul", "Wqh", f"h{t}", out=f"o{t}", name=f"mq{t}", label=f"o_{t}")
        g.apply("squared_loss", f"o{t}", f"y{t}", out=f"l{t}", name=f"loss{t}", symbol="l",
                label=f"l_{t}")
        if total is not None:
            total = g.apply("add", total, f"l{t}", out=f"S{t}", name=f"sum{t}", label=f"S_{t}")
        else:
            total = g[f"l{t}"]
    g.apply("scale", total, 1.0 / steps, out="L", name="mean", symbol="1/T")
    g.set_objective("L")
    return init_values(g)


BUILT = {
    "mlp": calcgraph.mlp,
    "mlp_batch_sigmoid_squared": lambda: calcgraph.mlp(batch=8, activation="sigmoid",
                                                       loss="squared_loss"),
    "mlp_bias": mlp_bias,
    "mlp_bias_batch": lambda: mlp_bias(batch=4),
    "two_layer": two_layer,
    "softmax_regression": softmax_regression,
    "softmax_no_decay": lambda: softmax_regression(decay=False),
    "linear_regression": linear_regression,
    "rnn": rnn,
}


def sample_names() -> list[str]:
    try:
        from calcgraph.sources import sample_names as names
    except ImportError:
        return []
    return names()


def load(name: str) -> Graph:
    if name in BUILT:
        return BUILT[name]()
    from calcgraph.sources import load_source

    return load_source(name)


ALL = [*BUILT, *(f"sample:{n}" for n in sample_names())]


def graph_for(key: str) -> Graph:
    return load(key.removeprefix("sample:"))


def random_graph(seed: int, leaves: int, ops: int) -> Graph:
    """A random DAG of elementwise ops over vectors, summed into the objective."""
    import random

    rng = random.Random(seed)
    g = Graph(f"random{seed}")
    names = []
    for i in range(leaves):
        role = rng.choice(["input", "param", "param", "label"])
        add = {"input": g.input, "param": g.param, "label": g.label_input}[role]
        names.append(add(f"v{i}", (3,)).name)
    for i in range(ops):
        op = rng.choice(["add", "mul", "sub", "relu", "tanh", "exp"])
        args = rng.sample(names, 2) if op in ("add", "mul", "sub") else [rng.choice(names)]
        names.append(g.apply(op, *args, out=f"t{i}").name)
    g.apply("sum", names[-1], out="J")
    g.set_objective("J")
    return g


def connected_graph(seed: int, leaves: int, ops: int) -> Graph:
    """A random DAG where every value reaches the objective (the sinks' sums are added)."""
    import random

    rng = random.Random(seed)
    g = Graph(f"connected{seed}")
    names = [g.input("x", (3,)).name]
    for i in range(leaves):
        role = rng.choice(["param", "param", "label", "input"])
        add = {"input": g.input, "param": g.param, "label": g.label_input}[role]
        names.append(add(f"v{i}", (3,)).name)
    used: set[str] = set()
    for i in range(ops):
        op = rng.choice(["add", "mul", "sub", "relu", "tanh", "exp"])
        pool = names[-4:] if rng.random() < 0.7 else names  # mostly local, some skips
        binary = op in ("add", "mul", "sub") and len(pool) > 1
        args = rng.sample(pool, 2) if binary else [rng.choice(pool)]
        used.update(args)
        names.append(g.apply(op, *args, out=f"t{i}").name)
    sinks = [n for n in names if n not in used]
    total = g.apply("sum", sinks[0], out="S0")
    for j, sink in enumerate(sinks[1:], 1):
        total = g.apply("add", total, g.apply("sum", sink, out=f"R{j}"), out=f"S{j}")
    g.set_objective(total.name)
    return init_values(g)




def rnn_tanh(steps: int = 4, layers: int = 1, bias: bool = True) -> Graph:
    """A usual RNN: h_t = tanh(W_x x_t + W_h h_(t-1) + b) per layer, o_t = W_q h_t + c,
    per-step squared losses summed and averaged; `layers` stacked cells per step."""
    g = Graph(f"rnn{layers}x{steps}")
    for k in range(1, layers + 1):
        g.param(f"Wx{k}", (4, 3 if k == 1 else 4), label=f"W_{{x{k}}}")
        g.param(f"Wh{k}", (4, 4), label=f"W_{{h{k}}}")
        if bias:
            g.param(f"b{k}", (4,), label=f"b_{k}")
        g.input(f"h{k}_0", (4,), label=f"h^({k})_0")
    g.param("Wq", (2, 4), label="W_q")
    if bias:
        g.param("c", (2,))
    total = None
    for t in range(1, steps + 1):
        g.input(f"x{t}", (3,), label=f"x_{t}")
        g.label_input(f"y{t}", (2,), label=f"y_{t}")
        cur = f"x{t}"
        for k in range(1, layers + 1):
            g.apply("matmul", f"Wx{k}", cur, out=f"a{k}_{t}")
            g.apply("matmul", f"Wh{k}", f"h{k}_{t - 1}", out=f"r{k}_{t}")
            pre = g.apply("add", f"a{k}_{t}", f"r{k}_{t}", out=f"s{k}_{t}").name
            if bias:
                pre = g.apply("add", pre, f"b{k}", out=f"z{k}_{t}").name
            cur = g.apply("tanh", pre, out=f"h{k}_{t}", label=f"h^({k})_{t}").name
        out = g.apply("matmul", "Wq", cur, out=f"u{t}").name
        if bias:
            out = g.apply("add", out, "c", out=f"o{t}", label=f"o_{t}").name
        g.apply("squared_loss", out, f"y{t}", out=f"l{t}", label=f"l_{t}")
        total = f"l{t}" if total is None else g.apply("add", total, f"l{t}", out=f"S{t}").name
    g.apply("scale", total, 1.0 / steps, out="L", symbol="1/T")
    g.set_objective("L")
    return init_values(g)
