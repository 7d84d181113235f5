"""Exact traffic of the OT protocols, as stated in protocols/ot-base.md and protocols/ot-iknp.md.

For tests and benchmarks, which check these formulas against the bytes the transport counted.
Every message costs its payload plus one wire header of 33 + len(tag) bytes (protocols/wire.md).
"""
from __future__ import annotations

from mpc.transport.wire import header_bytes

KAPPA = 128
CHUNK_OTS = 1 << 16
POINT_BYTES = 33
GILBOA_Z128_BYTES = 1088


def chunk_count(n: int) -> int:
    return -(-n // CHUNK_OTS)


def base_ot_bytes(count: int = KAPPA) -> dict:
    """Bytes each role sends in one base-OT batch of `count` OTs."""
    return {"sender": 2 * POINT_BYTES + header_bytes("ot-base:setup"),
            "receiver": POINT_BYTES * count + header_bytes("ot-base:reply")}


def iknp_bytes(flavour: str, n: int, length: int = 16) -> dict:
    """Bytes the IKNP receiver and sender send in one batch of n OTs of `flavour`
    (random-ot, correlated-ot, chosen-ot with messages of `length` bytes, correlated-ot-z64)."""
    if n == 0:
        return {"receiver": 0, "sender": 0}
    padded = KAPPA * -(-n // KAPPA)
    chunks = chunk_count(n)
    receiver = 16 * padded + chunks * header_bytes("iknp:u")
    if flavour in ("random-ot", "correlated-ot"):
        sender = 0
    elif flavour == "chosen-ot":
        sender = 2 * length * n + chunks * header_bytes("iknp:chosen")
    elif flavour == "correlated-ot-z64":
        sender = 8 * n + chunks * header_bytes("iknp:z64")
    elif flavour == "gilboa-z128":      # n = 128 per product; 1088 correction bytes per product
        sender = GILBOA_Z128_BYTES * (n // KAPPA) + chunks * header_bytes("iknp:z128")
    else:
        raise ValueError(f"unknown OT flavour {flavour!r}")
    return {"receiver": receiver, "sender": sender}


def iknp_flights(flavour: str) -> int:
    """One-way message flights of one batch (chunks of one flight are pipelined)."""
    return 2 if flavour in ("chosen-ot", "correlated-ot-z64", "gilboa-z128") else 1
