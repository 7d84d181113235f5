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

Keys are str, bytes, int or tuples of them (several key columns), compared exactly unless
`normalize="strip"` or `"nfkc"` (mpc.psi.ids, as `mpc.psi`; give the same to `prepare` and
`client`: both hellos carry it and a mismatch is a `ProtocolError` on both sides); values bytes,
str or tuples of str.  Keys must be distinct after normalisation (`DuplicateKeys` names the two
positions).
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
            key: bytes | None = None, normalize: str = "none") -> PirDatabase:
    """Preprocess a table once: a mapping key -> value, or (key, value) pairs (duplicates refused);
    keys normalised by `normalize` ("none", "strip" or "nfkc"), which the database records."""
    pairs = list(table.items()) if isinstance(table, Mapping) else list(table)
    ids = PackedIds.from_values([k for k, _ in pairs], normalize)
    values = [keyword.encode_value(v) for _, v in pairs]
    return PirDatabase.build(ids, values, value_columns=value_columns, threads=threads, progress=progress,
                             key=key)


def _channel(session, peer: int | None):
    return two_party_channel(session, peer, "PIR")


def server(session, table, *, peer: int | None = None, threads: int | None = None, normalize: str | None = None,
           **options) -> ServeOutcome:
    """Serve one client of this session from `table` (a `PirDatabase`, or anything `prepare` takes).
    `normalize`: None is the database's (or "none" for a table prepared here); another value than
    the database's is a ValueError."""
    if isinstance(table, PirDatabase):
        database = table
    else:
        database = prepare(table, threads=threads, normalize=normalize or "none")
    return PirServer(_channel(session, peer), database, threads=threads,
                     normalize=database.normalization if normalize is None else normalize, **options).run()


def client(session, keys, *, peer: int | None = None, threads: int | None = None, progress=None,
           outcome: bool = False, normalize: str | None = None):
    """Look `keys` up in the server's table: one value per key (None when absent), in order.
    `normalize` as for `prepare` (None: "none", or the normalisation of packed `keys`); it must be
    the server's.  With outcome=True, the `QueryOutcome` (sizes, phases, bytes) comes back too."""
    if isinstance(keys, PackedIds):
        ids = keys
        if normalize is not None and normalize != ids.normalization:
            raise ValueError(f"keys were packed with normalize={ids.normalization!r}, not {normalize!r}")
    else:
        ids = PackedIds.from_values(list(keys), normalize or "none")
    role = PirClient(_channel(session, peer), threads=threads, rng=getattr(session, "rng", None),
                     progress=progress, normalize=ids.normalization)
    result = role.run(ids)
    values = [None if v is None else keyword.decode_value(v) for v in result.values]
    return (values, result) if outcome else values
