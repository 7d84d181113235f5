"""`mpc bench ot`: base OT and IKNP OT extension between two processes over ZeroMQ loopback.

Cases (protocols/ot-base.md, protocols/ot-iknp.md): base-ot (128 base OTs, the IKNP set-up),
random-ot, correlated-ot, chosen-ot (16-byte messages), correlated-ot-z64, at 2^20 and 2^24 OTs
(2^14 with --quick).  Seconds are the slower party's time from a common start (best of --repeat);
bytes and rounds are summed over both parties and checked against the spec's formulas.
"""
from __future__ import annotations

import time
from functools import partial

import numpy as np

from mpc.bench import BenchOptions, measurement, sync_pair
from mpc.ot.costs import base_ot_bytes, iknp_bytes, iknp_flights

DESCRIPTION = "oblivious transfer: P-256 base OT and IKNP extension (random, correlated, chosen, Z_2^64)"
CASES = ("random-ot", "correlated-ot", "chosen-ot", "correlated-ot-z64")
DEFAULT_SIZES = (1 << 20, 1 << 24)
QUICK_SIZES = (1 << 14,)
CHOSEN_LENGTH = 16


def _run_case(role, me: int, case: str, n: int, inputs: dict):
    if case == "random-ot":
        return role.random(n)
    if case == "correlated-ot":
        return role.correlated(n) if me == 0 else role.correlated(inputs["choices"])
    if case == "chosen-ot":
        if me == 0:
            return role.chosen(inputs["m0"], inputs["m1"])
        return role.chosen(inputs["choices"], CHOSEN_LENGTH)
    if me == 0:
        return role.correlated_z64(inputs["deltas"])
    return role.correlated_z64(inputs["choices"])


def party_job(channel, me: int, sizes, repeat: int, rng=None) -> dict:
    """One party's side of the whole benchmark (party 0 is the IKNP sender); returns its timings
    and byte counts per case.  Exposed for benchmarks/bench_ot.py and custom runners."""
    from mpc.ot import IknpReceiver, IknpSender
    from mpc.ot.base import random_bytes

    results: dict = {}
    base_times = []
    role = None
    for _ in range(max(1, repeat)):
        role = IknpSender(channel, rng) if me == 0 else IknpReceiver(channel, rng)
        sync_pair(channel, me)
        before = channel.stats.protocol("ot-base")
        start = time.perf_counter()
        role.setup()
        base_times.append(time.perf_counter() - start)
        after = channel.stats.protocol("ot-base")
    results["base-ot"] = {"seconds": min(base_times), "sent": after.bytes_sent - before.bytes_sent,
                          "received": after.bytes_received - before.bytes_received}
    for n in sizes:
        # Inputs are benchmark data, not secrets; drawn from the PRG/os.urandom all the same.
        raw = np.frombuffer(random_bytes(rng, -(-n // 8)), np.uint8)
        inputs = {"choices": np.unpackbits(raw, bitorder="little")[:n].copy()}
        if me == 0:
            inputs["m0"] = np.zeros((n, CHOSEN_LENGTH), np.uint8)
            inputs["m1"] = np.full((n, CHOSEN_LENGTH), 0xFF, np.uint8)
            inputs["deltas"] = np.arange(n, dtype=np.uint64)
        for case in CASES:
            best = None
            for _ in range(max(1, repeat)):
                sync_pair(channel, me)
                before = channel.stats.protocol("iknp")
                start = time.perf_counter()
                output = _run_case(role, me, case, n, inputs)
                seconds = time.perf_counter() - start
                after = channel.stats.protocol("iknp")
                del output
                best = seconds if best is None else min(best, seconds)
            results[(case, n)] = {"seconds": best, "sent": after.bytes_sent - before.bytes_sent,
                                  "received": after.bytes_received - before.bytes_received}
    return results


def rows_from(parties: list[dict], sizes) -> list[dict]:
    """Bench rows from both parties' results: slower party's time, bytes summed over parties."""
    sender, receiver = parties
    base = base_ot_bytes(128)
    base_sent = sender["base-ot"]["sent"] + receiver["base-ot"]["sent"]
    base_received = sender["base-ot"]["received"] + receiver["base-ot"]["received"]
    rows = [measurement("ot", "base-ot", 128, max(sender["base-ot"]["seconds"], receiver["base-ot"]["seconds"]),
                        bytes_sent=base_sent, bytes_received=base_received, rounds=2,
                        bytes_expected=base["sender"] + base["receiver"])]
    for n in sizes:
        for case in CASES:
            a, b = sender[(case, n)], receiver[(case, n)]
            expected = iknp_bytes(case, n, CHOSEN_LENGTH)
            total = a["sent"] + b["sent"]
            rows.append(measurement("ot", case, n, max(a["seconds"], b["seconds"]), bytes_sent=total,
                                    bytes_received=a["received"] + b["received"], rounds=iknp_flights(case),
                                    bytes_per_ot=total / n, bytes_expected=expected["sender"] + expected["receiver"]))
    return rows


def _session_job(session, sizes, repeat):
    peer = 1 - session.me
    return party_job(session.channel(peer), session.me, sizes, repeat, getattr(session, "rng", None))


def _run_parties(options: BenchOptions, sizes, repeat: int, security: str) -> list[dict]:
    job = partial(_session_job, sizes=sizes, repeat=repeat)
    runner = options.extra.get("runner")
    if runner is not None:
        return runner(job)
    from mpc.runtime import run_local
    return run_local(job, parties=2, timeout=900, security=security)


def run(options: BenchOptions) -> list[dict]:
    """Plain ZeroMQ loopback at every size (the set-up EMP-toolkit's numbers are measured in), then
    the CURVE-encrypted transport (the product default) at the smallest size; rows say which."""
    sizes = tuple(options.sizes) if options.sizes else (QUICK_SIZES if options.quick else DEFAULT_SIZES)
    repeat = 1 if options.quick else options.repeat
    rows = []
    for security, run_sizes in (("none", sizes), ("curve", sizes[:1])):
        if options.quick and security == "curve":
            continue
        for row in rows_from(_run_parties(options, run_sizes, repeat, security), run_sizes):
            row["security"] = security
            rows.append(row)
        if "runner" in options.extra:
            break
    return rows
