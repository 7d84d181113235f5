"""Private set intersection from Python: `mpc.psi.server` and `mpc.psi.client` over a Session.

For users who hold identifiers in memory (the CLI `mpc psi` reads CSV files through
mpc.psi.csv_input and calls the same roles).  `protocol="ecdh"` (protocols/psi-ecdh.md) and
`protocol="kkrt"` (protocols/psi-kkrt.md) run the faster protocols with the same results.
Blind-RSA PSI (the default), spec protocols/psi-rsa.md: the server
holds a fresh RSA key, the client blinds; by default both learn the intersection, with
`reveal="client"` only the client does (both must pass the same value).  Nothing else leaks but the
sizes listed in the spec.

    def job(s):
        if s.me == 0:
            return mpc.psi.server(s, bank_ids)
        return mpc.psi.client(s, invoice_ids)

Each returns a `PsiResult`: the common identifiers (as the caller gave them) and the row positions
of the caller's own data, both in an order the two parties share.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mpc.psi.client import RsaPsiClient
from mpc.psi.ids import PackedIds
from mpc.psi.matching import PsiOutcome
from mpc.psi.messages import REVEAL_BOTH, REVEAL_CLIENT
from mpc.psi.protocols import PROTOCOLS, play
from mpc.psi.server import RsaPsiServer
from mpc.transport.channel import two_party_channel

__all__ = ["PROTOCOLS", "PsiResult", "RsaPsiClient", "RsaPsiServer", "client", "server", "REVEAL_BOTH", "REVEAL_CLIENT"]


@dataclass
class PsiResult:
    """`ids`: the distinct common identifiers in the shared order (None when this party does not
    learn the result); `positions`: every row of the caller's data whose id is common, grouped by
    id in the shared order, rows ascending within an id; `outcome`: sizes, duplicates, phases, bytes."""
    ids: list | None
    positions: np.ndarray
    outcome: PsiOutcome

    @property
    def size(self) -> int | None:
        return self.outcome.intersection_size

    @property
    def duplicates(self) -> int:
        return self.outcome.duplicates


def _channel(session, peer: int | None):
    return two_party_channel(session, peer, "PSI")


def _pack(ids, normalize: str | None) -> tuple[list | None, PackedIds]:
    if isinstance(ids, PackedIds):
        if normalize is not None and normalize != ids.normalization:
            raise ValueError(f"ids were packed with normalize={ids.normalization!r}, not {normalize!r}")
        return None, ids
    values = list(ids)
    return values, PackedIds.from_values(values, normalize or "none")


def _result(values, packed: PackedIds, outcome: PsiOutcome) -> PsiResult:
    if not outcome.learned:
        return PsiResult(None, outcome.positions, outcome)
    firsts = outcome.first_positions
    common = [values[int(i)] for i in firsts] if values is not None else [packed[int(i)] for i in firsts]
    return PsiResult(common, outcome.positions, outcome)


def server(session, ids, *, reveal: str = REVEAL_BOTH, key_bits: int = 2048, peer: int | None = None,
           batch_size: int | None = None, threads: int | None = None, progress=None,
           normalize: str | None = None, protocol: str | None = None) -> PsiResult:
    """Play the PSI server (RSA: the key holder) with `ids` (str, bytes, int, or tuples of them).

    `normalize` ("none", the default, "strip" or "nfkc"; mpc.psi.ids) must be the client's too.
    `protocol`: "rsa", "ecdh" or "kkrt" (mpc.psi.protocols); both parties name the same one and
    check it first.  None is RSA without that check."""
    values, packed = _pack(ids, normalize)
    options = {} if batch_size is None else {"batch_size": batch_size}
    if protocol is not None:
        outcome = play(protocol, "server", _channel(session, peer), packed, reveal=reveal, key_bits=key_bits,
                       threads=threads, progress=progress, **options)
        return _result(values, packed, outcome)
    role = RsaPsiServer(_channel(session, peer), reveal=reveal, key_bits=key_bits, threads=threads,
                        progress=progress, **options)
    return _result(values, packed, role.run(packed))


def client(session, ids, *, reveal: str = REVEAL_BOTH, peer: int | None = None, threads: int | None = None,
           progress=None, normalize: str | None = None, protocol: str | None = None) -> PsiResult:
    """Play the PSI client with `ids`; always learns the intersection.  `normalize` and `protocol`
    as for `server`."""
    values, packed = _pack(ids, normalize)
    if protocol is not None:
        return _result(values, packed, play(protocol, "client", _channel(session, peer), packed, reveal=reveal,
                                            threads=threads, progress=progress))
    role = RsaPsiClient(_channel(session, peer), reveal=reveal, threads=threads, progress=progress)
    return _result(values, packed, role.run(packed))
