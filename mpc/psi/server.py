"""RsaPsiServer: the key holder of blind-RSA PSI (De Cristofaro–Tsudik; spec: protocols/psi-rsa.md).

Given a Channel to the client and its own packed identifiers.  It makes a fresh RSA key, proves to
the client that the key is a permutation (mpc.psi.keycheck), signs the client's blinded values batch
by batch, interleaved with hashing its own identifiers (so the client hears from it at least once
per batch), sends its final hashes sorted and de-duplicated, and, when both parties learn the
result, receives the indices of the matching hashes, hands its outcome to `on_result` (the CLI
writes its output there) and confirms with a last message.  Never reads files.  Allocations sized
by what the client announces are made batch by batch, as the data arrives.
"""
from __future__ import annotations

import os
import time

import numpy as np

from mpc.errors import ProtocolError
from mpc.psi import keycheck
from mpc.psi import messages as msg
from mpc.psi.costs import message_count
from mpc.psi.ids import PackedIds
from mpc.psi.keys import RsaPsiKey
from mpc.psi.matching import PsiOutcome, as_keys, server_matches

MAX_CLIENT_ROWS = msg.MAX_ROWS


class RsaPsiServer:
    def __init__(self, channel, *, reveal: str = msg.REVEAL_BOTH, key_bits: int = 2048,
                 batch_size: int = msg.DEFAULT_BATCH, threads: int | None = None, progress=None,
                 key: RsaPsiKey | None = None, on_result=None):
        msg.reveal_code(reveal)
        if not 1 <= batch_size <= msg.MAX_BATCH:
            raise ValueError(f"batch size must be in 1..{msg.MAX_BATCH}")
        self.channel = channel
        self.reveal = reveal
        self.key_bits = key_bits
        self.batch_size = batch_size
        self.threads = threads
        self.progress = progress or (lambda phase, done, total: None)
        self.key = key
        self.on_result = on_result  # called with the outcome before the confirmation (reveal both)

    def run(self, ids: PackedIds) -> PsiOutcome:
        ch = self.channel
        peer = ch.endpoint.peer_name(ch.peer)
        phases: dict[str, float] = {}
        before = ch.stats.protocol(msg.PROTOCOL)
        started = tick = time.perf_counter()
        key = self.key or RsaPsiKey.generate(self.key_bits)
        k = key.public.modulus_bytes
        nonce = os.urandom(32)
        ch.send(msg.TAG_SERVER_HELLO, msg.ServerHello(self.reveal, ids.columns, len(ids), key.public.e, k,
                                                      self.batch_size, nonce, key.public.modulus,
                                                      ids.normalization).pack())
        domain = msg.domain(ch.endpoint.session_id, nonce)
        ch.send(msg.TAG_KEY_PROOF, keycheck.prove(key, domain, threads=self.threads))
        hello = msg.ClientHello.parse(ch.recv_bytes(msg.TAG_CLIENT_HELLO, msg.CLIENT_HELLO_BYTES), peer)
        msg.check_agreement(self.reveal, hello.reveal, ids.columns, hello.columns, peer,
                            ids.normalization, hello.normalization)
        if hello.rows > MAX_CLIENT_ROWS:
            raise ProtocolError(f"client announces {hello.rows} rows", peer)
        now = time.perf_counter(); phases["setup"] = now - tick; tick = now

        own = np.empty((len(ids), msg.HASH_BYTES), dtype=np.uint8)
        batch = self.batch_size
        client_steps, own_steps = message_count(hello.rows, batch), message_count(len(ids), batch)
        sign_seconds = hash_seconds = 0.0
        total_work = hello.rows + len(ids)
        done = 0
        # Interleaved so the server's cores never idle and the client never waits a whole phase.
        # Batch bounds are computed per step: nothing is allocated for the client's announced rows.
        for step in range(max(client_steps, own_steps)):
            if step < client_steps:
                start, stop = step * batch, min(hello.rows, (step + 1) * batch)
                blinded = ch.recv_exact(msg.TAG_BLINDED, np.uint8, (stop - start, k))
                t = time.perf_counter()
                signed = key.sign(blinded, threads=self.threads, peer=peer)
                sign_seconds += time.perf_counter() - t
                ch.send(msg.TAG_SIGNED, signed)
                done += stop - start
            if step < own_steps:
                start, stop = step * batch, min(len(ids), (step + 1) * batch)
                t = time.perf_counter()
                own[start:stop] = key.hash_own(ids, start, stop, domain, threads=self.threads)
                hash_seconds += time.perf_counter() - t
                ch.send(msg.TAG_PROGRESS, stop.to_bytes(8, "big"))
                done += stop - start
            self.progress("rsa", done, total_work)
        phases["sign client"] = sign_seconds
        phases["hash own"] = hash_seconds
        now = time.perf_counter(); phases["rsa wall"] = now - tick; tick = now

        keys = as_keys(own)
        distinct_keys, inverse = np.unique(keys, return_inverse=True)
        inverse = inverse.reshape(-1)
        ch.send(msg.TAG_SERVER_COUNT, len(distinct_keys).to_bytes(8, "big"))
        distinct_rows = distinct_keys.view(np.uint8).reshape(-1, msg.HASH_BYTES)
        for start, stop in msg.batches(len(distinct_keys), msg.HASHES_PER_MESSAGE):
            ch.send(msg.TAG_SERVER_HASHES, distinct_rows[start:stop])
        now = time.perf_counter(); phases["send hashes"] = now - tick; tick = now

        learned = self.reveal == msg.REVEAL_BOTH
        if learned:
            matched = receive_matches(ch, len(distinct_keys))
            positions, starts = server_matches(inverse, len(distinct_keys), matched)
            intersection = len(matched)
        else:
            positions = starts = np.zeros(0, dtype=np.int64)
            intersection = None
        phases["match"] = time.perf_counter() - tick
        outcome = PsiOutcome("server", learned, len(ids), len(distinct_keys), hello.rows, intersection,
                             positions, starts, phases)
        if learned:
            if self.on_result is not None:
                self.on_result(outcome)  # e.g. write the output: the client hears of a failure here
            ch.send(msg.TAG_DONE, intersection.to_bytes(8, "big"))
        phases["total"] = time.perf_counter() - started
        after = ch.stats.protocol(msg.PROTOCOL)
        outcome.bytes_sent = after.bytes_sent - before.bytes_sent
        outcome.bytes_received = after.bytes_received - before.bytes_received
        outcome.rounds = after.rounds - before.rounds
        return outcome


def receive_matches(ch, distinct: int) -> np.ndarray:
    """The client's matched indices into our sorted hashes: strictly increasing, each < distinct."""
    peer = ch.endpoint.peer_name(ch.peer)
    count = int.from_bytes(ch.recv_bytes(msg.TAG_MATCH_COUNT, 8), "big")
    if count > distinct:
        raise ProtocolError(f"client reports {count} matches among {distinct} hashes", peer)
    matched = np.empty(count, dtype=np.uint64)
    for start, stop in msg.batches(count, msg.MATCHES_PER_MESSAGE):
        matched[start:stop] = ch.recv_exact(msg.TAG_MATCHES, ">u8", stop - start)
    if count and (int(matched[-1]) >= distinct or np.any(matched[1:] <= matched[:-1])):
        raise ProtocolError("client's matched indices are not strictly increasing below the hash count",
                            peer)
    return matched
