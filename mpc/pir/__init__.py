"""Keyword PIR (隐匿查询) from Python: `mpc.pir.server` and `mpc.pir.client` over a Session.

For users who look ids up in another party's table without revealing them (the CLI `mpc pir`
reads CSV files and calls the same roles).  Design, spec protocols/pir.md: an OPRF over the keys
(RFC 9497, P-256), two-choice cuckoo placement of entries sealed under keys derived from the OPRF output,
and SimplePIR (LWE, n = 1024, q = 2^32) to fetch both candidate columns of every queried key.
The client learns the value of each queried key that is in the table (or that it is absent), the
table's size and entry width; the server learns how many keys were queried.

    table = mpc.pir.prepare({"91310000X": ("Acme", "blacklisted"), ...})   # once, server side
    def job(s):
        if s.me == 0:
            return mpc.pir.server(s, table)            # serves this session's client
        return mpc.pir.client(s, ["91310000X", "110105Y"])   # [("Acme", "blacklisted"), None]

Keys are str, bytes, int or tuples of them (several key columns), compared exactly; values bytes,
str or tuples of str.  Keys must be distinct (`DuplicateKeys` names the two positions).
"""
from __future__ import annotations

from collections.abc import Mapping

from mpc.pir import keyword
from mpc.pir.client import PirClient, QueryOutcome
from mpc.pir.database import DuplicateKeys, PirDatabase
from mpc.pir.server import PirServer, ServeOutcome
from mpc.psi.ids import PackedIds
from mpc.transport.channel import two_party_channel

__all__ = ["DuplicateKeys", "PirClient", "PirDatabase", "PirServer", "QueryOutcome", "ServeOutcome",
           "client", "prepare", "server"]


def prepare(table, *, value_columns: list[str] | None = None, threads: int | None = None, progress=None,
            key: bytes | None = None) -> PirDatabase:
    """Preprocess a table once: a mapping key -> value, or (key, value) pairs (duplicates refused)."""
    pairs = list(table.items()) if isinstance(table, Mapping) else list(table)
    ids = PackedIds.from_values([k for k, _ in pairs])
    values = [keyword.encode_value(v) for _, v in pairs]
    return PirDatabase.build(ids, values, value_columns=value_columns, threads=threads, progress=progress,
                             key=key)


def _channel(session, peer: int | None):
    return two_party_channel(session, peer, "PIR")


def server(session, table, *, peer: int | None = None, threads: int | None = None, **options) -> ServeOutcome:
    """Serve one client of this session from `table` (a `PirDatabase`, or anything `prepare` takes)."""
    database = table if isinstance(table, PirDatabase) else prepare(table, threads=threads)
    return PirServer(_channel(session, peer), database, threads=threads, **options).run()


def client(session, keys, *, peer: int | None = None, threads: int | None = None, progress=None,
           outcome: bool = False):
    """Look `keys` up in the server's table: one value per key (None when absent), in order.
    With outcome=True, the `QueryOutcome` (sizes, phases, bytes) comes back too."""
    ids = keys if isinstance(keys, PackedIds) else PackedIds.from_values(list(keys))
    role = PirClient(_channel(session, peer), threads=threads, rng=getattr(session, "rng", None),
                     progress=progress)
    result = role.run(ids)
    values = [None if v is None else keyword.decode_value(v) for v in result.values]
    return (values, result) if outcome else values
