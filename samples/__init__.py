"""The built-in sample specs (*.cg), shipped as the data package calcgraph.samples."""
