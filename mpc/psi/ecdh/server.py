"""EcdhPsiServer: the party that sends its own blinded set in DH-PSI on ristretto255.

Spec: protocols/psi-ecdh.md (Meadows 1986; Huberman–Franklin–Hogg 1999).  Given a Channel to the
client and its own packed identifiers.  It draws a fresh secret scalar a, raises the client's
blinded points b·H(x) to a and returns their keys K(a·b·H(x)), interleaved batch by batch with
computing a·H(y) for its own identifiers (so its cores never idle and the client hears from it
once per batch), then sends its distinct a·H(y) sorted, and with reveal both receives the
positions of those that matched.  Never reads files.
"""
from __future__ import annotations

import os
import time

import numpy as np

from mpc.native import ecdh_psi as kernels
from mpc.psi import messages as shared
from mpc.psi.ecdh import messages as msg
from mpc.psi.ids import PackedIds
from mpc.psi.matching import PsiOutcome
from mpc.psi.role import PhaseClock, PsiRole


class EcdhPsiServer(PsiRole):
    counted = (msg.PROTOCOL,)

    def __init__(self, channel, *, reveal: str = shared.REVEAL_BOTH, batch_size: int = msg.DEFAULT_BATCH,
                 threads: int | None = None, progress=None, scalar: bytes | None = None):
        super().__init__(channel, reveal=reveal, threads=threads, progress=progress)
        if not 1 <= batch_size <= msg.MAX_BATCH:
            raise ValueError(f"batch size must be in 1..{msg.MAX_BATCH}")
        self.batch_size = batch_size
        self.scalar = scalar  # tests only: a fixed key; None draws a fresh one per run

    def run(self, ids: PackedIds) -> PsiOutcome:
        ch, peer = self.channel, self.channel.peer
        clock, before = PhaseClock(), self.traffic()
        key = self.scalar or kernels.random_scalar()
        nonce = os.urandom(32)
        ch.send(msg.TAG_SERVER_HELLO, msg.ServerHello(self.reveal, ids.columns, len(ids), self.batch_size,
                                                      nonce).pack())
        hello = msg.ClientHello.parse(ch.recv_bytes(msg.TAG_CLIENT_HELLO, msg.CLIENT_HELLO_BYTES), peer)
        shared.check_agreement(self.reveal, hello.reveal, ids.columns, hello.columns, peer)
        domain = msg.domain(ch.endpoint.session_id, nonce)
        clock.lap("setup")

        own = np.empty((len(ids), msg.POINT_BYTES), dtype=np.uint8)
        client_batches = list(shared.batches(hello.rows, self.batch_size))
        own_batches = list(shared.batches(len(ids), self.batch_size))
        answer_seconds = own_seconds = 0.0
        total_work, done = hello.rows + len(ids), 0
        for step in range(max(len(client_batches), len(own_batches))):
            if step < len(client_batches):
                start, stop = client_batches[step]
                blinded = ch.recv_exact(msg.TAG_BLINDED, np.uint8, (stop - start, msg.POINT_BYTES))
                t = time.perf_counter()
                keys = kernels.mul_key(blinded, key, domain, msg.KEY_BYTES, threads=self.threads, peer=peer)
                answer_seconds += time.perf_counter() - t
                ch.send(msg.TAG_KEYS, keys)
                done += stop - start
            if step < len(own_batches):
                start, stop = own_batches[step]
                t = time.perf_counter()
                own[start:stop] = kernels.hash_mul(ids.data, ids.batch(start, stop), domain, key, threads=self.threads)
                own_seconds += time.perf_counter() - t
                ch.send(msg.TAG_PROGRESS, stop.to_bytes(8, "big"))
                done += stop - start
            self.progress("ecdh", done, total_work)
        clock.lap("ecdh wall")
        clock.phases.update({"answer client": answer_seconds, "blind own": own_seconds})

        # Sorted and distinct: the order of a·H(y) is pseudorandom, so it hides the input order.
        distinct_points, inverse = np.unique(own.view(f"S{msg.POINT_BYTES}").reshape(-1), return_inverse=True)
        inverse = inverse.reshape(-1)
        distinct = len(distinct_points)
        ch.send(msg.TAG_SERVER_COUNT, distinct.to_bytes(8, "big"))
        rows = distinct_points.view(np.uint8).reshape(-1, msg.POINT_BYTES)
        for start, stop in shared.batches(distinct, msg.POINTS_PER_MESSAGE):
            ch.send(msg.TAG_SERVER_POINTS, rows[start:stop])
        clock.lap("send points")

        learned, positions, starts, intersection = self.server_learns(
            inverse, distinct, msg.TAG_MATCH_COUNT, msg.TAG_MATCHES, msg.MATCHES_PER_MESSAGE)
        clock.lap("match")
        return self.outcome("server", learned, len(ids), distinct, hello.rows, intersection, positions, starts,
                            clock, before)
