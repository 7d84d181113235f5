"""`mpc bench ss`: secret-shared multiplication between parties in separate processes over ZeroMQ.

Cases (protocols/ss-additive.md, protocols/ss-shamir.md):
  mul-online        2 parties, Beaver multiplication of two secret vectors, triples made beforehand
                    (by the insecure dealer: the online phase is the same whatever made the triples)
  mul-with-triples  2 parties, Gilboa triples over IKNP correlated OT plus the online multiplication
  shamir-mul-3p     3 parties, Shamir multiplication with degree reduction (no triples)
  matmul-100        2 parties, a 100x100 by 100x100 secret matrix product with one matrix triple
Seconds are the slowest party's time from a common start (best of --repeat); bytes and rounds are
summed over the parties; bytes_per_mul divides by the number of multiplications.  matmul-100 is
one product (n = 1); its mul_per_s counts the 10^6 scalar multiplications inside.
"""
from __future__ import annotations

import time
from functools import partial

import numpy as np

from mpc.bench import BenchOptions, _ss_functions, measurement

DESCRIPTION = "secret sharing: Beaver multiplication (online, with OT triples), 3-party Shamir, 100x100 matmul"
DEFAULTS = {"mul-online": 1_000_000, "mul-with-triples": 100_000, "shamir-mul-3p": 1_000_000, "matmul-100": 100}
QUICK = {"mul-online": 10_000, "mul-with-triples": 2_000, "shamir-mul-3p": 10_000, "matmul-100": 20}
_SYNC = "bench:sync"
_PREFIXES = ("ss", "iknp", "ot-base", "bench")


def _sync(session) -> None:
    """Everyone reports to party 0, then party 0 releases everyone: a common start."""
    if session.me == 0:
        for peer in range(1, session.parties):
            session.channel(peer).recv(_SYNC)
        for peer in range(1, session.parties):
            session.channel(peer).send(_SYNC, b"")
    else:
        session.channel(0).send(_SYNC, b"")
        session.channel(0).recv(_SYNC)


def _traffic(session) -> tuple[int, int, int]:
    sent = received = rounds = 0
    for prefix in ("ss", "iknp", "ot-base"):
        c = session.stats.protocol(prefix)
        sent, received, rounds = sent + c.bytes_sent, received + c.bytes_received, rounds + c.rounds
    return sent, received, rounds


def _timed(session, repeat: int, setup, body) -> dict:
    """Best of `repeat`: (seconds, bytes sent, bytes received, rounds) of `body(setup())`."""
    best = None
    for _ in range(max(1, repeat)):
        state = setup()
        _sync(session)
        before = _traffic(session)
        start = time.perf_counter()
        body(state)
        seconds = time.perf_counter() - start
        after = _traffic(session)
        result = {"seconds": seconds, "sent": after[0] - before[0], "received": after[1] - before[1],
                  "rounds": after[2] - before[2]}
        if best is None or seconds < best["seconds"]:
            best = result
    return best


def _shared_vectors(session, n: int):
    from mpc.ss import api
    rng = session.rng
    x = api.input(session, rng.uint64(n) if session.me == 0 else None, owner=0)
    y = api.input(session, rng.uint64(n) if session.me == 1 else None, owner=1)
    return x, y


def two_party_job(session, sizes: dict, repeat: int) -> dict:
    """Party's side of mul-online, mul-with-triples and matmul-100; returns per-case measurements."""
    from mpc.ss import api
    from mpc.ss.context import SharingContext
    from mpc.ss.triples import GilboaTriples
    results = {}
    ctx = api.configure(session, triples="insecure-dealer")
    n = sizes["mul-online"]

    def online_setup():
        x, y = _shared_vectors(session, n)
        ctx.triples.prepare(n)      # offline, untimed
        return x, y
    results["mul-online"] = _timed(session, repeat, online_setup, lambda s: s[0] * s[1])

    m = sizes["matmul-100"]

    def matmul_setup():
        rng = session.rng
        a = api.input(session, rng.uint64(m * m).reshape(m, m) if session.me == 0 else None, owner=0)
        b = api.input(session, rng.uint64(m * m).reshape(m, m) if session.me == 1 else None, owner=1)
        return a, b
    results["matmul-100"] = _timed(session, repeat, matmul_setup, lambda s: s[0] @ s[1])

    # With triples: a context whose triples come from OT, set up once (base OTs untimed, as in a
    # long-running session), then triple generation + online multiplication timed together.
    secure = SharingContext(session, triples="ot")
    warm = secure.triples
    assert isinstance(warm, GilboaTriples)
    warm.prepare(1024)
    k = sizes["mul-with-triples"]

    def triple_setup():
        from mpc.ss.array import ADDITIVE, SharedArray
        rng = session.rng
        return (SharedArray(secure, rng.uint64(k), ADDITIVE), SharedArray(secure, rng.uint64(k), ADDITIVE))
    results["mul-with-triples"] = _timed(session, repeat, triple_setup, lambda s: s[0] * s[1])
    return results


def shamir_job(session, n: int, repeat: int) -> dict:
    from mpc.ss import api
    api.configure(session)

    def setup():
        rng = session.rng
        values = (rng.uint64(n) >> np.uint64(34)).astype(np.int64)
        x = api.input(session, values if session.me == 0 else None, owner=0, kind="shamir")
        y = api.input(session, values if session.me == 1 else None, owner=1, kind="shamir")
        return x, y
    return {"shamir-mul-3p": _timed(session, repeat, setup, lambda s: s[0] * s[1])}


def _run(job, parties: int, options: BenchOptions, security: str):
    runner = options.extra.get("runner")
    if runner is not None:
        return runner(job, parties)
    from mpc.runtime import run_local
    return run_local(job, parties=parties, timeout=900, security=security)


def _row(case: str, n: int, mults: int, party_results: list[dict], **extra) -> dict:
    parts = [r[case] for r in party_results]
    sent = sum(p["sent"] for p in parts)
    return measurement("ss", case, n, max(p["seconds"] for p in parts), bytes_sent=sent,
                       bytes_received=sum(p["received"] for p in parts), rounds=sum(p["rounds"] for p in parts),
                       multiplications=mults, mul_per_s=mults / max(p["seconds"] for p in parts),
                       bytes_per_mul=sent / mults, **extra)


def run(options: BenchOptions) -> list[dict]:
    sizes = dict(QUICK if options.quick else DEFAULTS)
    if options.sizes:   # --sizes scales the vector cases: mul-online, mul-with-triples, shamir-mul-3p
        sizes.update({"mul-online": options.sizes[0], "shamir-mul-3p": options.sizes[0],
                      "mul-with-triples": max(1, options.sizes[0] // 10)})
    repeat = 1 if options.quick else options.repeat
    security = options.extra.get("security", "none")
    two = _run(partial(two_party_job, sizes=sizes, repeat=repeat), 2, options, security)
    three = _run(partial(shamir_job, n=sizes["shamir-mul-3p"], repeat=repeat), 3, options, security)
    m = sizes["matmul-100"]
    n_mul, n_shamir = sizes["mul-online"], sizes["shamir-mul-3p"]
    # Spec formulas (protocols/ss-additive.md, ss-shamir.md) plus one 33-byte header + tag per message.
    header = 33
    expected = {
        "mul-online": 2 * (16 * n_mul + header + len("ss:mul")),
        "shamir-mul-3p": 3 * 2 * (8 * n_shamir + header + len("ss:shamir-reshare")),
        "matmul-100": 2 * (8 * 2 * m * m + header + len("ss:matmul")),
    }
    return [
        _row("mul-online", sizes["mul-online"], sizes["mul-online"], two, parties=2,
             bytes_expected=expected["mul-online"],
             triple_source="insecure-dealer, made before timing", security=security),
        _row("mul-with-triples", sizes["mul-with-triples"], sizes["mul-with-triples"], two, parties=2,
             triple_source="Gilboa over IKNP correlated OT (base OTs before timing)", security=security),
        _row("shamir-mul-3p", sizes["shamir-mul-3p"], sizes["shamir-mul-3p"], three, parties=3,
             threshold=1, bytes_expected=expected["shamir-mul-3p"], security=security),
        # n = 1 product, so ops_per_s is matrix products per second; mul_per_s counts the m^3
        # scalar multiplications inside it.
        _row("matmul-100", 1, m ** 3, two, parties=2, dimension=m, shape=f"{m}x{m} @ {m}x{m}",
             bytes_expected=expected["matmul-100"],
             triple_source="insecure-dealer matrix triple, made during timing", security=security),
    ] + _ss_functions.rows(options, _run, security)   # sigmoid, reciprocal (protocols/ss-functions.md)
