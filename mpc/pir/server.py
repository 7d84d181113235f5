"""PirServer: the table holder of keyword PIR (spec: protocols/pir.md).

Given a Channel to one client and a preprocessed `PirDatabase`: sends the parameters and the hint,
then answers batches until the client says it is done: for each batch it evaluates the OPRF on
the blinded keys and multiplies the database by the client's encrypted index queries.  It learns the
number of keys queried and nothing else.  Every size is checked before any work: a malformed or
oversized message is `ProtocolError`, and so is a client whose hello names another key
normalisation than `normalize` (equal keys would silently miss).  Never reads files or argv.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from mpc.errors import ProtocolError
from mpc.native import oprf
from mpc.pir import lwe
from mpc.pir import messages as msg
from mpc.pir.database import PirDatabase
from mpc.psi.ids import check_normalization


@dataclass
class ServeOutcome:
    queries: int
    batches: int
    phases: dict
    bytes_sent: int
    bytes_received: int
    rounds: int


class PirServer:
    def __init__(self, channel, database: PirDatabase, *, max_batch: int = msg.DEFAULT_BATCH,
                 threads: int | None = None, normalize: str = "none"):
        """`normalize`: how the table's keys were normalised ("none", "strip" or "nfkc",
        mpc.psi.ids); it must be the database's and the client's (both hellos carry it)."""
        if not 1 <= max_batch <= msg.MAX_BATCH:
            raise ValueError(f"batch size must be in 1..{msg.MAX_BATCH}")
        if check_normalization(normalize) != database.normalization:
            raise ValueError(f"the table's keys were normalised with {database.normalization!r}, "
                             f"not {normalize!r}")
        self.normalize = normalize
        self.channel = channel
        self.database = database
        self.max_batch = max_batch
        self.threads = threads

    def run(self) -> ServeOutcome:
        ch, peer, db = self.channel, self.channel.peer, self.database
        before = ch.stats.protocol(msg.PROTOCOL)
        started = tick = time.perf_counter()
        phases = {"oprf": 0.0, "answer": 0.0}
        hello = msg.ServerHello(db.key_columns, db.table_rows, db.geometry, self.max_batch, db.place_seed,
                                db.a_seed, db.value_columns, self.normalize)
        ch.send(msg.TAG_SERVER_HELLO, *hello.pack())
        theirs = msg.ClientHello.parse(ch.recv_bytes(msg.TAG_CLIENT_HELLO, msg.CLIENT_HELLO_BYTES), peer)
        msg.check_same_normalization(self.normalize, theirs.normalization, peer)
        msg.check_columns(db.key_columns, theirs.key_columns, peer)
        for start, stop in msg.batches(db.geometry.rows, msg.HINT_ROWS_PER_MESSAGE):
            ch.send(msg.TAG_HINT, db.hint[start:stop])
        now = time.perf_counter(); phases["hello and hint"] = now - tick
        g = db.geometry
        queries = batches = 0
        while True:
            count = int.from_bytes(ch.recv_bytes(msg.TAG_BATCH, msg.BATCH_BYTES), "big")
            if count == 0:
                break
            if count > self.max_batch:
                raise ProtocolError(f"client asks for a batch of {count} keys, more than {self.max_batch}", peer)
            blinded = ch.recv_exact(msg.TAG_BLINDED, "u1", (count, msg.ELEMENT_BYTES))
            t = time.perf_counter()
            evaluated = oprf.evaluate(db.key, blinded, threads=self.threads, peer=peer)
            phases["oprf"] += time.perf_counter() - t
            ch.send(msg.TAG_EVALUATED, evaluated)
            index_queries = ch.recv_exact(msg.TAG_QUERIES, "<u4", (msg.QUERIES_PER_KEY * count, g.cols))
            t = time.perf_counter()
            answers = lwe.answer(db.matrix, index_queries, threads=self.threads)
            phases["answer"] += time.perf_counter() - t
            ch.send(msg.TAG_ANSWERS, answers)
            queries += count
            batches += 1
        phases["total"] = time.perf_counter() - started
        after = ch.stats.protocol(msg.PROTOCOL)
        return ServeOutcome(queries, batches, phases, after.bytes_sent - before.bytes_sent,
                            after.bytes_received - before.bytes_received, after.rounds - before.rounds)
