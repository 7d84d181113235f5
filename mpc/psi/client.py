"""RsaPsiClient: the blinding party of blind-RSA PSI (De Cristofaro–Tsudik; spec: protocols/psi-rsa.md).

Given a Channel to the server and its own packed identifiers.  It checks the server's fresh public
key (x -> x^e must permute Z_n*, mpc.psi.keycheck) before sending anything derived from its ids,
blinds its identifiers, keeps a few batches in flight so the server is never idle, unblinds the
signatures into final hashes, matches them against the server's sorted hashes and, when both
parties learn the result, tells the server which of its hashes matched and waits for its
confirmation.  Never reads files.  Buffers sized by what the server announces grow as data arrives.
"""
from __future__ import annotations

import time
from collections import deque

import numpy as np

from mpc.errors import ProtocolError
from mpc.native import rsa_psi as kernels
from mpc.psi import keycheck
from mpc.psi import messages as msg
from mpc.psi.ids import PackedIds
from mpc.psi.matching import PsiOutcome, as_keys, client_matches, is_strictly_increasing

WINDOW = 4  # blinded batches in flight: keeps the server busy, bounds memory to WINDOW batches


class RsaPsiClient:
    def __init__(self, channel, *, reveal: str = msg.REVEAL_BOTH, threads: int | None = None, progress=None):
        msg.reveal_code(reveal)
        self.channel = channel
        self.reveal = reveal
        self.threads = threads
        self.progress = progress or (lambda phase, done, total: None)

    def run(self, ids: PackedIds) -> PsiOutcome:
        ch = self.channel
        peer = ch.endpoint.peer_name(ch.peer)
        phases: dict[str, float] = {}
        before = ch.stats.protocol(msg.PROTOCOL)
        started = tick = time.perf_counter()
        ch.send(msg.TAG_CLIENT_HELLO, msg.ClientHello(self.reveal, ids.columns, len(ids), ids.normalization).pack())
        hello = msg.ServerHello.parse(
            ch.recv_bytes(msg.TAG_SERVER_HELLO, max_size=msg.SERVER_HELLO_FIXED_BYTES + msg.MAX_MODULUS_BYTES),
            peer)
        msg.check_agreement(self.reveal, hello.reveal, ids.columns, hello.columns, peer,
                            ids.normalization, hello.normalization)
        k, e, modulus = hello.modulus_bytes, hello.e, hello.modulus
        n = int.from_bytes(modulus, "big")
        domain = msg.domain(ch.endpoint.session_id, hello.nonce)
        keycheck.check_public_key(n, e, peer)
        roots = ch.recv_exact(msg.TAG_KEY_PROOF, np.uint8, (keycheck.proof_count(e), k))
        keycheck.verify(n, e, k, domain, roots, peer)
        now = time.perf_counter(); phases["setup"] = now - tick; tick = now

        own = np.empty((len(ids), msg.HASH_BYTES), dtype=np.uint8)
        in_flight: deque = deque()
        blind_seconds = unblind_seconds = 0.0
        total_work = len(ids) + hello.rows

        def settle_oldest() -> None:
            nonlocal unblind_seconds
            start, stop, blinded, factors = in_flight.popleft()
            signed = ch.recv_exact(msg.TAG_SIGNED, np.uint8, (stop - start, k))
            t = time.perf_counter()
            own[start:stop] = kernels.unblind(modulus, e, blinded, signed, factors, domain,
                                              threads=self.threads, peer=peer)
            unblind_seconds += time.perf_counter() - t
            self.progress("rsa", stop + server_done, total_work)

        server_done = 0
        for start, stop in msg.batches(len(ids), hello.batch):
            t = time.perf_counter()
            blinded, factors = kernels.blind(ids.data, ids.batch(start, stop), domain, modulus, e,
                                             threads=self.threads)
            blind_seconds += time.perf_counter() - t
            ch.send(msg.TAG_BLINDED, blinded)
            in_flight.append((start, stop, blinded, factors))
            if len(in_flight) >= WINDOW:
                settle_oldest()
        while in_flight:
            settle_oldest()
        # The server reports each batch of its own hashing: proof of life while it still works.
        for start, stop in msg.batches(hello.rows, hello.batch):
            reported = int.from_bytes(ch.recv_bytes(msg.TAG_PROGRESS, 8), "big")
            if reported != stop:
                raise ProtocolError(f"server reports {reported} own rows hashed, expected {stop}", peer)
            server_done = stop
            self.progress("rsa", len(ids) + server_done, total_work)
        phases["blind"] = blind_seconds
        phases["unblind"] = unblind_seconds
        now = time.perf_counter(); phases["rsa wall"] = now - tick; tick = now

        distinct = int.from_bytes(ch.recv_bytes(msg.TAG_SERVER_COUNT, 8), "big")
        if distinct > hello.rows:
            raise ProtocolError(f"server sends {distinct} hashes for {hello.rows} rows", peer)
        chunks = [np.zeros((0, msg.HASH_BYTES), dtype=np.uint8)]  # grows with the data, not the count
        for start, stop in msg.batches(distinct, msg.HASHES_PER_MESSAGE):
            chunks.append(ch.recv_exact(msg.TAG_SERVER_HASHES, np.uint8, (stop - start, msg.HASH_BYTES)))
        server_hashes = np.concatenate(chunks)
        del chunks
        server_keys = as_keys(server_hashes)
        if not is_strictly_increasing(server_keys):
            raise ProtocolError("server's hashes are not sorted and distinct", peer)
        now = time.perf_counter(); phases["receive hashes"] = now - tick; tick = now

        own_keys = as_keys(own)
        positions, starts, matched = client_matches(own_keys, server_keys)
        if self.reveal == msg.REVEAL_BOTH:
            ch.send(msg.TAG_MATCH_COUNT, len(matched).to_bytes(8, "big"))
            wire = matched.astype(">u8")
            for start, stop in msg.batches(len(matched), msg.MATCHES_PER_MESSAGE):
                ch.send(msg.TAG_MATCHES, wire[start:stop])
            # The server's confirmation: without it the client cannot tell that the server has the
            # result, so a server that died before it makes this run fail on both sides.
            confirmed = int.from_bytes(ch.recv_bytes(msg.TAG_DONE, 8), "big")
            if confirmed != len(matched):
                raise ProtocolError(f"server confirms {confirmed} matches, the client sent {len(matched)}", peer)
        own_distinct = len(np.unique(own_keys)) if own_keys.size else 0
        phases["match"] = time.perf_counter() - tick
        phases["total"] = time.perf_counter() - started
        after = ch.stats.protocol(msg.PROTOCOL)
        return PsiOutcome("client", True, len(ids), own_distinct, hello.rows, len(matched), positions, starts,
                          phases, after.bytes_sent - before.bytes_sent, after.bytes_received - before.bytes_received,
                          after.rounds - before.rounds)
