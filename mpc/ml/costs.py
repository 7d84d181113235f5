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


def sigmoid_bytes(rows: int, lift: bool) -> dict:
    """Bytes garbler (party 0) and evaluator send for the hard sigmoid on one batch of `rows` rows
    (one circuit per LANES rows; `lift`: the he protocol's 128-bit integer-share output)."""
    from mpc.gc.job import run_bytes
    from mpc.ml import fixedpoint, sigmoid
    out = {"garbler": 0, "evaluator": 0}
    for first in range(0, rows, sigmoid.LANES):
        costs = run_bytes(sigmoid.clip_job(4 << fixedpoint.residual_scale(), lift, min(sigmoid.LANES, rows - first)))
        out["garbler"] += costs["garbler"]
        out["evaluator"] += costs["evaluator"]
    return out


def he_batch_bytes(rows: int, d_mine: int, d_peer: int, cipher_bytes: int, *, guest: bool, garbler: bool,
                   weighted: bool) -> int:
    """Bytes one party sends in one he mini-batch of `rows` rows, headers included: Enc_own of its
    share of the peer's weights (d_peer), the masked forward products (rows), its share of r
    encrypted (rows), the masked gradient products (d_mine), the class-weight product (rows, host
    -> guest -> host, when weighted), and its side of the lifted sigmoid circuit."""
    from mpc.ml import he_common, he_guest
    sent = (d_peer * cipher_bytes + header_bytes(he_common.TAG_FORWARD + ":in")
            + rows * cipher_bytes + header_bytes(he_common.TAG_FORWARD + ":out")
            + rows * cipher_bytes + header_bytes(he_common.TAG_GRADIENT + ":in")
            + d_mine * cipher_bytes + header_bytes(he_common.TAG_GRADIENT + ":out"))
    if weighted:
        sent += rows * cipher_bytes + header_bytes(he_guest.TAG_CLASS_BACK if guest else he_guest.TAG_CLASS)
    return sent + sigmoid_bytes(rows, lift=True)["garbler" if garbler else "evaluator"]


def he_fit_bytes(n: int, batch: int, epochs: int, d_mine: int, d_peer: int, key_bits: int, *, guest: bool,
                 garbler: bool, weighted: bool) -> int:
    """Bytes one party sends in an he fit without tol, all but the ml:hello JSON: the joint seed,
    its Paillier key, the GC set-up, epochs x the batches, and the final shares (57 bytes each:
    the peer's weights, plus the intercept from the host)."""
    from mpc.gc.job import setup_bytes
    from mpc.ml import he_bounds, he_common, link
    cipher_bytes = key_bits // 4          # N has exactly key_bits bits (phe), N^2 fills key_bits / 4 bytes
    sent = link.SEED_BYTES + header_bytes(link.TAG_SEED) + key_bits // 8 + 1 + header_bytes(he_common.TAG_KEY)
    sent += setup_bytes()["garbler" if garbler else "evaluator"]
    for _ in range(epochs):
        for first in range(0, n, batch):
            sent += he_batch_bytes(min(batch, n - first), d_mine, d_peer, cipher_bytes, guest=guest,
                                   garbler=garbler, weighted=weighted)
    shares = d_peer + (0 if guest else 1)
    return sent + he_bounds.REVEAL_BYTES * shares + header_bytes(he_common.TAG_SHARES)
