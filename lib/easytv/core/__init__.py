"""Pure core: models, the next-episode rule, notification parsing, property rendering.

Standard library only; no I/O, no clock.
"""
