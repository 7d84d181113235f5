"""Per-session state of the secret-sharing layer: who I am, channels, randomness, triple source.

For mpc.ss.array and mpc.ss.api; one `SharingContext` per session (see `api.context`).  It wraps the
session's channels with the few collective steps every protocol here needs: send to all, receive
from all (with size checks), open a sum of additive shares.  Specs: protocols/ss-additive.md,
protocols/ss-shamir.md.
"""
from __future__ import annotations

import numpy as np

from mpc.errors import ProtocolError
from mpc.ss import fixed_point, shamir

TRIPLE_SOURCES = ("ot", "insecure-dealer")


def contiguous_words(array) -> np.ndarray:
    """A C-contiguous uint64 array of the same shape (0-d stays 0-d, unlike np.ascontiguousarray)."""
    array = np.asarray(array, dtype=np.uint64)
    return array if array.flags.c_contiguous else array.copy(order="C")


class SharingContext:
    """Secret-sharing state bound to one session: identity, channels, PRG, Beaver triple source.

    `triples` is "ot" (Gilboa triples over correlated OT: the default and the secure path) or
    "insecure-dealer" (a seed shared in the clear: for tests and benchmarks only).
    """

    def __init__(self, session, *, triples: str = "ot", fractional_bits: int = fixed_point.DEFAULT_FRACTIONAL_BITS,
                 threshold: int | None = None):
        if triples not in TRIPLE_SOURCES:
            raise ValueError(f"unknown triple source {triples!r}; choose from {', '.join(TRIPLE_SOURCES)}")
        self.session = session
        self.me = int(session.me)
        self.parties = int(session.parties)
        if self.parties < 2:
            raise ValueError("secret sharing needs at least 2 parties")
        endpoint = getattr(session, "endpoint", None)
        self.session_id = bytes(getattr(endpoint, "session_id", None) or getattr(session, "session_id"))
        self.rng = getattr(session, "rng", None)
        self.fractional_bits = fixed_point.check_fractional_bits(fractional_bits)
        self.threshold = shamir.default_threshold(self.parties) if threshold is None else int(threshold)
        self.triple_kind = triples
        self._channels = {}
        self._triples = None

    # -- identity ------------------------------------------------------------------------------
    @property
    def peers(self) -> list[int]:
        return [p for p in range(self.parties) if p != self.me]

    def channel(self, peer: int):
        if peer not in self._channels:
            self._channels[peer] = self.session.channel(peer)
        return self._channels[peer]

    def same_session(self, other: "SharingContext") -> bool:
        return other is self or (other.session_id == self.session_id and other.me == self.me)

    @property
    def triples(self):
        if self._triples is None:
            from mpc.ss.triples import make_triple_source
            self._triples = make_triple_source(self, self.triple_kind)
        return self._triples

    # -- collective steps ----------------------------------------------------------------------
    def send_all(self, tag: str, array: np.ndarray, to=None) -> None:
        array = contiguous_words(array)
        for peer in (self.peers if to is None else [p for p in to if p != self.me]):
            self.channel(peer).send(tag, array)

    def recv_from(self, peer: int, tag: str, shape, dtype=np.uint64) -> np.ndarray:
        return self.channel(peer).recv_exact(tag, dtype, shape)

    def open_sum(self, tag: str, share: np.ndarray, to=None) -> np.ndarray | None:
        """Reveal sum of additive shares to parties `to` (all by default); None at the others."""
        receivers = list(range(self.parties)) if to is None else sorted(set(int(p) for p in to))
        for p in receivers:
            if not 0 <= p < self.parties:
                raise ValueError(f"no party {p} in a session of {self.parties}")
        share = contiguous_words(share)
        self.send_all(tag, share, to=receivers)
        if self.me not in receivers:
            return None
        total = share.copy()
        for peer in self.peers:
            total += self.recv_from(peer, tag, share.shape)
        return total

    def exchange(self, tag: str, outgoing: dict, shape) -> dict:
        """Send outgoing[peer] to each peer, then receive one array of `shape` from each."""
        for peer in self.peers:
            self.channel(peer).send(tag, contiguous_words(outgoing[peer]))
        return {peer: self.recv_from(peer, tag, shape) for peer in self.peers}

    def check_field(self, array: np.ndarray, what: str, peer: int) -> np.ndarray:
        from mpc.native import field
        if not field.is_reduced(array):
            raise ProtocolError(f"{what} holds values outside Z_p", peer)
        return array
