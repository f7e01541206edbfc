"""The facilitation mode for the projector (F5): agenda, timer, parking lot, quick notes."""
