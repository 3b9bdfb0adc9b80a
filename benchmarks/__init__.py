"""Benchmarks: calcgraph's engine, renderer and CLI against their floors (run `python -m benchmarks`)."""
