"""`mpc bench psi --protocol ecdh|kkrt`: the fast PSI protocols between two processes over loopback.

Cases (protocols/psi-ecdh.md, protocols/psi-kkrt.md):
  psi-ecdh / psi-kkrt   n ids per side (10^4, 10^5, 10^6; 10^3 with --quick), half of them common
                        (the sets of `mpc bench psi`), server and client in separate processes
                        (mpc.run_local), plain TCP unless --security curve.  Seconds are the slower
                        party's time from a common start, including key generation (ECDH) or the
                        base OTs (KKRT); best of --repeat below 10^6 ids, one run from 10^6 on.
                        Rows carry each role's phases, CPU seconds and peak RSS, bytes and rounds
                        summed over both parties and the spec's formulas (bytes_expected,
                        rounds_expected).
Started from mpc/bench/psi.py (module name with a leading underscore: not a protocol of its own).
"""
from __future__ import annotations

import os
from functools import partial

from mpc.bench import BenchOptions, measurement
from mpc.bench.psi import DEFAULT_SIZES, QUICK_SIZES, SINGLE_RUN_FROM, bench_ids, timed_run
from mpc.bench.psi import party_sets


def _costs(protocol: str, n: int, common: int) -> tuple[dict, int]:
    if protocol == "ecdh":
        from mpc.psi.ecdh import costs
    else:
        from mpc.psi.kkrt import costs
    return (costs.psi_bytes(n, n, server_distinct=n, matches=common),
            costs.psi_rounds(n, n, server_distinct=n, matches=common))


def party_job(channel, me: int, n: int, protocol: str, threads: int | None) -> dict:
    """One party's side (party 0 the server) of one run on the benchmark sets."""
    from mpc.psi.protocols import make_role
    server_start, client_start, _common = party_sets(n)
    ids = bench_ids(server_start if me == 0 else client_start, n)
    role = make_role(protocol, "server" if me == 0 else "client", channel, threads=threads)
    return timed_run(channel, me, role, ids)


def _session_job(session, n, protocol, threads):
    return party_job(session.channel(1 - session.me), session.me, n, protocol, threads)


def psi_row(protocol: str, n: int, runs: list, cores: int, security: str) -> dict:
    server, client = min(runs, key=lambda r: max(r[0]["seconds"], r[1]["seconds"]))
    seconds = max(server["seconds"], client["seconds"])
    _, _, common = party_sets(n)
    expected, rounds = _costs(protocol, n, common)
    return measurement(
        "psi", f"psi-{protocol}", n, seconds, bytes_sent=server["sent"] + client["sent"],
        bytes_received=server["received"] + client["received"], rounds=server["rounds"] + client["rounds"],
        n_server=n, n_client=n, intersection=client["intersection"], expected_intersection=common,
        security=security, cores=cores, runs=len(runs), bytes_expected=expected["total"],
        bytes_server_expected=expected["server"], bytes_client_expected=expected["client"],
        bytes_server=server["sent"], bytes_client=client["sent"], rounds_expected=rounds,
        server_seconds=server["seconds"], client_seconds=client["seconds"],
        server_cpu_seconds=server["cpu_seconds"], client_cpu_seconds=client["cpu_seconds"],
        server_phases=server["phases"], client_phases=client["phases"],
        server_peak_rss_bytes=server["peak_rss_bytes"], client_peak_rss_bytes=client["peak_rss_bytes"])


def run(options: BenchOptions) -> list[dict]:
    from mpc.native.rsa_psi import default_threads
    protocol = options.extra["protocol"]
    sizes = tuple(options.sizes) if options.sizes else (QUICK_SIZES if options.quick else DEFAULT_SIZES)
    cores = options.extra.get("threads") or default_threads()
    security = options.extra.get("security", "none")
    runner = options.extra.get("runner")
    if runner is None:
        from mpc.runtime import run_local
        runner = partial(run_local, parties=2, timeout=900, security=security)
    load_start = os.getloadavg()
    rows = []
    for n in sizes:
        repeat = 1 if options.quick or n >= SINGLE_RUN_FROM else options.repeat
        job = partial(_session_job, n=n, protocol=protocol, threads=options.extra.get("threads"))
        runs = [tuple(runner(job)) for _ in range(max(1, repeat))]
        rows.append(psi_row(protocol, n, runs, cores, security))
    load_end = os.getloadavg()
    for row in rows:
        row.update(load_average_start=[round(x, 2) for x in load_start],
                   load_average_end=[round(x, 2) for x in load_end])
    return rows
