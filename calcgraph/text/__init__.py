"""Text made from the core: label markup, shapes, formulas of every step, the JSON document."""
