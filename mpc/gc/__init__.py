"""Two-party garbled circuits: Bristol Fashion circuits, a builder, half-gates garbling.

Spec: protocols/gc-halfgates.md.
"""
from mpc.gc.circuit import Circuit, load_bristol, parse_bristol

__all__ = ["Circuit", "load_bristol", "parse_bristol"]
