"""The public Bristol Fashion circuits shipped with mpc as package data (mpc/circuits/README.md).

For users and mpc.gc.functions: `load("aes_128")` parses a shipped circuit once and caches it.
"""
from __future__ import annotations

import functools
from importlib import resources

from mpc.gc.circuit import Circuit, parse_bristol


def names() -> list[str]:
    """The shipped circuit names (file names without .txt)."""
    folder = resources.files("mpc") / "circuits"
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".txt"))


@functools.lru_cache(maxsize=None)
def load(name: str) -> Circuit:
    """A shipped circuit by name, e.g. "aes_128", "adder64"; `KeyError` for an unknown name."""
    if name not in names():
        raise KeyError(f"no shipped circuit {name!r}; available: {', '.join(names())}")
    text = (resources.files("mpc") / "circuits" / f"{name}.txt").read_text(encoding="ascii")
    return parse_bristol(text, name=f"{name}.txt")
