"""Columns for the layered drawing with the least total edge length: network simplex.

Every column an edge skips costs a dummy node, and dummies cost crossings and width, so
the columns minimise the summed length of the edges, each at least one column long. This
is the linear program Graphviz's dot solves with the network simplex method (Gansner,
Koutsofios, North and Vo, "A technique for drawing directed graphs", 1993), done here the
same way: a spanning tree of tight edges, cut values, and edge exchanges while a cut value
is negative. Each weakly connected part is solved on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

Edges = Sequence[tuple[int, int]]
EXCHANGES = 2_000  # tree edge exchanges per part at most; the ranks stay feasible anyway


def rank(n: int, edges: Edges) -> list[int]:
    """A column per node 0..n-1 (from 1 in each part): edges run right, total length least."""
    edges = list(dict.fromkeys((a, b) for a, b in edges if a != b))
    incident: list[list[int]] = [[] for _ in range(n)]
    for i, (a, b) in enumerate(edges):
        incident[a].append(i)
        incident[b].append(i)
    r = _longest_path(n, edges)
    seen = [False] * n
    for root in range(n):
        if not seen[root]:
            part = _part(root, edges, incident, seen)
            _Simplex(part, edges, incident, r).solve()
            low = min(r[v] for v in part)
            for v in part:
                r[v] += 1 - low
    return r


def _longest_path(n: int, edges: Edges) -> list[int]:
    succ: list[list[int]] = [[] for _ in range(n)]
    indeg = [0] * n
    for a, b in edges:
        succ[a].append(b)
        indeg[b] += 1
    r = [0] * n
    ready = [v for v in range(n) if not indeg[v]]
    while ready:
        v = ready.pop()
        for w in succ[v]:
            r[w] = max(r[w], r[v] + 1)
            indeg[w] -= 1
            if not indeg[w]:
                ready.append(w)
    return r


def _part(root: int, edges: Edges, incident: list[list[int]], seen: list[bool]) -> list[int]:
    seen[root], part, stack = True, [], [root]
    while stack:
        v = stack.pop()
        part.append(v)
        for i in incident[v]:
            w = edges[i][0] + edges[i][1] - v
            if not seen[w]:
                seen[w] = True
                stack.append(w)
    return sorted(part)


class _Simplex:
    """Network simplex on one connected part; ranks updated in place."""

    def __init__(self, part: list[int], edges: Edges, incident: list[list[int]], r: list[int]):
        self.part, self.edges, self.incident, self.r = part, edges, incident, r
        self.tree: set[int] = set()  # edge indices of the spanning tree
        self.cut: dict[int, int] = {}  # tree edge -> its cut value
        self.parent: dict[int, int] = {}  # node -> the tree edge to its parent (root: -1)
        self.low: dict[int, int] = {}  # postorder numbers: a node's subtree is the
        self.lim: dict[int, int] = {}  # nodes whose lim lies in [low, lim]

    def slack(self, i: int) -> int:
        a, b = self.edges[i]
        return self.r[b] - self.r[a] - 1

    def solve(self) -> None:
        if len(self.part) < 2:
            return
        self._feasible_tree()
        self._number()
        for _ in range(EXCHANGES):
            leave = next((i for i in sorted(self.tree) if self.cut[i] < 0), None)
            if leave is None:
                return
            enter = self._entering(leave)
            self.tree.discard(leave)
            self.tree.add(enter)
            self._number()

    def _feasible_tree(self) -> None:
        """Grow a tree of tight edges; when it stops, shift it to make the cheapest edge
        leaving it tight, and grow again."""
        inside = {self.part[0]}
        while True:
            stack = list(inside)
            while stack:
                v = stack.pop()
                for i in self.incident[v]:
                    w = self.edges[i][0] + self.edges[i][1] - v
                    if w not in inside and self.slack(i) == 0:
                        inside.add(w)
                        self.tree.add(i)
                        stack.append(w)
            if len(inside) == len(self.part):
                return
            best = min((i for v in inside for i in self.incident[v]
                        if (self.edges[i][0] in inside) != (self.edges[i][1] in inside)),
                       key=lambda i: (self.slack(i), i))
            delta = self.slack(best) if self.edges[best][0] in inside else -self.slack(best)
            for v in inside:
                self.r[v] += delta

    def _number(self) -> None:
        """Root the tree, number it in postorder (low, lim), set ranks from the tree's
        tight edges, and compute every tree edge's cut value, children first."""
        root = self.part[0]
        adj: dict[int, list[int]] = {v: [] for v in self.part}
        for i in self.tree:
            a, b = self.edges[i]
            adj[a].append(i)
            adj[b].append(i)
        self.parent, self.low, self.lim = {root: -1}, {}, {}
        order, stack, count = [], [(root, iter(sorted(adj[root])))], 0
        self.low[root] = 1
        while stack:  # iterative DFS: postorder numbers and parents
            v, it = stack[-1]
            for i in it:
                w = self.edges[i][0] + self.edges[i][1] - v
                if w not in self.parent:
                    self.parent[w] = i
                    self.low[w] = count + 1
                    a, _ = self.edges[i]  # rank from the parent along the tight edge
                    self.r[w] = self.r[v] + (1 if a == v else -1)
                    stack.append((w, iter(sorted(adj[w]))))
                    break
            else:
                stack.pop()
                count += 1
                self.lim[v] = count
                order.append(v)
        self.cut = {}
        for v in order[:-1]:  # postorder: a child's edges are done before its parent's
            self.cut[self.parent[v]] = self._cut_value(v)

    def _cut_value(self, child: int) -> int:
        i = self.parent[child]
        child_is_tail = self.edges[i][0] == child
        value = 1
        for j in self.incident[child]:
            if j == i:
                continue
            a, b = self.edges[j]
            out = a == child
            other = b if out else a
            to_head = out == child_is_tail
            value += 1 if to_head else -1
            if j in self.tree and self.parent.get(other) == j:  # a tree edge to a child
                value += -self.cut[j] if to_head else self.cut[j]
        return value

    def _entering(self, leave: int) -> int:
        """The non-tree edge with least slack across the cut `leave` opens, pointing the
        other way (from the head side to the tail side)."""
        a, b = self.edges[leave]
        tail_low, tail_lim = (self.low[a], self.lim[a]) if self.lim[a] < self.lim[b] else (
            self.low[b], self.lim[b])
        flip = self.lim[a] > self.lim[b]  # the root is on the tail side

        def under(v: int) -> bool:
            return tail_low <= self.lim[v] <= tail_lim

        candidates = [i for i, (u, w) in enumerate(self.edges)
                      if u in self.lim and i not in self.tree
                      and flip == under(u) and flip != under(w)]
        return min(candidates, key=lambda i: (self.slack(i), i))
