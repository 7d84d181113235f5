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

import numpy as np

from mpc.native import kkrt as kernels
from mpc.native import ot as native_ot
from mpc.ot.base import BaseOtReceiver
from mpc.psi import messages as shared
from mpc.psi.ids import PackedIds
from mpc.psi.indexed import distinct_rows
from mpc.psi.kkrt import messages as msg
from mpc.psi.kkrt import params
from mpc.psi.matching import PsiOutcome
from mpc.psi.role import PhaseClock, PsiRole


def expand(keys: list[bytes]) -> np.ndarray:
    """AES schedules of 16-byte keys."""
    return native_ot.expand_keys(np.frombuffer(b"".join(keys), np.uint8).reshape(-1, 16))


class KkrtPsiServer(PsiRole):
    counted = (msg.PROTOCOL, msg.BASE_OT_PROTOCOL)

    def run(self, ids: PackedIds) -> PsiOutcome:
        ch, peer = self.channel, self.channel.peer
        clock, before = PhaseClock(), self.traffic()
        nonce = os.urandom(32)
        ch.send(msg.TAG_SERVER_HELLO, msg.ServerHello(self.reveal, ids.columns, len(ids), nonce).pack())
        hello = msg.ClientHello.parse(ch.recv_bytes(msg.TAG_CLIENT_HELLO, msg.CLIENT_HELLO_BYTES), peer)
        shared.check_agreement(self.reveal, hello.reveal, ids.columns, hello.columns, peer)
        domain = msg.domain(ch.endpoint.session_id, nonce)
        bins = hello.bins
        width = params.value_bytes(hello.rows, len(ids))
        bin_key, code_keys = params.run_keys(domain)
        active = hello.rows > 0 and len(ids) > 0
        clock.lap("setup")

        # (with no client rows there are no bins; the items still count the distinct ids)
        items, bin_index = kernels.hash_ids(ids.data, ids.offsets, domain, expand([bin_key]), max(bins, 1),
                                            threads=self.threads)
        unique, inverse = distinct_rows(items)
        distinct = unique.shape[0]
        clock.lap("hash")

        if active:
            s = os.urandom(msg.BASE_OTS // 8)
            choices = np.unpackbits(np.frombuffer(s, np.uint8), bitorder="little")
            schedules = native_ot.expand_keys(BaseOtReceiver(ch).receive(choices))
            clock.lap("base OT")
            q = np.empty((bins, kernels.ROW_BYTES), np.uint8)
            for start, stop in shared.batches(bins, msg.ROWS_PER_MESSAGE):
                u = ch.recv_exact(msg.TAG_U, np.uint8, (stop - start, kernels.ROW_BYTES))
                kernels.sender_extend(schedules, s, start // kernels.BLOCK_ROWS, u, q[start:stop],
                                      threads=self.threads)
                self.progress("kkrt", stop, bins + distinct)
            clock.lap("extend")

        # A fresh random order: the position names an identifier and says nothing about it.
        order = np.argsort(np.frombuffer(os.urandom(8 * distinct), dtype=np.uint64))
        position = np.empty(distinct, dtype=np.int64)
        position[order] = np.arange(distinct, dtype=np.int64)
        ch.send(msg.TAG_SERVER_COUNT, distinct.to_bytes(8, "big"))
        if active:
            code = expand(code_keys)
            some_row = np.empty(distinct, dtype=np.int64)
            some_row[inverse] = np.arange(len(inverse))  # any row of a distinct item: same item and bins
            for start, stop in shared.batches(distinct, msg.ITEMS_PER_MESSAGE):
                chosen = some_row[order[start:stop]]
                values = kernels.sender_eval(q, s, code, items[chosen], bin_index[chosen], width,
                                             threads=self.threads)
                ch.send(msg.TAG_VALUES, values)
                self.progress("kkrt", bins + stop, bins + distinct)
        clock.lap("evaluate and send")

        learned, positions, starts, intersection = self.server_learns(
            position[inverse], distinct, msg.TAG_MATCH_COUNT, msg.TAG_MATCHES, msg.MATCHES_PER_MESSAGE)
        clock.lap("match")
        return self.outcome("server", learned, len(ids), distinct, hello.rows, intersection, positions, starts,
                            clock, before)
