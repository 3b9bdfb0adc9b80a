"""The HTML stepper: one self-contained page to step through the backward pass."""
