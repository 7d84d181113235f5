"""Exact traffic of vertical logistic regression, as stated in protocols/lr-vertical.md.

For tests and `mpc bench lr`, which check these formulas against the bytes the transport counted.
Every message costs its payload plus a wire header of 33 + len(tag) bytes (protocols/wire.md).
"""
from __future__ import annotations

from mpc.ml.ole import BITS, TAG_CORRECTION, _chunk_plan
from mpc.ot.costs import iknp_bytes
from mpc.transport.wire import header_bytes


def product_traffic(k: int, width: int) -> dict:
    """Bytes each side of one PlainProduct sends, with headers: {"receiver": ..., "sender": ...}."""
    receiver = sender = 0
    for rows, cols in _chunk_plan(k, width):
        receiver += iknp_bytes("random-ot", BITS * rows)["receiver"]
        sender += 8 * BITS * rows * cols + header_bytes(TAG_CORRECTION)
    return {"receiver": receiver, "sender": sender}


def ss_product_bytes(rows: int, d_guest: int, d_host: int, weighted: bool) -> dict:
    """Bytes guest and host send for the plaintext x share products of one ss mini-batch (after
    the one-time base OTs); the update adds `gc_update_bytes` (party 0 garbles)."""
    guest = host = 0
    products = [("guest", d_guest, rows), ("host", d_host, rows)]          # forward: k = d, L = B
    if weighted:
        products.append(("guest", rows, 1))
    products += [("guest", rows, d_guest), ("host", rows, d_host)]          # backward: k = B, L = d
    for sender, k, width in products:
        t = product_traffic(k, width)
        if sender == "guest":
            guest, host = guest + t["sender"], host + t["receiver"]
        else:
            guest, host = guest + t["receiver"], host + t["sender"]
    return {"guest": guest, "host": host, "gc_instances": d_guest + d_host + 1}


def gc_update_bytes(count: int, constants: tuple) -> dict:
    """Bytes garbler (party 0) and evaluator send in one update job of `count` parameters."""
    from mpc.gc.job import EVALUATOR, GARBLER, Job, run_bytes
    from mpc.ml import fixedpoint
    from mpc.ml.update import update_circuit
    wmax = int(round(fixedpoint.WEIGHT_CLIP * (1 << fixedpoint.WEIGHT_BITS)))
    job = Job(update_circuit(*constants, wmax), (GARBLER, GARBLER, GARBLER, GARBLER, EVALUATOR, EVALUATOR),
              (False,) * 6, count, "evaluator")
    costs = run_bytes(job)
    return {"garbler": costs["garbler"], "evaluator": costs["evaluator"], "flights": costs["flights"]}
