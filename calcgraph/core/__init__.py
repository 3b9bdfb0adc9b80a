"""The core: the op table, the graph IR, dependency order, the compiled program and the engine.

Imports nothing above it (no rich, click, Graphviz or wasmtime): everything else is built on it.
"""
