"""`mpc bench pir`: keyword PIR against a table of n rows of 256 bytes (spec: protocols/pir.md).

Cases, for each size (10^6 rows by default, 10^4 with --quick):
  pir-preprocess   the server's one-off work: OPRF of every key, cuckoo placement, sealing,
                   hint (phases in the row), with the matrix and hint sizes.
  pir-scan         the SimplePIR answer kernel on one query over the whole matrix, 1 thread and all
                   cores: GB of table per second (gb_per_s_per_core is the issue's target, >= 5).
  pir-hint         a client's session set-up over ZeroMQ loopback: hello, hint download, A expanded.
  pir-query        one key looked up end to end (client's OPRF, query, decode and both directions),
                   best of --repeat, in a session that already has the hint (target <= 1 s at 10^6).
  pir-batch        100 keys in one batch, likewise.
Server and client run in separate processes (mpc.run_local, CurveZMQ).  Bytes are the client's,
sent + received in that case, and bytes_expected is mpc.pir.costs' formula for it; rounds are the
one-way flights on the case's critical path (mpc.pir.costs.flights: 4 per batch, 2 for set-up).
"""
from __future__ import annotations

import os
import time

import numpy as np

from mpc.bench import BenchOptions, measurement

DESCRIPTION = "keyword PIR: P-256 OPRF + cuckoo + SimplePIR over a table of 10^6 rows of 256 bytes"
DEFAULT_SIZES = (1_000_000,)
QUICK_SIZES = (10_000,)
VALUE_BYTES = 255              # + 1 kind byte = 256 bytes of row data per key
BATCH_KEYS = 100
TAG_READY = "bench:pir-ready"


def bench_table(n: int):
    """(packed keys, encoded values): decimal ids 0..n-1 and random 256-byte rows."""
    from mpc.bench.psi import bench_ids
    from mpc.pir import keyword
    raw = os.urandom(n * VALUE_BYTES)
    kind = bytes([keyword.VALUE_BYTES])
    values = [kind + raw[i * VALUE_BYTES:(i + 1) * VALUE_BYTES] for i in range(n)]
    return bench_ids(0, n), values


def _server(session, n: int, repeat: int) -> dict:
    from mpc.pir import PirDatabase, PirServer, lwe
    ids, values = bench_table(n)
    started = time.perf_counter()
    database = PirDatabase.build(ids, values)
    preprocess = time.perf_counter() - started
    del ids, values
    scans = {}
    query = np.frombuffer(os.urandom(4 * database.geometry.cols), dtype=np.uint32).reshape(1, -1)
    for threads in (1, None):
        best = float("inf")
        for _ in range(max(1, repeat)):
            t = time.perf_counter()
            lwe.answer(database.matrix, query, threads=threads)
            best = min(best, time.perf_counter() - t)
        scans["1" if threads == 1 else "all"] = best
    ch = session.channel(1)
    ch.send(TAG_READY, b"")
    outcome = PirServer(ch, database, max_batch=BATCH_KEYS).run()
    g = database.geometry
    return {"preprocess": preprocess, "phases": database.phases, "scans": scans, "cols": g.cols, "rows": g.rows,
            "slots": g.slots, "entry_bytes": g.entry_bytes, "matrix_bytes": g.matrix_bytes,
            "hint_bytes": database.hint.nbytes, "served": outcome.queries}


def _client(session, n: int, repeat: int) -> dict:
    from mpc.bench.psi import bench_ids
    from mpc.pir import PirClient
    ch = session.channel(0)
    ch.recv(TAG_READY)
    client = PirClient(ch, rng=session.rng)
    stats = ch.stats

    def timed(fn):
        before = stats.protocol("pir")
        t = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - t
        after = stats.protocol("pir")
        return seconds, after.bytes_sent - before.bytes_sent, after.bytes_received - before.bytes_received, result

    hint = timed(lambda: client.connect(1))
    present = bench_ids(n // 3, 1)
    singles = [timed(lambda: client.lookup(present)) for _ in range(max(1, repeat))]
    single = min(singles, key=lambda r: r[0])
    batch_ids = bench_ids(n - BATCH_KEYS // 2, BATCH_KEYS)  # half present, half absent
    batch = timed(lambda: client.lookup(batch_ids))
    client.close()
    found = sum(v is not None for v in batch[3])
    return {"hint": hint[:3], "single": single[:3], "single_found": single[3][0] is not None,
            "batch": batch[:3], "batch_found": found}


def _job(session, n: int, repeat: int) -> dict:
    return _server(session, n, repeat) if session.me == 0 else _client(session, n, repeat)


def rows_for(n: int, server: dict, client: dict) -> list[dict]:
    from mpc.pir import costs
    from mpc.pir.params import Geometry
    from mpc.transport.wire import header_bytes
    from mpc.pir import messages as msg
    g = Geometry(server["cols"], server["slots"], server["entry_bytes"])
    per_key = costs.per_key_bytes(g)
    batch_headers = (header_bytes(msg.TAG_BATCH) + msg.BATCH_BYTES + header_bytes(msg.TAG_BLINDED)
                     + header_bytes(msg.TAG_QUERIES) + header_bytes(msg.TAG_EVALUATED) + header_bytes(msg.TAG_ANSWERS))
    table_bytes = server["matrix_bytes"]
    cores = max(1, len(os.sched_getaffinity(0)))
    shape = {"matrix_rows": g.rows, "matrix_cols": g.cols, "slots": g.slots, "entry_bytes": g.entry_bytes,
             "matrix_bytes": table_bytes, "hint_bytes": server["hint_bytes"]}
    out = [measurement("pir", "pir-preprocess", n, server["preprocess"], phases=server["phases"], **shape)]
    for label, seconds in server["scans"].items():
        threads = 1 if label == "1" else cores
        rate = table_bytes / seconds / 1e9
        out.append(measurement("pir", "pir-scan", table_bytes, seconds, threads=threads, gb_per_s=rate,
                               gb_per_s_per_core=rate / threads, target_gb_per_s_per_core=5.0))
    seconds, up, down = client["hint"]
    out.append(measurement("pir", "pir-hint", n, seconds, bytes_sent=up, bytes_received=down,
                           rounds=costs.SETUP_FLIGHTS,
                           hint_bytes=server["hint_bytes"]))
    for case, keys, key in (("pir-query", 1, "single"), ("pir-batch", BATCH_KEYS, "batch")):
        seconds, up, down = client[key]
        expected = keys * (per_key["up"] + per_key["down"]) + batch_headers
        out.append(measurement("pir", case, keys, seconds, bytes_sent=up, bytes_received=down,
                               rounds=costs.flights(keys, BATCH_KEYS),
                               bytes_expected=expected, table_rows=n, seconds_per_key=seconds / keys,
                               found=client["single_found"] if keys == 1 else client["batch_found"],
                               target_seconds=1.0 if keys == 1 else None))
    return out


def run(options: BenchOptions) -> list[dict]:
    from mpc.runtime import run_local
    sizes = options.sizes or (QUICK_SIZES if options.quick else DEFAULT_SIZES)
    rows = []
    for n in sizes:
        server, client = run_local(_job, parties=2, args=(n, options.repeat), timeout=3600.0,
                                   names=["server", "client"])
        rows.extend(rows_for(n, server, client))
    return rows
