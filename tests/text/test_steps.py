"""What each backward step touches (the JSON `touches` key) and how its caption reads."""

from __future__ import annotations

import pytest

import calcgraph as cg
from calcgraph.text.steps import caption, known


@pytest.fixture(scope="module")
def doc():
    return cg.mlp().backward().to_dict()


def test_every_step_touches_its_target_and_the_edges_it_travels(doc):
    edges = {(e["src"], e["dst"]) for e in doc["edges"]}
    for rec in doc["backward"]:
        t = rec["touches"]
        assert rec["target"] in t["nodes"]
        assert {tuple(e) for e in t["edges"]} <= edges  # forward edges, named as in "edges"
        if rec["kind"] == "vjp":
            assert t["nodes"] == [rec["source"], rec["via"], rec["target"]]
            assert t["edges"] == [[rec["target"], rec["via"]], [rec["via"], rec["source"]]]


@pytest.mark.parametrize(("k", "target", "paths"), [(8, "W2", {"mul2", "l2"}),
                                                    (12, "W1", {"mul1", "l2"})])
def test_a_sum_step_touches_both_incoming_contributions(doc, k, target, paths):
    rec = doc["backward"][k - 1]
    assert rec["kind"] == "sum" and rec["target"] == target
    assert {tuple(e) for e in rec["touches"]["edges"]} == {(target, op) for op in paths}


def test_reads_are_the_forward_values_the_numpy_line_names(doc):
    reads = {rec["step"]: rec["touches"]["reads"] for rec in doc["backward"]}
    assert reads[7] == ["h"] and reads[9] == ["W2"] and reads[10] == ["z"]
    assert reads[6] == ["o", "y"] and reads[11] == ["x"] and reads[1] == []
    # every value the memory note lists is read by some step
    assert {"x", "y", "z", "h", "o"} <= {r for rs in reads.values() for r in rs}


def test_values_of_steps_only_with_values(doc):
    assert all("value" in r for r in doc["backward"])
    assert "value" not in cg.mlp().backward().to_dict(values=False)["backward"][0]


def test_known_gradients_grow_step_by_step(doc):
    assert known(doc["backward"], 0) == (set(), set())
    done, partial = known(doc["backward"], 5)
    assert done == {"J", "L", "s"} and partial == {"W1", "W2"}
    done, partial = known(doc["backward"], 12)
    assert partial == set() and {"W1", "W2", "h", "z", "o"} <= done


def test_captions_read_as_the_trace_prints_them(doc):
    assert caption(doc, 8) == (("step 8 of 12: ∂J/∂W⁽²⁾, 2 paths meet, so their contributions "
                               "add"), "", "∂J/∂W⁽²⁾ = ∂J/∂o · hᵀ + λ W⁽²⁾")
    head, through, math = caption(doc, 7)
    assert "path 2 of 2 (added up in step 8)" in head and through == "back through o = W⁽²⁾ h"
    assert math == "prod(∂J/∂o, ∂o/∂W⁽²⁾) = ∂J/∂o · hᵀ"
    assert caption(doc, 9)[2] == "∂J/∂h = prod(∂J/∂o, ∂o/∂h) = W⁽²⁾ᵀ · ∂J/∂o"
    assert caption(doc, 0)[0].startswith("forward pass")
    trace = cg.mlp().trace().text(width=200)
    for k in range(1, 13):  # the trace prints the same formula on step k's math line
        math = caption(doc, k)[2]
        assert math in trace, (k, math)
