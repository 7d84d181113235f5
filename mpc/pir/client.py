"""PirClient: the querying party of keyword PIR (spec: protocols/pir.md).

Given a Channel to the server and its packed query keys.  It receives the parameters and the hint,
then per batch: blinds its keys (RFC 9497 OPRF, P-256), finalizes the server's evaluations into F(key),
asks for both cuckoo columns of every key with SimplePIR queries (found or not, so the server
cannot tell), decodes the columns and opens the entry whose tag is its own.  It learns the value of
each queried key present in the table, the table's size and entry width, nothing else.  Its hello
names the key normalisation (`normalize`); a server with another one is a `ProtocolError` before
any lookup (equal keys would silently miss).  Never reads files or argv.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from mpc.errors import ProtocolError
from mpc.native import oprf
from mpc.pir import keyword, lwe, params
from mpc.pir import messages as msg
from mpc.psi.ids import PackedIds, check_normalization

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
                 max_hint_bytes: int = DEFAULT_MAX_HINT_BYTES, normalize: str = "none"):
        """`normalize`: how the query keys are normalised ("none", "strip" or "nfkc", mpc.psi.ids);
        the server's must be the same, and every `PackedIds` looked up must say so."""
        self.channel = channel
        self.normalize = check_normalization(normalize)
        self.threads = threads
        self.rng = rng
        self.progress = progress or (lambda phase, done, total: None)
        self.max_hint_bytes = max_hint_bytes

    def run(self, ids: PackedIds) -> QueryOutcome:
        """One session: connect, look `ids` up, close."""
        self._check_ids(ids)
        self.connect(ids.columns)
        values = self.lookup(ids)
        return self.close(values)

    def connect(self, key_columns: int) -> None:
        """Hello and hint; afterwards `lookup` may be called any number of times, then `close`."""
        ch, peer = self.channel, self.channel.peer
        self._before = ch.stats.protocol(msg.PROTOCOL)
        self._started = tick = time.perf_counter()
        self.phases = {"oprf": 0.0, "query": 0.0, "wait": 0.0, "decode": 0.0}
        ch.send(msg.TAG_CLIENT_HELLO, msg.ClientHello(key_columns, self.normalize).pack())
        hello = msg.ServerHello.parse(ch.recv(msg.TAG_SERVER_HELLO), peer)
        msg.check_same_normalization(self.normalize, hello.normalization, peer)
        msg.check_columns(key_columns, hello.key_columns, peer)
        g = hello.geometry
        hint_bytes = 4 * g.rows * params.LWE_N
        if hint_bytes > self.max_hint_bytes:
            raise ProtocolError(f"server's hint would be {hint_bytes} bytes, more than {self.max_hint_bytes}", peer)
        hint = np.empty((g.rows, params.LWE_N), dtype=np.uint32)
        for start, stop in msg.batches(g.rows, msg.HINT_ROWS_PER_MESSAGE):
            hint[start:stop] = ch.recv_exact(msg.TAG_HINT, "<u4", (stop - start, params.LWE_N))
        now = time.perf_counter(); self.phases["hello and hint"] = now - tick; tick = now
        self._maker = lwe.QueryMaker(lwe.expand_a(hello.a_seed, g.cols), hint, self.rng)
        self.phases["setup"] = time.perf_counter() - tick
        self.hello, self.key_columns, self.hint_bytes = hello, key_columns, hint_bytes

    def lookup(self, ids: PackedIds) -> list:
        """The encoded value of each key of `ids` (None when absent), in order."""
        self._check_ids(ids)
        if ids.columns != self.key_columns:
            raise ValueError(f"these keys have {ids.columns} columns, the session {self.key_columns}")
        values: list = [None] * len(ids)
        for start, stop in msg.batches(len(ids), self.hello.max_batch):
            values[start:stop] = self._batch(ids, start, stop, self.hello, self._maker, self.phases)
            self.progress("query", stop, len(ids))
        return values

    def _check_ids(self, ids: PackedIds) -> None:
        if ids.normalization != self.normalize:
            raise ValueError(f"these keys were packed with normalize={ids.normalization!r}, "
                             f"the client announces {self.normalize!r}")

    def close(self, values: list | None = None) -> QueryOutcome:
        """Tell the server this client is done; the session's totals (with `values` if given)."""
        ch = self.channel
        ch.send(msg.TAG_BATCH, (0).to_bytes(msg.BATCH_BYTES, "big"))
        self.phases["total"] = time.perf_counter() - self._started
        after = ch.stats.protocol(msg.PROTOCOL)
        return QueryOutcome(values or [], self.hello.table_rows, self.hello.value_columns, self.hint_bytes,
                            self.phases, after.bytes_sent - self._before.bytes_sent,
                            after.bytes_received - self._before.bytes_received, after.rounds - self._before.rounds)

    def _batch(self, ids: PackedIds, start: int, stop: int, hello, maker, phases: dict) -> list:
        ch, peer, g = self.channel, self.channel.peer, hello.geometry
        count = stop - start
        t = time.perf_counter()
        blinded, blinds = oprf.blind(ids.data, ids.batch(start, stop), threads=self.threads)
        ch.send(msg.TAG_BATCH, count.to_bytes(msg.BATCH_BYTES, "big"))
        ch.send(msg.TAG_BLINDED, blinded)
        evaluated = ch.recv_exact(msg.TAG_EVALUATED, "u1", (count, msg.ELEMENT_BYTES))
        f_rows = oprf.finalize(ids.data, ids.batch(start, stop), blinds, evaluated, threads=self.threads, peer=peer)
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
