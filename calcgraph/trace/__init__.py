"""The backward sweep for the terminal: the Trace data, its rich rendering, notes and views."""
