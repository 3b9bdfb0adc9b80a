"""Nothing outside the op table names an op: what the rest of calcgraph needs of an op is a
field of its record. The test walks every string literal of the package."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from calcgraph.core import ops

PACKAGE = Path(__file__).resolve().parents[2] / "calcgraph"
TABLE = {"core/ops.py", "core/nnops.py", "core/record.py", "core/rules.py", "core/kernels.py"}

# The same word meaning something else than the op, each with where and why.
NOT_OPS = {
    ("core/sweep.py", "sum"): "the kind of backward step where several paths meet",
    ("text/formulas.py", "sum"): "the kind of backward step where several paths meet",
    ("trace/format.py", "sum"): "the kind of backward step where several paths meet",
    ("derive/build.py", "sum"): "the kind of backward step where several paths meet",
    ("text/steps.py", "sum"): "the kind of backward step where several paths meet",
    ("figure/dual.py", "sum"): "the kind of backward step, and role of the + circle, where "
                               "several paths meet",
    ("text/labels.py", "sum"): "the ASCII spelling of the character Σ",
    ("text/labels.py", "sub"): "label markup's subscript",
    ("graphviz/htmllabels.py", "sub"): "the HTML <sub> tag",
    ("core/models.py", "l2"): "the d2l figure's id of the weight-decay node",
    ("text/document.py", "mean"): "a key of the JSON summary of a large array",
    ("text/summary.py", "mean"): "a key of the JSON summary of a large array",
    **{("pytorch/lower.py", word): "the name of a PyTorch aten call"
       for word in ("div", "neg", "pow", "transpose")},
}


def op_name_literals() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in TABLE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Constant) and node.value in ops.OPS
                    and (rel, node.value) not in NOT_OPS):
                found.append(f"calcgraph/{rel}:{node.lineno}: {node.value!r}")
    return found


def test_no_op_name_outside_the_table():
    found = op_name_literals()
    assert not found, "op names outside the op table (make it a field of the record):\n" + \
        "\n".join(found)


def test_the_walk_sees_string_literals(tmp_path, monkeypatch):
    """The walk must flag a name it has not been told about (guards against a vacuous pass)."""
    fake = tmp_path / "calcgraph"
    (fake / "core").mkdir(parents=True)
    (fake / "core" / "graph.py").write_text('if op.name == "cross_entropy":\n    pass\n')
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    assert op_name_literals() == ["calcgraph/core/graph.py:1: 'cross_entropy'"]


def test_every_exception_is_still_needed():
    for (rel, word), why in NOT_OPS.items():
        tree = ast.parse((PACKAGE / rel).read_text(encoding="utf-8"))
        assert any(isinstance(n, ast.Constant) and n.value == word for n in ast.walk(tree)), \
            f"{rel} no longer has {word!r} ({why}): drop it from NOT_OPS"


def test_mlp_choices_come_from_the_records():
    """calcgraph.mlp's activation and loss choices are the records marked with that role."""
    import pytest

    import calcgraph as cg
    from calcgraph.core import models

    assert models.ACTIVATIONS == ("relu", "sigmoid", "tanh")
    assert models.LOSSES == ("cross_entropy", "squared_loss")
    with pytest.raises(cg.GraphError, match=r"unknown activation: 'softmax' \(must be one of"):
        cg.mlp(activation="softmax")
    g = cg.mlp(activation="tanh", loss="squared_loss")
    assert g["h"].producer.op is ops.TANH and g["L"].producer.op is ops.SQUARED_LOSS
