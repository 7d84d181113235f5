"""`mpc bench ss`: secret-shared multiplication between parties in separate processes over ZeroMQ.

Cases (protocols/ss-additive.md, protocols/ss-shamir.md); each row names its ring ("ring"):
  mul-online        2 parties, Beaver multiplication of two secret real vectors in Z_2^128 with the
                    truncation (local), triples made beforehand (by the insecure dealer: the online
                    phase is the same whatever made the triples)
  mul-online-z64    the same for integers in Z_2^64 (no truncation), for comparison
  mul-with-triples  2 parties, Gilboa triples over IKNP random OT in Z_2^128 plus the online
                    multiplication of reals
  shamir-mul-3p     3 parties, Shamir multiplication with degree reduction (no triples), Z_p
  matmul-100        2 parties, a 100x100 by 100x100 secret real matrix product (Z_2^128) with one
                    matrix triple
Seconds are the slowest party's time from a common start (best of --repeat); bytes and rounds are
summed over the parties; bytes_per_mul divides by the number of multiplications.  matmul-100 is
one product (n = 1); its mul_per_s counts the 10^6 scalar multiplications inside.
"""
from __future__ import annotations

import time
from functools import partial

import numpy as np

from mpc.bench import BenchOptions, _ss_functions, measurement

DESCRIPTION = ("secret sharing: Beaver multiplication of reals in Z_2^128 (online, with OT triples), integers in "
               "Z_2^64, 3-party Shamir, 100x100 matmul")
DEFAULTS = {"mul-online": 1_000_000, "mul-online-z64": 1_000_000, "mul-with-triples": 100_000,
            "shamir-mul-3p": 1_000_000, "matmul-100": 100}
QUICK = {"mul-online": 10_000, "mul-online-z64": 10_000, "mul-with-triples": 2_000, "shamir-mul-3p": 10_000,
         "matmul-100": 20}
RINGS = {"mul-online": "Z_2^128", "mul-online-z64": "Z_2^64", "mul-with-triples": "Z_2^128",
         "shamir-mul-3p": "Z_p, p = 2^61 - 1", "matmul-100": "Z_2^128"}
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
    """Best of `repeat`: (seconds, bytes sent, bytes received, rounds) of `body(setup())`, after one
    untimed warm-up run (steady state, as a user repeating a job sees it: loopback TCP windows and
    the allocator have grown to the message sizes, as in `mpc bench gc`)."""
    body(setup())
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


def _reals(session, count: int) -> np.ndarray:
    """Reals in [-1024, 1024): products well inside the range of reals."""
    return (session.rng.uint64(count) >> np.uint64(11)).astype(np.float64) / float(1 << 42) - 1024.0


def _shared_vectors(session, n: int, integers: bool = False):
    from mpc.ss import api
    rng = session.rng
    make = (lambda: rng.uint64(n)) if integers else (lambda: _reals(session, n))
    x = api.input(session, make() if session.me == 0 else None, owner=0)
    y = api.input(session, make() if session.me == 1 else None, owner=1)
    return x, y


def two_party_job(session, sizes: dict, repeat: int) -> dict:
    """Party's side of mul-online, mul-with-triples and matmul-100; returns per-case measurements."""
    from mpc.ss import api
    from mpc.ss.context import SharingContext
    from mpc.ss.ring import RING64, RING128
    from mpc.ss.triples import GilboaTriples
    results = {}
    ctx = api.configure(session, triples="insecure-dealer")
    for case, integers, ring in (("mul-online", False, RING128), ("mul-online-z64", True, RING64)):
        n = sizes[case]

        def online_setup(n=n, integers=integers, ring=ring):
            x, y = _shared_vectors(session, n, integers)
            ctx.triples.prepare(n, ring)      # offline, untimed
            return x, y
        results[case] = _timed(session, repeat, online_setup, lambda s: s[0] * s[1])

    m = sizes["matmul-100"]

    def matmul_setup():
        a = api.input(session, _reals(session, m * m).reshape(m, m) if session.me == 0 else None, owner=0)
        b = api.input(session, _reals(session, m * m).reshape(m, m) if session.me == 1 else None, owner=1)
        return a, b
    results["matmul-100"] = _timed(session, repeat, matmul_setup, lambda s: s[0] @ s[1])

    # With triples: a context whose triples come from OT, set up once (base OTs untimed, as in a
    # long-running session), then triple generation + online multiplication timed together.
    secure = SharingContext(session, triples="ot")
    warm = secure.triples
    assert isinstance(warm, GilboaTriples)
    warm.prepare(1024, RING128)
    warm.take(1024, RING128)    # the warm-up's triples must not serve the timed multiplications
    k = sizes["mul-with-triples"]

    def triple_setup():
        from mpc.ss.array import ADDITIVE, SharedArray
        rng = session.rng
        bits = secure.fractional_bits
        return tuple(SharedArray(secure, RING128.shr(RING128.random(rng, k), 64), ADDITIVE, bits, RING128)
                     for _ in range(2))
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
    if options.sizes:   # --sizes scales the vector cases: mul-online(-z64), mul-with-triples, shamir-mul-3p
        sizes.update({"mul-online": options.sizes[0], "mul-online-z64": options.sizes[0],
                      "shamir-mul-3p": options.sizes[0], "mul-with-triples": max(1, options.sizes[0] // 10)})
    repeat = 1 if options.quick else options.repeat
    security = options.extra.get("security", "none")
    two = _run(partial(two_party_job, sizes=sizes, repeat=repeat), 2, options, security)
    three = _run(partial(shamir_job, n=sizes["shamir-mul-3p"], repeat=repeat), 3, options, security)
    m = sizes["matmul-100"]
    n_mul, n_shamir = sizes["mul-online"], sizes["shamir-mul-3p"]
    # Spec formulas (protocols/ss-additive.md, ss-shamir.md) plus one 33-byte header + tag per message.
    header = 33
    expected = {
        "mul-online": 2 * (32 * n_mul + header + len("ss:mul")),
        "mul-online-z64": 2 * (16 * sizes["mul-online-z64"] + header + len("ss:mul")),
        "shamir-mul-3p": 3 * 2 * (8 * n_shamir + header + len("ss:shamir-reshare")),
        "matmul-100": 2 * (16 * 2 * m * m + header + len("ss:matmul")),
    }
    return [
        _row("mul-online", sizes["mul-online"], sizes["mul-online"], two, parties=2, ring=RINGS["mul-online"],
             values="reals, 20 fractional bits, local truncation", bytes_expected=expected["mul-online"],
             triple_source="insecure-dealer, made before timing", security=security),
        _row("mul-online-z64", sizes["mul-online-z64"], sizes["mul-online-z64"], two, parties=2,
             ring=RINGS["mul-online-z64"], values="integers", bytes_expected=expected["mul-online-z64"],
             triple_source="insecure-dealer, made before timing", security=security),
        _row("mul-with-triples", sizes["mul-with-triples"], sizes["mul-with-triples"], two, parties=2,
             ring=RINGS["mul-with-triples"], values="reals, 20 fractional bits, local truncation",
             triple_source="Gilboa over IKNP random OT (base OTs before timing)", security=security),
        _row("shamir-mul-3p", sizes["shamir-mul-3p"], sizes["shamir-mul-3p"], three, parties=3,
             ring=RINGS["shamir-mul-3p"], values="integers",
             threshold=1, bytes_expected=expected["shamir-mul-3p"], security=security),
        # n = 1 product, so ops_per_s is matrix products per second; mul_per_s counts the m^3
        # scalar multiplications inside it.
        _row("matmul-100", 1, m ** 3, two, parties=2, dimension=m, shape=f"{m}x{m} @ {m}x{m}",
             ring=RINGS["matmul-100"], values="reals, 20 fractional bits, local truncation",
             bytes_expected=expected["matmul-100"],
             triple_source="insecure-dealer matrix triple, made during timing", security=security),
    ] + _ss_functions.rows(options, _run, security)   # sigmoid, reciprocal (protocols/ss-functions.md)
