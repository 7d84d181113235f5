"""EcdhPsiClient: the party that learns the intersection in DH-PSI on ristretto255.

Spec: protocols/psi-ecdh.md.  Given a Channel to the server and its own packed identifiers.  It
draws a fresh secret scalar b, sends b·H(x) batch by batch (a few in flight so the server never
idles) and receives the keys K(a·b·H(x)), then raises the server's sorted a·H(y) to b as they
arrive, matches keys, and with reveal both tells the server which of its positions matched.
Never reads files.
"""
from __future__ import annotations

import time
from collections import deque

import numpy as np

from mpc.errors import ProtocolError
from mpc.native import ecdh_psi as kernels
from mpc.psi import messages as shared
from mpc.psi.ecdh import messages as msg
from mpc.psi.ids import PackedIds
from mpc.psi.indexed import SortedKeys, grouped_by_position, send_matches
from mpc.psi.matching import PsiOutcome
from mpc.psi.role import PhaseClock, PsiRole

WINDOW = 4  # blinded batches in flight: keeps the server busy, bounds memory to WINDOW batches


class EcdhPsiClient(PsiRole):
    counted = (msg.PROTOCOL,)

    def run(self, ids: PackedIds) -> PsiOutcome:
        ch, peer = self.channel, self.channel.peer
        clock, before = PhaseClock(), self.traffic()
        ch.send(msg.TAG_CLIENT_HELLO, msg.ClientHello(self.reveal, ids.columns, len(ids)).pack())
        hello = msg.ServerHello.parse(ch.recv_bytes(msg.TAG_SERVER_HELLO, msg.SERVER_HELLO_BYTES), peer)
        shared.check_agreement(self.reveal, hello.reveal, ids.columns, hello.columns, peer)
        key = kernels.random_scalar()
        domain = msg.domain(ch.endpoint.session_id, hello.nonce)
        clock.lap("setup")

        own = np.empty((len(ids), msg.KEY_BYTES), dtype=np.uint8)
        in_flight: deque = deque()
        blind_seconds = 0.0
        total_work = len(ids) + hello.rows

        def settle_oldest() -> None:
            start, stop = in_flight.popleft()
            own[start:stop] = ch.recv_exact(msg.TAG_KEYS, np.uint8, (stop - start, msg.KEY_BYTES))
            self.progress("ecdh", stop, total_work)

        for start, stop in shared.batches(len(ids), hello.batch):
            t = time.perf_counter()
            blinded = kernels.hash_mul(ids.data, ids.batch(start, stop), domain, key, threads=self.threads)
            blind_seconds += time.perf_counter() - t
            ch.send(msg.TAG_BLINDED, blinded)
            in_flight.append((start, stop))
            if len(in_flight) >= WINDOW:
                settle_oldest()
        while in_flight:
            settle_oldest()
        for start, stop in shared.batches(hello.rows, hello.batch):  # proof of life while it works
            reported = int.from_bytes(ch.recv_bytes(msg.TAG_PROGRESS, 8), "big")
            if reported != stop:
                raise ProtocolError(f"server reports {reported} own rows blinded, expected {stop}", peer)
        clock.lap("ecdh wall")
        clock.phases["blind"] = blind_seconds

        distinct = int.from_bytes(ch.recv_bytes(msg.TAG_SERVER_COUNT, 8), "big")
        if distinct > hello.rows:
            raise ProtocolError(f"server sends {distinct} points for {hello.rows} rows", peer)
        server_keys = np.empty((distinct, msg.KEY_BYTES), dtype=np.uint8)
        previous = None
        finish_seconds = 0.0
        for start, stop in shared.batches(distinct, msg.POINTS_PER_MESSAGE):
            points = ch.recv_exact(msg.TAG_SERVER_POINTS, np.uint8, (stop - start, msg.POINT_BYTES))
            as_bytes = points.view(f"S{msg.POINT_BYTES}").reshape(-1)
            if (np.any(as_bytes[1:] <= as_bytes[:-1]) or (previous is not None and as_bytes[0] <= previous)):
                raise ProtocolError("server's points are not sorted and distinct", peer)
            previous = as_bytes[-1]
            t = time.perf_counter()
            server_keys[start:stop] = kernels.mul_key(points, key, domain, msg.KEY_BYTES, threads=self.threads,
                                                      peer=peer)
            finish_seconds += time.perf_counter() - t
            self.progress("ecdh", len(ids) + stop, len(ids) + distinct)
        clock.lap("receive points")
        clock.phases["finish server points"] = finish_seconds

        found = SortedKeys(server_keys).lookup(own)
        positions, starts, matched = grouped_by_position(found)
        if self.reveal == shared.REVEAL_BOTH:
            send_matches(ch, matched, msg.TAG_MATCH_COUNT, msg.TAG_MATCHES, msg.MATCHES_PER_MESSAGE)
        own_distinct = len(np.unique(own.view(f"S{msg.KEY_BYTES}").reshape(-1))) if len(ids) else 0
        clock.lap("match")
        return self.outcome("client", True, len(ids), own_distinct, hello.rows, len(matched), positions, starts,
                            clock, before)
