"""Exact traffic of keyword PIR, as stated in protocols/pir.md ("Costs").

For tests and benchmarks, which check these formulas against the bytes the transport counted.
Every message costs its payload plus one wire header of 33 + len(tag) bytes (protocols/wire.md).
"""
from __future__ import annotations

import json

from mpc.pir import messages as msg
from mpc.pir import params
from mpc.pir.params import Geometry
from mpc.transport.wire import header_bytes


def message_count(items: int, per_message: int) -> int:
    return -(-items // per_message)


def hint_bytes(geometry: Geometry) -> int:
    return 4 * geometry.rows * params.LWE_N


def per_key_bytes(geometry: Geometry) -> dict:
    """Payload bytes one looked-up key adds: blinded element and two index queries up, evaluated
    element and two answers down (headers are per batch, not per key)."""
    up = msg.ELEMENT_BYTES + msg.QUERIES_PER_KEY * 4 * geometry.cols
    down = msg.ELEMENT_BYTES + msg.QUERIES_PER_KEY * 4 * geometry.rows
    return {"up": up, "down": down}


def pir_bytes(geometry: Geometry, keys: int, *, batch: int = msg.DEFAULT_BATCH,
              value_columns: list[str] | None = None) -> dict:
    """Bytes the client and the server send in one session looking up `keys` keys."""
    batches = message_count(keys, batch)
    names = len(json.dumps(list(value_columns or []), ensure_ascii=False).encode("utf-8"))
    per_key = per_key_bytes(geometry)
    client = (header_bytes(msg.TAG_CLIENT_HELLO) + msg.CLIENT_HELLO_BYTES
              + (batches + 1) * (header_bytes(msg.TAG_BATCH) + msg.BATCH_BYTES)
              + batches * (header_bytes(msg.TAG_BLINDED) + header_bytes(msg.TAG_QUERIES))
              + keys * per_key["up"])
    server = (header_bytes(msg.TAG_SERVER_HELLO) + msg.SERVER_HELLO_BYTES + names
              + message_count(geometry.rows, msg.HINT_ROWS_PER_MESSAGE) * header_bytes(msg.TAG_HINT)
              + hint_bytes(geometry)
              + batches * (header_bytes(msg.TAG_EVALUATED) + header_bytes(msg.TAG_ANSWERS))
              + keys * per_key["down"])
    return {"client": client, "server": server, "total": client + server}


SETUP_FLIGHTS = 2       # the hellos cross, then the hint follows the client's hello
FLIGHTS_PER_BATCH = 4   # blinded ->, evaluated <-, queries ->, answers <-


def flights(keys: int, batch: int = msg.DEFAULT_BATCH) -> int:
    """One-way network latencies on the critical path of looking up `keys` keys (after set-up)."""
    return FLIGHTS_PER_BATCH * message_count(keys, batch)
