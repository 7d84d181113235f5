"""KkrtPsiClient: the OPRF receiver of KKRT16 PSI, who learns the intersection (spec:
protocols/psi-kkrt.md).

Given a Channel to the server and its own packed identifiers.  It hashes its identifiers to
items, places its distinct items in a 3-way cuckoo table, plays the 512 base OTs as sender, sends
the u rows of the 1-out-of-N OT extension chunk by chunk (the OPRF value of each bin comes out of
the same kernel call), and then looks up each chunk of the server's values among its own as it
arrives.  With reveal both it reports the matched server positions.  Never reads files.
"""
from __future__ import annotations

import os

import numpy as np

from mpc.native import kkrt as kernels
from mpc.native import ot as native_ot
from mpc.ot.base import BaseOtSender
from mpc.psi import messages as shared
from mpc.psi.ids import PackedIds
from mpc.psi.indexed import NOT_FOUND, SortedKeys, distinct_rows, grouped_by_position, send_matches
from mpc.errors import ProtocolError
from mpc.psi.kkrt import messages as msg
from mpc.psi.kkrt import params
from mpc.psi.kkrt.server import expand
from mpc.psi.matching import PsiOutcome
from mpc.psi.role import PhaseClock, PsiRole


class KkrtPsiClient(PsiRole):
    counted = (msg.PROTOCOL, msg.BASE_OT_PROTOCOL)

    def run(self, ids: PackedIds) -> PsiOutcome:
        ch, peer = self.channel, self.channel.peer
        if len(ids) > params.MAX_CLIENT_ROWS:
            raise ValueError(f"KKRT-PSI takes at most 2^31 client rows, not {len(ids)}")
        clock, before = PhaseClock(), self.traffic()
        bins = params.bin_count(len(ids))  # the client's choice: its own risk of cuckoo failure
        ch.send(msg.TAG_CLIENT_HELLO, msg.ClientHello(self.reveal, ids.columns, len(ids), bins).pack())
        hello = msg.ServerHello.parse(ch.recv_bytes(msg.TAG_SERVER_HELLO, msg.SERVER_HELLO_BYTES), peer)
        shared.check_agreement(self.reveal, hello.reveal, ids.columns, hello.columns, peer)
        domain = msg.domain(ch.endpoint.session_id, hello.nonce)
        width = params.value_bytes(len(ids), hello.rows)
        bin_key, code_keys = params.run_keys(domain)
        active = len(ids) > 0 and hello.rows > 0
        clock.lap("setup")

        items, bin_index = kernels.hash_ids(ids.data, ids.offsets, domain, expand([bin_key]), max(bins, 1),
                                            threads=self.threads)
        unique, inverse = distinct_rows(items)
        some_row = np.empty(unique.shape[0], dtype=np.int64)
        some_row[inverse] = np.arange(len(ids))
        unique_bins = bin_index[some_row]
        clock.lap("hash")

        found = np.full(unique.shape[0], NOT_FOUND, dtype=np.int64)
        distinct_server = 0
        if active:
            table, which = kernels.cuckoo(unique_bins, bins, params.MAX_EVICTIONS, int.from_bytes(os.urandom(8), "big"))
            occupied = table != kernels.EMPTY
            inputs = np.zeros((bins, kernels.ITEM_BYTES), np.uint8)
            fn = np.zeros(bins, np.uint8)
            inputs[occupied] = unique[table[occupied]]
            fn[occupied] = which[table[occupied]]
            clock.lap("cuckoo")
            keys0, keys1 = BaseOtSender(ch).send(msg.BASE_OTS)
            schedules0, schedules1 = native_ot.expand_keys(keys0), native_ot.expand_keys(keys1)
            clock.lap("base OT")
            code = expand(code_keys)
            oprf = np.empty((bins, width), np.uint8)
            for start, stop in shared.batches(bins, msg.ROWS_PER_MESSAGE):
                u, oprf[start:stop] = kernels.receiver_extend(schedules0, schedules1, code, start // kernels.BLOCK_ROWS,
                                                              inputs[start:stop], fn[start:stop], width,
                                                              threads=self.threads)
                ch.send(msg.TAG_U, u)
                self.progress("kkrt", stop, bins)
            clock.lap("extend")
            # Own values per hash function: item i sits in bin unique_bins[i, which[i]].
            own_bin = unique_bins[np.arange(unique.shape[0]), which]
            own_value = oprf[own_bin]
            subsets = [np.flatnonzero(which == k) for k in range(kernels.HASHES)]
            lookups = [SortedKeys(own_value[subset]) for subset in subsets]

        distinct_server = int.from_bytes(ch.recv_bytes(msg.TAG_SERVER_COUNT, 8), "big")
        if distinct_server > hello.rows:
            raise ProtocolError(f"server announces {distinct_server} distinct items for {hello.rows} rows", peer)
        if active:
            for start, stop in shared.batches(distinct_server, msg.ITEMS_PER_MESSAGE):
                values = ch.recv_exact(msg.TAG_VALUES, np.uint8, (stop - start, kernels.HASHES, width))
                for k in range(kernels.HASHES):
                    hit = lookups[k].lookup(values[:, k, :])
                    rows = np.flatnonzero(hit != NOT_FOUND)
                    found[subsets[k][hit[rows]]] = start + rows
        clock.lap("receive and match")

        positions, starts, matched = grouped_by_position(found[inverse])
        if self.reveal == shared.REVEAL_BOTH:
            send_matches(ch, matched, msg.TAG_MATCH_COUNT, msg.TAG_MATCHES, msg.MATCHES_PER_MESSAGE)
        clock.lap("match")
        return self.outcome("client", True, len(ids), unique.shape[0], hello.rows, len(matched), positions, starts,
                            clock, before)
