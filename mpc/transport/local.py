"""In-process transport: the same `Endpoint` interface between threads, for tests and benchmarks.

No sockets and no encryption; frames are copied so that parties never share buffers.
"""
from __future__ import annotations

import os
import queue

from mpc.transport.endpoint import Endpoint
from mpc.transport.wire import SESSION_ID_BYTES


class LocalNetwork:
    """n endpoints in one process; hand `network.endpoint(i)` to the thread playing party i."""

    def __init__(self, parties: int, *, timeout: float = 60.0, session_id: bytes | None = None,
                 max_message_bytes: int | None = None):
        self.parties = parties
        self.session_id = session_id or os.urandom(SESSION_ID_BYTES)
        self.queues = [queue.Queue() for _ in range(parties)]
        options = {} if max_message_bytes is None else {"max_message_bytes": max_message_bytes}
        self.endpoints = [LocalEndpoint(self, i, timeout=timeout, **options) for i in range(parties)]

    def endpoint(self, party: int) -> "LocalEndpoint":
        return self.endpoints[party]


class LocalEndpoint(Endpoint):
    def __init__(self, network: LocalNetwork, me: int, **options):
        super().__init__(me, network.parties, network.session_id, **options)
        self.network = network

    def _transmit(self, peer: int, frames: list, block: bool = True) -> None:
        self.network.queues[peer].put((self.me, [bytes(f) for f in frames]))

    def _poll(self, timeout: float):
        try:
            return self.network.queues[self.me].get(timeout=timeout)
        except queue.Empty:
            return None


def run_threads(fn, parties: int = 2, *, timeout: float = 60.0, args: tuple = ()) -> list:
    """Run `fn(endpoint, *args)` for every party in its own thread over a `LocalNetwork`.

    Returns the results in party order; re-raises the first party's exception.  For tests and
    single-process benchmarks; `mpc.run_local` is the multi-process equivalent over ZeroMQ.
    """
    import threading
    network = LocalNetwork(parties, timeout=timeout)
    results: list = [None] * parties
    errors: list = [None] * parties

    def body(i: int) -> None:
        try:
            results[i] = fn(network.endpoint(i), *args)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller below
            errors[i] = exc

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(parties)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for exc in errors:
        if exc is not None:
            raise exc
    return results
