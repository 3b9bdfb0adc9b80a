"""Tests for calcgraph.figure.layout: the d2l grid node for node, and clean layouts for other graphs."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

import calcgraph
from calcgraph import Graph, init_values
from calcgraph.figure.layout import PITCH, _through, layout, main_chain

DATA = Path(__file__).parent / "data"
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
ROWS = {"bottom": 0, "middle": 1, "top": 2}


def reference_cells(folder: Path = DATA) -> dict[str, tuple[int, int]]:
    """{node id: (col, row)} from d2l-forward-nodes.csv; row 0 is the bottom."""
    with open(folder / "d2l-forward-nodes.csv", encoding="utf-8") as fh:
        return {r["id"]: (int(r["col"]), ROWS[r["row"]]) for r in csv.DictReader(fh)}


# ---------------------------------------------------------------- graphs built with the builder


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


# ---------------------------------------------------------------- the d2l figure


@pytest.mark.parametrize("variant", [{}, {"batch": 8}, {"activation": "sigmoid"},
                                     {"loss": "squared_loss", "batch": 3}])
def test_mlp_reproduces_the_reference_grid(variant):
    cells = layout(calcgraph.mlp(**variant).to_dict(values=False)).cells
    assert cells == reference_cells()


def test_reference_copy_matches_the_original():
    if not (REFERENCE / "d2l-forward-nodes.csv").exists():
        pytest.skip("../shared/reference is not beside this checkout")
    for name in ("d2l-forward-nodes.csv", "d2l-forward-edges.csv"):
        assert (DATA / name).read_bytes() == (REFERENCE / name).read_bytes()


def direction(src: tuple[int, int], dst: tuple[int, int]) -> str:
    dx, dy = dst[0] - src[0], dst[1] - src[1]
    vertical = "up" if dy > 0 else "down" if dy < 0 else ""
    horizontal = "right" if dx > 0 else "left" if dx < 0 else ""
    return "-".join(p for p in (vertical, horizontal) if p)


def test_mlp_edges_point_as_in_the_reference():
    cells = layout(calcgraph.mlp().to_dict(values=False)).cells
    with open(DATA / "d2l-forward-edges.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 17
    for r in rows:
        want = r["screen_direction"].split(" ")[0]
        assert direction(cells[r["src"]], cells[r["dst"]]) == want, (r["src"], r["dst"])


def test_main_chain_is_the_bottom_row_up_to_the_loss():
    from calcgraph.figure.layout import _View

    chain = main_chain(_View(calcgraph.mlp().to_dict(values=False)))
    assert chain == ["x", "mul1", "z", "phi", "h", "mul2", "o", "l"]


# ---------------------------------------------------------------- every graph: clean layouts


def problems(g: Graph) -> list[str]:
    """What breaks the layout rules: overlaps, edges through nodes, objective not top-right."""
    data = g.to_dict(values=False)
    lay = layout(data)
    cells, out = lay.cells, []
    if len(set(cells.values())) != len(cells):
        out.append("two nodes share a cell")
    if set(cells) != {n["id"] for n in data["nodes"]}:
        out.append("nodes missing from the layout")
    shared = {n["id"] for n in data["nodes"] if n["kind"] == "variable" and not n.get("producer")
              and len(n["consumers"]) > 1}
    for a, b in lay.edges:
        if a in shared and cells[b] != (cells[a][0], cells[a][1] - 1):
            continue  # a shared parameter's later edges are routed around nodes by Graphviz
        for v, c in cells.items():
            if v not in (a, b) and _through(cells[a], cells[b], c):
                out.append(f"edge {a}->{b} passes through {v}")
    obj = cells[data["objective"]]
    if obj != (lay.ncols, lay.nrows - 1):
        out.append(f"objective at {obj}, not top-right {(lay.ncols, lay.nrows - 1)}")
    if min(c for c, _ in cells.values()) != 1 or min(r for _, r in cells.values()) != 0:
        out.append("grid does not start at col 1, row 0")
    return out


@pytest.mark.parametrize("key", ALL)
def test_layout_rules_hold(key):
    assert problems(graph_for(key)) == []


@pytest.mark.parametrize("key", ALL)
def test_most_edges_point_right_or_up(key):
    data = graph_for(key).to_dict(values=False)
    lay = layout(data)
    dirs = [direction(lay.cells[a], lay.cells[b]) for a, b in lay.edges]
    forward = sum("right" in d or d == "up" for d in dirs)
    down = sum(d == "down" for d in dirs)  # a parameter or label into its operator
    assert forward + down >= 0.75 * len(dirs), dirs


@pytest.mark.parametrize("key", ALL)
def test_main_chain_starts_bottom_left(key):
    data = graph_for(key).to_dict(values=False)
    lay = layout(data)
    assert [lay.cells[v] for v in lay.spine] == [(i + 1, 0) for i in range(len(lay.spine))]
    first = next(n for n in data["nodes"] if n["id"] == lay.spine[0])
    assert first["role"] == "input"


def test_parameters_sit_above_their_operator():
    for g in (mlp_bias(), two_layer(), softmax_regression()):
        cells = layout(g.to_dict(values=False)).cells
        for v in g.leaves("param") + g.leaves("label"):
            col, row = cells[v.name]
            below = [cells[op.name] for op in v.consumers]
            assert (col, row - 1) in below, v.name


def test_layout_reads_plain_json_data():
    g = mlp_bias()
    assert layout(json.loads(g.to_json())).cells == layout(g.to_dict()).cells


def test_layout_is_deterministic():
    data = rnn().to_dict(values=False)
    assert layout(data) == layout(data)


def test_small_and_odd_graphs():
    g = Graph("tiny")
    g.input("x", (3,))
    g.apply("sum", "x", out="S")
    g.set_objective("S")
    assert layout(g.to_dict(values=False)).cells == {"x": (1, 0), "sum_S": (2, 0), "S": (3, 0)}
    # No objective: the deepest sink plays its part, still top-right of a loose node.
    g = Graph("loose")
    g.input("x", (3,))
    g.input("unused", (2,))
    g.apply("exp", "x", out="e")
    cells = layout(g.to_dict(values=False)).cells
    assert cells == {"x": (1, 0), "exp_e": (2, 0), "unused": (1, 1), "e": (3, 1)}


def test_grid_pitch_keeps_the_edge_test_in_points():
    # The edge-through-node test works in points on the d2l pitch: a diagonal between
    # neighbouring rows clears the node beside it, a straight line through it does not.
    assert PITCH == (41.0, 39.0)
    assert not _through((1, 0), (2, 1), (2, 0))
    assert _through((1, 0), (3, 0), (2, 0))
    assert math.isclose(PITCH[0] / PITCH[1], 41 / 39)


# ---------------------------------------------------------------- any graph


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


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_get_a_clean_grid(seed):
    g = random_graph(seed, leaves=2 + seed % 4, ops=3 + seed % 9)
    data = g.to_dict(values=False)
    lay = layout(data)
    assert len(set(lay.cells.values())) == len(lay.cells) == len(data["nodes"])
    assert lay.cells["J"] == (lay.ncols, lay.nrows - 1)


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


@pytest.mark.parametrize("seed", range(40))
def test_random_connected_graphs(seed):
    g = connected_graph(seed, leaves=1 + seed % 4, ops=3 + seed % 10)
    data = g.to_dict(values=False)
    lay = layout(data)
    assert len(set(lay.cells.values())) == len(lay.cells) == len(data["nodes"])
    assert lay.cells[data["objective"]] == (lay.ncols, lay.nrows - 1)
    first = lay.cells[lay.spine[0]][0]  # a branch may hang left of the chain's start
    assert [lay.cells[v] for v in lay.spine] == [(first + i, 0) for i in range(len(lay.spine))]
