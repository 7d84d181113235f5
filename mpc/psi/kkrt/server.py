"""KkrtPsiServer: the OPRF sender of KKRT16 PSI (spec: protocols/psi-kkrt.md).

Given a Channel to the client and its own packed identifiers.  It hashes its identifiers to
16-byte items and their three cuckoo bins, plays the 512 base OTs as receiver with a fresh random
s, turns the client's u rows into q rows, and evaluates the OPRF on each of its distinct items at
all three bins; the values go out in a fresh random order (the position is the identifier's name
for both parties), chunk by chunk as they are computed.  With reveal both it receives the matched
positions.  Never reads files.
"""
from __future__ import annotations

import os
import time

import numpy as np

from mpc.native import kkrt as kernels
from mpc.native import ot as native_ot
from mpc.ot.base import BaseOtReceiver
from mpc.psi import messages as shared
from mpc.psi.ids import PackedIds
from mpc.psi.indexed import distinct_rows, receive_matches
from mpc.psi.kkrt import messages as msg
from mpc.psi.kkrt import params
from mpc.psi.matching import PsiOutcome, server_matches


def _keys(array: list[bytes]) -> np.ndarray:
    return native_ot.expand_keys(np.frombuffer(b"".join(array), np.uint8).reshape(-1, 16))


def _traffic(ch):
    a, b = ch.stats.protocol(msg.PROTOCOL), ch.stats.protocol(msg.BASE_OT_PROTOCOL)
    return a.bytes_sent + b.bytes_sent, a.bytes_received + b.bytes_received, a.rounds + b.rounds


class KkrtPsiServer:
    def __init__(self, channel, *, reveal: str = shared.REVEAL_BOTH, threads: int | None = None, progress=None):
        shared.reveal_code(reveal)
        self.channel = channel
        self.reveal = reveal
        self.threads = threads
        self.progress = progress or (lambda phase, done, total: None)

    def run(self, ids: PackedIds) -> PsiOutcome:
        ch, peer = self.channel, self.channel.peer
        phases: dict[str, float] = {}
        before = _traffic(ch)
        started = tick = time.perf_counter()
        nonce = os.urandom(32)
        ch.send(msg.TAG_SERVER_HELLO, msg.ServerHello(self.reveal, ids.columns, len(ids), nonce).pack())
        hello = msg.ClientHello.parse(ch.recv_bytes(msg.TAG_CLIENT_HELLO, msg.CLIENT_HELLO_BYTES), peer)
        shared.check_agreement(self.reveal, hello.reveal, ids.columns, hello.columns, peer)
        domain = msg.domain(ch.endpoint.session_id, nonce)
        bins = hello.bins
        width = params.value_bytes(hello.rows, len(ids))
        bin_key, code_keys = params.run_keys(domain)
        active = hello.rows > 0 and len(ids) > 0
        now = time.perf_counter(); phases["setup"] = now - tick; tick = now

        # (with no client rows there are no bins; the items still count the distinct ids)
        items, bin_index = kernels.hash_ids(ids.data, ids.offsets, domain, _keys([bin_key]), max(bins, 1),
                                            threads=self.threads)
        unique, inverse = distinct_rows(items)
        distinct = unique.shape[0]
        now = time.perf_counter(); phases["hash"] = now - tick; tick = now

        if active:
            s = os.urandom(msg.BASE_OTS // 8)
            choices = np.unpackbits(np.frombuffer(s, np.uint8), bitorder="little")
            schedules = native_ot.expand_keys(BaseOtReceiver(ch).receive(choices))
            now = time.perf_counter(); phases["base OT"] = now - tick; tick = now
            q = np.empty((bins, kernels.ROW_BYTES), np.uint8)
            for start, stop in shared.batches(bins, msg.ROWS_PER_MESSAGE):
                u = ch.recv_exact(msg.TAG_U, np.uint8, (stop - start, kernels.ROW_BYTES))
                kernels.sender_extend(schedules, s, start // kernels.BLOCK_ROWS, u, q[start:stop],
                                      threads=self.threads)
                self.progress("kkrt", stop, bins + distinct)
            now = time.perf_counter(); phases["extend"] = now - tick; tick = now

        # A fresh random order: the position names an identifier and says nothing about it.
        order = np.argsort(np.frombuffer(os.urandom(8 * distinct), dtype=np.uint64))
        position = np.empty(distinct, dtype=np.int64)
        position[order] = np.arange(distinct, dtype=np.int64)
        ch.send(msg.TAG_SERVER_COUNT, distinct.to_bytes(8, "big"))
        if active:
            code = _keys(code_keys)
            some_row = np.empty(distinct, dtype=np.int64)
            some_row[inverse] = np.arange(len(inverse))  # any row of a distinct item: same item and bins
            for start, stop in shared.batches(distinct, msg.ITEMS_PER_MESSAGE):
                chosen = some_row[order[start:stop]]
                values = kernels.sender_eval(q, s, code, items[chosen], bin_index[chosen], width,
                                             threads=self.threads)
                ch.send(msg.TAG_VALUES, values)
                self.progress("kkrt", bins + stop, bins + distinct)
        now = time.perf_counter(); phases["evaluate and send"] = now - tick; tick = now

        learned = self.reveal == shared.REVEAL_BOTH
        row_position = position[inverse]
        if learned:
            matched = receive_matches(ch, distinct, msg.TAG_MATCH_COUNT, msg.TAG_MATCHES, msg.MATCHES_PER_MESSAGE)
            positions, starts = server_matches(row_position, distinct, matched)
            intersection = len(matched)
        else:
            positions = starts = np.zeros(0, dtype=np.int64)
            intersection = None
        phases["match"] = time.perf_counter() - tick
        phases["total"] = time.perf_counter() - started
        sent, received, rounds = (a - b for a, b in zip(_traffic(ch), before))
        return PsiOutcome("server", learned, len(ids), distinct, hello.rows, intersection, positions, starts,
                          phases, sent, received, rounds)
