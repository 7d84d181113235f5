"""`mpc bench transport`: mpc's ZeroMQ transport beside raw pyzmq sockets, in the same run.

Throughput: party 0 sends `n` messages of a 1 MiB numpy payload, party 1 reads them all and
acknowledges; time from the first send to the acknowledgement.  Latency: `n` round trips of a
64-byte message.  Parties are separate processes over loopback TCP, plain and CURVE; the raw
pyzmq baseline uses the same socket types (ROUTER to ROUTER), zero-copy sends and high-water marks.
"""
from __future__ import annotations

import multiprocessing
import os
import time

import numpy as np
import zmq

from mpc.bench import BenchOptions, measurement

DESCRIPTION = "1 MiB throughput and 64-byte round trips: mpc vs raw pyzmq, plain and CURVE"
PAYLOAD = 1 << 20


def _mpc_throughput(session, count):
    channel = session.channel(1 - session.me)
    payload = np.frombuffer(os.urandom(PAYLOAD), np.uint8)
    if session.me == 0:
        start = time.perf_counter()
        for _ in range(count):
            channel.send("bench:data", payload)
        channel.recv_bytes("bench:ack", 1)
        seconds = time.perf_counter() - start
    else:
        for _ in range(count):
            channel.recv_bytes("bench:data", PAYLOAD)
        channel.send("bench:ack", b"k")
        seconds = 0.0
    return seconds, session.stats.protocol("bench")


def _mpc_latency(session, count):
    channel = session.channel(1 - session.me)
    message = b"x" * 64
    start = time.perf_counter()
    for _ in range(count):
        if session.me == 0:
            channel.send("bench:rtt", message)
            channel.recv_bytes("bench:rtt", 64)
        else:
            channel.recv_bytes("bench:rtt", 64)
            channel.send("bench:rtt", message)
    return time.perf_counter() - start, session.stats.protocol("bench")


def _raw_party(me, conn, keys, count, size, latency):
    context = zmq.Context()
    sock = context.socket(zmq.ROUTER)
    sock.linger = 0
    sock.routing_id = b"r%d" % me
    sock.router_mandatory = 1
    sock.sndhwm = sock.rcvhwm = 100_000
    if me == 0:
        if keys:
            sock.curve_server = True
            sock.curve_publickey, sock.curve_secretkey = keys[0]
        conn.send(sock.bind_to_random_port("tcp://127.0.0.1"))
        sock.recv_multipart()                              # hello from party 1
    else:
        port = conn.recv()
        if keys:
            sock.curve_publickey, sock.curve_secretkey = keys[1]
            sock.curve_serverkey = keys[0][0]
        sock.setsockopt(zmq.CONNECT_ROUTING_ID, b"r0")
        sock.connect(f"tcp://127.0.0.1:{port}")
        sock.send_multipart([b"r0", b"hello"])
    peer = b"r%d" % (1 - me)
    payload = np.frombuffer(os.urandom(size), np.uint8)
    start = time.perf_counter()
    if latency:
        for _ in range(count):
            if me == 0:
                sock.send_multipart([peer, payload], copy=False)
                sock.recv_multipart(copy=False)
            else:
                sock.recv_multipart(copy=False)
                sock.send_multipart([peer, payload], copy=False)
    elif me == 0:
        for _ in range(count):
            sock.send_multipart([peer, payload], copy=False)
        sock.recv_multipart()
    else:
        for _ in range(count):
            sock.recv_multipart(copy=False)
        sock.send_multipart([peer, b"k"])
    conn.send(time.perf_counter() - start)
    sock.close()
    context.term()


def _raw(count, size, curve, latency):
    keys = [zmq.curve_keypair(), zmq.curve_keypair()] if curve else None
    ctx = multiprocessing.get_context("fork")
    pipes = [ctx.Pipe() for _ in range(2)]
    procs = [ctx.Process(target=_raw_party, args=(i, pipes[i][1], keys, count, size, latency),
                         daemon=True) for i in range(2)]
    for p in procs:
        p.start()
    pipes[1][0].send(pipes[0][0].recv())
    seconds = [pipes[i][0].recv() for i in range(2)]
    for p in procs:
        p.join(10)
    return seconds[0]


def run(options: BenchOptions) -> list[dict]:
    from mpc.runtime import run_local
    count = (options.sizes or [50 if options.quick else 2000])[0]
    pings = 200 if options.quick else 5000
    rows = []
    for security in ("none", "curve"):
        label = "plain" if security == "none" else "curve"
        n = count if security == "none" else max(10, count // 3)
        best, raw = None, float("inf")
        # mpc and raw pyzmq alternate, best of each: this VM's loopback rate drifts by 20-30 %
        # between runs, and alternating keeps drift from favouring either side.
        for _ in range(max(5, options.repeat)):
            (seconds, sent), (_, received) = run_local(_mpc_throughput, parties=2, args=(n,),
                                                       security=security, timeout=120)
            if best is None or seconds < best[0]:
                best = (seconds, sent, received)
            raw = min(raw, _raw(n, PAYLOAD, security == "curve", False))
        seconds, sent, received = best
        rows.append(measurement("transport", f"mpc-{label}", n, seconds,
                                bytes_sent=sent.bytes_sent + received.bytes_sent,
                                bytes_received=sent.bytes_received + received.bytes_received,
                                rounds=sent.rounds + received.rounds,
                                payload_bytes=PAYLOAD, gbytes_per_s=n * PAYLOAD / seconds / 1e9))
        rows.append(measurement("transport", f"raw-pyzmq-{label}", n, raw,
                                bytes_sent=n * PAYLOAD + 1, bytes_received=n * PAYLOAD + 1, rounds=2,
                                payload_bytes=PAYLOAD, gbytes_per_s=n * PAYLOAD / raw / 1e9))
    (seconds, sent), (_, received) = run_local(_mpc_latency, parties=2, args=(pings,),
                                               security="none", timeout=60)
    rows.append(measurement("transport", "latency-mpc-plain", pings, seconds,
                            bytes_sent=sent.bytes_sent + received.bytes_sent,
                            bytes_received=sent.bytes_received + received.bytes_received,
                            rounds=sent.rounds + received.rounds,
                            microseconds_per_round_trip=seconds / pings * 1e6))
    raw = _raw(pings, 64, False, True)
    rows.append(measurement("transport", "latency-raw-pyzmq-plain", pings, raw,
                            bytes_sent=2 * 64 * pings, bytes_received=2 * 64 * pings, rounds=2 * pings,
                            microseconds_per_round_trip=raw / pings * 1e6))
    return rows
