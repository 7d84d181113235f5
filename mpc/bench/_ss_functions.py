"""The nonlinear-function cases of `mpc bench ss`: `sigmoid` and `reciprocal` on secret vectors.

For mpc.bench.ss (one call from its `run`).  Two parties in separate processes: party 0 inputs
a vector, both evaluate mpc.ss.nonlinear.sigmoid (method "exact") or reciprocal (default domain)
on it; the Beaver triples come from the insecure dealer, made before timing (the online phase is
the same whatever made them), the comparisons' garbled circuits and their OT run inside the timing
(the OT base set-up is done by an untimed warm-up, as in a long-running session).  Rows give
elements per second, bytes per element and rounds (summed over the parties, every protocol tag).
Spec: protocols/ss-functions.md, "Measured".
"""
from __future__ import annotations

import time
from functools import partial

import numpy as np

from mpc.bench import measurement

DEFAULTS = {"sigmoid": 2000, "reciprocal": 2000}
QUICK = {"sigmoid": 50, "reciprocal": 50}
_CASES = ("sigmoid", "reciprocal")


def _traffic(session) -> tuple[int, int, int]:
    total = session.stats.protocol("")
    bench = session.stats.protocol("bench")
    return (total.bytes_sent - bench.bytes_sent, total.bytes_received - bench.bytes_received,
            total.rounds - bench.rounds)


def _inputs(case: str, n: int) -> np.ndarray:
    """A public grid over the function's documented domain (values do not change the cost)."""
    if case == "sigmoid":
        return np.linspace(-8.0, 8.0, n)
    signs = np.where(np.arange(n) % 2, -1.0, 1.0)
    return signs * np.geomspace(2.0 ** -8, 2.0 ** 15, n)


def job(session, sizes: dict, repeat: int) -> dict:
    from mpc.bench.ss import _sync
    from mpc.ss import api, nonlinear
    functions = {"sigmoid": nonlinear.sigmoid, "reciprocal": nonlinear.reciprocal}
    api.configure(session, triples="insecure-dealer")
    warm = api.input(session, np.ones(2) if session.me == 0 else None, owner=0)
    api.reveal(warm < 0.5)                       # garbled-circuit OT set-up, untimed
    results = {}
    for case in _CASES:
        n = sizes[case]
        best = None
        for _ in range(max(1, repeat)):
            x = api.input(session, _inputs(case, n) if session.me == 0 else None, owner=0)
            api.context(session).triples.prepare(40 * n)        # dealer triples, untimed
            _sync(session)
            before = _traffic(session)
            start = time.perf_counter()
            functions[case](x)
            seconds = time.perf_counter() - start
            after = _traffic(session)
            row = {"seconds": seconds, "sent": after[0] - before[0], "received": after[1] - before[1],
                   "rounds": after[2] - before[2], "ring": x.ring.name}
            if best is None or seconds < best["seconds"]:
                best = row
        results[case] = best
    return results


def rows(options, run_parties, security: str) -> list[dict]:
    """Rows for the sigmoid and reciprocal cases; `run_parties(job, parties, options, security)`
    is mpc.bench.ss._run."""
    sizes = dict(QUICK if options.quick else DEFAULTS)
    if options.sizes:
        sizes = {case: max(1, options.sizes[0] // 500) for case in _CASES}
    repeat = 1 if options.quick else options.repeat
    parties = run_parties(partial(job, sizes=sizes, repeat=repeat), 2, options, security)
    out = []
    for case in _CASES:
        parts = [p[case] for p in parties]
        seconds = max(p["seconds"] for p in parts)
        sent = sum(p["sent"] for p in parts)
        out.append(measurement(
            "ss", case, sizes[case], seconds, bytes_sent=sent, bytes_received=sum(p["received"] for p in parts),
            rounds=sum(p["rounds"] for p in parts), parties=2, ring=parts[0]["ring"], elements_per_s=sizes[case] / seconds,
            bytes_per_element=sent / sizes[case], security=security,
            function="sigmoid(method='exact')" if case == "sigmoid" else "reciprocal (domain 2^-8..2^16)",
            triple_source="insecure-dealer, made before timing; comparisons by garbled circuits"))
    return out
