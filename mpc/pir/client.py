"""PirClient: the querying party of keyword PIR (spec: protocols/pir.md).

Given a Channel to the server and its packed query keys.  It receives the parameters and the hint,
then per batch: blinds its keys (blind-RSA OPRF), unblinds the server's signatures into F(key),
asks for both cuckoo columns of every key with SimplePIR queries (found or not, so the server
cannot tell), decodes the columns and opens the entry whose tag is its own.  It learns the value of
each queried key present in the table, the table's size and entry width, nothing else.  Never
reads files.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from mpc.errors import ProtocolError
from mpc.native import rsa_psi as rsa_kernels
from mpc.pir import keyword, lwe, params
from mpc.pir import messages as msg
from mpc.pir.database import oprf_domain
from mpc.psi.ids import PackedIds

DEFAULT_MAX_HINT_BYTES = 2 << 30


@dataclass
class QueryOutcome:
    values: list                 # per query key: its encoded value (bytes) or None when absent
    table_rows: int
    value_columns: list[str]
    hint_bytes: int
    phases: dict
    bytes_sent: int
    bytes_received: int
    rounds: int

    @property
    def found(self) -> int:
        return sum(v is not None for v in self.values)


class PirClient:
    def __init__(self, channel, *, threads: int | None = None, rng=None, progress=None,
                 max_hint_bytes: int = DEFAULT_MAX_HINT_BYTES):
        self.channel = channel
        self.threads = threads
        self.rng = rng
        self.progress = progress or (lambda phase, done, total: None)
        self.max_hint_bytes = max_hint_bytes

    def run(self, ids: PackedIds) -> QueryOutcome:
        ch, peer = self.channel, self.channel.peer
        before = ch.stats.protocol(msg.PROTOCOL)
        started = tick = time.perf_counter()
        phases = {"oprf": 0.0, "query": 0.0, "wait": 0.0, "decode": 0.0}
        ch.send(msg.TAG_CLIENT_HELLO, msg.ClientHello(ids.columns).pack())
        hello = msg.ServerHello.parse(ch.recv(msg.TAG_SERVER_HELLO), peer)
        msg.check_columns(ids.columns, hello.key_columns, peer)
        g = hello.geometry
        hint_bytes = 4 * g.rows * params.LWE_N
        if hint_bytes > self.max_hint_bytes:
            raise ProtocolError(f"server's hint would be {hint_bytes} bytes, more than {self.max_hint_bytes}", peer)
        hint = np.empty((g.rows, params.LWE_N), dtype=np.uint32)
        for start, stop in msg.batches(g.rows, msg.HINT_ROWS_PER_MESSAGE):
            hint[start:stop] = ch.recv_exact(msg.TAG_HINT, "<u4", (stop - start, params.LWE_N))
        now = time.perf_counter(); phases["hello and hint"] = now - tick; tick = now
        maker = lwe.QueryMaker(lwe.expand_a(hello.a_seed, g.cols), hint, self.rng)
        del hint
        now = time.perf_counter(); phases["setup"] = now - tick; tick = now
        domain = oprf_domain(hello.oprf_nonce)
        values: list = [None] * len(ids)
        for start, stop in msg.batches(len(ids), hello.max_batch):
            values[start:stop] = self._batch(ids, start, stop, hello, maker, domain, phases)
            self.progress("query", stop, len(ids))
        ch.send(msg.TAG_BATCH, (0).to_bytes(msg.BATCH_BYTES, "big"))
        phases["total"] = time.perf_counter() - started
        after = ch.stats.protocol(msg.PROTOCOL)
        return QueryOutcome(values, hello.table_rows, hello.value_columns, hint_bytes, phases,
                            after.bytes_sent - before.bytes_sent, after.bytes_received - before.bytes_received,
                            after.rounds - before.rounds)

    def _batch(self, ids: PackedIds, start: int, stop: int, hello, maker, domain: bytes, phases: dict) -> list:
        ch, peer, g = self.channel, self.channel.peer, hello.geometry
        count = stop - start
        t = time.perf_counter()
        blinded, factors = rsa_kernels.blind(ids.data, ids.batch(start, stop), domain, hello.modulus, hello.e,
                                             threads=self.threads)
        ch.send(msg.TAG_BATCH, count.to_bytes(msg.BATCH_BYTES, "big"))
        ch.send(msg.TAG_BLINDED, blinded)
        signed = ch.recv_exact(msg.TAG_SIGNED, "u1", (count, hello.modulus_bytes))
        f_rows = rsa_kernels.unblind(hello.modulus, hello.e, blinded, signed, factors, domain,
                                     hash_bytes=keyword.OPRF_BYTES, threads=self.threads, peer=peer)
        fs = [f_rows[i].tobytes() for i in range(count)]
        columns = np.array([keyword.candidate_columns(f, hello.place_seed, g.cols) for f in fs],
                           dtype=np.int64).reshape(count * msg.QUERIES_PER_KEY)
        t2 = time.perf_counter(); phases["oprf"] += t2 - t
        queries, secrets = maker.queries(columns, threads=self.threads)
        t3 = time.perf_counter(); phases["query"] += t3 - t2
        ch.send(msg.TAG_QUERIES, queries)
        answers = ch.recv_exact(msg.TAG_ANSWERS, "<u4", (msg.QUERIES_PER_KEY * count, g.rows))
        t4 = time.perf_counter(); phases["wait"] += t4 - t3
        retrieved = maker.decode(answers, secrets, threads=self.threads)
        out = []
        for i, f in enumerate(fs):
            value = None
            for q in range(msg.QUERIES_PER_KEY):
                value = keyword.open_entry(f, retrieved[msg.QUERIES_PER_KEY * i + q], g.entry_bytes, peer)
                if value is not None:
                    break
            out.append(value)
        phases["decode"] += time.perf_counter() - t4
        return out
