"""The only code that runs Graphviz: the system binary or the embedded WebAssembly build,
HTML-label handling, PNG/PDF from SVG, and atomic output files. Imports only errors."""
