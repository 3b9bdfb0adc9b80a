"""The figure: layout, scene (every visual decision as plain data), notes and DOT text.

It reads the plain data of calcgraph.text.document, never the engine, and hands DOT to
calcgraph.graphviz to draw.
"""
