"""`mpc bench psi`: blind-RSA PSI between two processes over ZeroMQ loopback, against OpenSSL's RSA.

Cases (protocols/psi-rsa.md):
  psi-rsa              n ids per side (10^4, 10^5, 10^6; 10^3 with --quick), half of them common,
                       server and client in separate processes (mpc.run_local), RSA-2048, default
                       batch; plain TCP, then CurveZMQ at the smallest size if below 10^6.
                       Seconds are the slower party's time from a common start, including the
                       server's fresh key; best of --repeat (each in fresh processes) below 10^6
                       ids, one run from 10^6 on.  Rows carry each role's phase times, CPU seconds
                       and peak RSS, the RSA private operations (n_client + n_server) per second,
                       bytes and rounds summed over both parties, and the spec's formula
                       (bytes_expected, rounds_expected).
  psi-rsa-sign-kernel  the PSI's own CRT signing kernel (mpc_rsa_psi_sign) alone, all cores.
  openssl-rsa-private  OpenSSL's RSA-2048 private-key operation on all cores in threads
                       (native/openssl_bench.c), measured before and after the PSI runs; the
                       faster rate is the reference.
In psi-rsa rows ops_per_s counts identifiers per side per second.  Every psi-rsa row also states
`openssl_seconds_for_ops` = (n_client + n_server) / OpenSSL's rate
and `ratio_to_openssl` = seconds / that; the project's target is 1.25 at 10^6 x 10^6.
"""
from __future__ import annotations

import os
import resource
import time
from functools import partial

import numpy as np

from mpc.bench import BenchOptions, measurement, sync_pair

DESCRIPTION = "private set intersection: blind-RSA PSI (RSA-2048) end to end, against OpenSSL's RSA private-key rate"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000,)
TARGET_RATIO = 1.25
KEY_BITS = 2048
ID_DIGITS = 18
SINGLE_RUN_FROM = 1_000_000


def bench_ids(start: int, count: int):
    """PackedIds of the decimal strings f"{i:018d}", i = start .. start+count-1, built in numpy (the
    same bytes as PackedIds.from_values of those strings, without a Python object per id)."""
    from mpc.psi.ids import PackedIds
    values = np.arange(start, start + count, dtype=np.uint64)
    rows = np.empty((count, 4 + ID_DIGITS), dtype=np.uint8)
    rows[:, :4] = np.frombuffer(ID_DIGITS.to_bytes(4, "big"), dtype=np.uint8)
    for column in range(4 + ID_DIGITS - 1, 3, -1):
        rows[:, column] = 48 + (values % 10).astype(np.uint8)
        values //= 10
    offsets = np.arange(count + 1, dtype=np.uint64) * (4 + ID_DIGITS)
    return PackedIds(rows.tobytes(), offsets, 1)


def party_sets(n: int) -> tuple[int, int, int]:
    """(server's first id, client's first id, intersection size) for n ids per side."""
    return 0, n // 2, n - n // 2


def _reset_peak_rss() -> bool:
    try:  # Linux >= 4.0: writing 5 resets VmHWM to the current RSS
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_rss_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def party_job(channel, me: int, n: int, batch: int | None, threads: int | None) -> dict:
    """One party's side (party 0 the server) of one PSI run on the benchmark sets: its seconds, CPU
    seconds, phases, traffic, intersection and peak RSS.  For benchmarks/bench_psi.py too.  Each run
    needs a fresh session: the transport counts a round when a tag's sends follow a receive, so a
    second run on the same channel would count none."""
    from mpc.psi import messages as msg
    from mpc.psi.client import RsaPsiClient
    from mpc.psi.server import RsaPsiServer
    server_start, client_start, _common = party_sets(n)
    ids = bench_ids(server_start if me == 0 else client_start, n)
    batch = batch or msg.DEFAULT_BATCH
    if me == 0:
        role = RsaPsiServer(channel, key_bits=KEY_BITS, batch_size=batch, threads=threads)
    else:
        role = RsaPsiClient(channel, threads=threads)
    return dict(timed_run(channel, me, role, ids), batch=batch)


def timed_run(channel, me: int, role, ids) -> dict:
    """Run one PSI role after a sync with the peer: seconds, CPU seconds, phases, traffic, sizes and
    peak RSS (shared by every protocol's benchmark)."""
    peak_reset = _reset_peak_rss()
    sync_pair(channel, me)
    cpu, start = time.process_time(), time.perf_counter()
    outcome = role.run(ids)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "phases": dict(outcome.phases),
            "sent": outcome.bytes_sent, "received": outcome.bytes_received, "rounds": outcome.rounds,
            "intersection": outcome.intersection_size, "distinct": outcome.distinct,
            "peak_rss_bytes": _peak_rss_bytes(), "peak_rss_reset": peak_reset}


def _session_job(session, n, batch, threads):
    return party_job(session.channel(1 - session.me), session.me, n, batch, threads)


def _run_parties(options: BenchOptions, n: int, repeat: int, security: str) -> tuple[list, list]:
    """`repeat` runs, each in a fresh pair of processes: (server results, client results)."""
    job = partial(_session_job, n=n, batch=options.extra.get("batch"), threads=options.extra.get("threads"))
    runner = options.extra.get("runner")
    if runner is None:
        from mpc.runtime import run_local
        runner = partial(run_local, parties=2, timeout=900, security=security)
    runs = [runner(job) for _ in range(max(1, repeat))]
    return [r[0] for r in runs], [r[1] for r in runs]


def psi_row(n: int, server_runs: list[dict], client_runs: list[dict], cores: int, security: str) -> dict:
    """The psi-rsa row of the best run (smallest slower-party time), with the spec's formula."""
    from mpc.psi.costs import psi_bytes, psi_rounds
    pairs = list(zip(server_runs, client_runs))
    server, client = min(pairs, key=lambda p: max(p[0]["seconds"], p[1]["seconds"]))
    seconds = max(server["seconds"], client["seconds"])
    _, _, common = party_sets(n)
    expected = psi_bytes(n, n, KEY_BITS // 8, server["batch"], server_distinct=n, matches=common)
    private_ops = 2 * n  # the client's n blinded values and the server's own n ids
    return measurement(
        "psi", "psi-rsa", n, seconds, bytes_sent=server["sent"] + client["sent"],
        bytes_received=server["received"] + client["received"], rounds=server["rounds"] + client["rounds"],
        n_server=n, n_client=n, intersection=client["intersection"], expected_intersection=common,
        key_bits=KEY_BITS, batch=server["batch"], security=security, cores=cores, runs=len(pairs),
        bytes_expected=expected["total"], bytes_server_expected=expected["server"],
        bytes_client_expected=expected["client"], bytes_server=server["sent"], bytes_client=client["sent"],
        rounds_expected=psi_rounds(n, n, server_distinct=n, matches=common),
        rsa_private_ops=private_ops, rsa_private_ops_per_s=private_ops / seconds,
        rsa_private_ops_per_s_per_core=private_ops / seconds / cores,
        server_seconds=server["seconds"], client_seconds=client["seconds"],
        server_cpu_seconds=server["cpu_seconds"], client_cpu_seconds=client["cpu_seconds"],
        server_phases=server["phases"], client_phases=client["phases"],
        server_peak_rss_bytes=server["peak_rss_bytes"], client_peak_rss_bytes=client["peak_rss_bytes"])


def openssl_measurement(quick: bool, cores: int) -> dict:
    """OpenSSL's RSA-2048 private-key rate on `cores` threads, and on one for scale."""
    from mpc.native.openssl_bench import rsa_private_rate
    per_thread = 200 if quick else 4000
    both = rsa_private_rate(KEY_BITS, per_thread, cores)
    one = rsa_private_rate(KEY_BITS, per_thread // 2, 1)
    return {"both": both, "one": one}


def openssl_row(measurements: list[dict], cores: int) -> dict:
    best = max(measurements, key=lambda m: m["both"]["ops_per_s"])
    both = best["both"]
    return measurement("psi", "openssl-rsa-private", both["ops"], both["seconds"], key_bits=KEY_BITS,
                       threads=cores, cores=cores, cpu_seconds=both["cpu_seconds"],
                       ops_per_s_per_core=both["ops_per_s"] / cores,
                       single_thread_ops_per_s=best["one"]["ops_per_s"],
                       all_measurements_ops_per_s=[m["both"]["ops_per_s"] for m in measurements],
                       operation="EVP_PKEY_sign, PKCS#1 v1.5 / SHA-256, fresh key, one EVP_PKEY_CTX per thread")


def kernel_row(quick: bool, cores: int, repeat: int) -> dict:
    """The PSI's CRT signing kernel alone on all cores (no protocol, no client competing)."""
    from mpc.native import rsa_psi as kernels
    from mpc.psi.keys import RsaPsiKey
    key = RsaPsiKey.generate(KEY_BITS)
    count = 400 if quick else 8192
    ids = bench_ids(0, count)
    messages = kernels.hash_to_group(ids.data, ids.offsets, os.urandom(16), key.public.modulus, threads=cores)
    best = float("inf")
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        key.sign(messages, threads=cores)
        best = min(best, time.perf_counter() - start)
    return measurement("psi", "psi-rsa-sign-kernel", count, best, key_bits=KEY_BITS, threads=cores, cores=cores,
                       ops_per_s_per_core=count / best / cores, kernel="mpc_rsa_psi_sign")


def add_openssl_ratio(row: dict, openssl_ops_per_s: float) -> dict:
    reference = row["rsa_private_ops"] / openssl_ops_per_s
    row.update(openssl_ops_per_s=openssl_ops_per_s, openssl_seconds_for_ops=reference,
               ratio_to_openssl=row["seconds"] / reference, target_ratio=TARGET_RATIO,
               within_target=row["seconds"] / reference <= TARGET_RATIO)
    return row


def _load():
    try:  # other work on the machine shares the cores: the rows say how busy it was
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def run(options: BenchOptions) -> list[dict]:
    from mpc.native.rsa_psi import default_threads
    if options.extra.get("protocol", "rsa") != "rsa":  # --protocol ecdh|kkrt: mpc/bench/_psi_fast.py
        from mpc.bench._psi_fast import run as run_fast
        return run_fast(options)
    sizes = tuple(options.sizes) if options.sizes else (QUICK_SIZES if options.quick else DEFAULT_SIZES)
    cores = options.extra.get("threads") or default_threads()
    load_start = _load()
    security = options.extra.get("security", "none")
    openssl = [openssl_measurement(options.quick, cores)]
    rows = [kernel_row(options.quick, cores, 1 if options.quick else options.repeat)]
    plan = [(n, security) for n in sizes]
    if not options.quick and security == "none" and "runner" not in options.extra and sizes[0] < SINGLE_RUN_FROM:
        plan.append((sizes[0], "curve"))  # the product's default transport, at the smallest size
    for n, mode in plan:
        repeat = 1 if options.quick or n >= SINGLE_RUN_FROM else options.repeat
        server_runs, client_runs = _run_parties(options, n, repeat, mode)
        rows.append(psi_row(n, server_runs, client_runs, cores, mode))
    if not options.quick:
        openssl.append(openssl_measurement(options.quick, cores))
    reference = openssl_row(openssl, cores)
    for row in rows:
        if row["case"] == "psi-rsa":
            add_openssl_ratio(row, reference["ops_per_s"])
    load_end = _load()
    for row in [reference, *rows]:
        row.update(load_average_start=load_start, load_average_end=load_end)
    return [reference, *rows]
