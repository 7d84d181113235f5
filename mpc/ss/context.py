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
from mpc.ss.ring import RING64, ring_for_bits, ring_of_dtype

TRIPLE_SOURCES = ("ot", "insecure-dealer")
TRUNCATIONS = ("auto", "local", "masked")


def contiguous_words(array) -> np.ndarray:
    """A C-contiguous uint64 array of the same shape (0-d stays 0-d, unlike np.ascontiguousarray)."""
    array = np.asarray(array, dtype=np.uint64)
    return array if array.flags.c_contiguous else array.copy(order="C")


class SharingContext:
    """Secret-sharing state bound to one session: identity, channels, PRG, Beaver triple source.

    `triples` is "ot" (Gilboa triples over correlated OT: the default and the secure path) or
    "insecure-dealer" (a seed shared in the clear: for tests and benchmarks only).  `ring` is the ring
    of reals (128 by default, 64 as an explicit option; integers are always shared in Z_2^64 unless
    an input asks for ring=128); `fractional_bits` defaults to 20 in Z_2^128 and 16 in Z_2^64.
    `truncation` is "auto" (local for 2 parties, masked opening for more), "local" (2 parties only)
    or "masked" (any n).
    """

    def __init__(self, session, *, triples: str = "ot", fractional_bits: int | None = None,
                 threshold: int | None = None, ring: int = 128, truncation: str = "auto"):
        if triples not in TRIPLE_SOURCES:
            raise ValueError(f"unknown triple source {triples!r}; choose from {', '.join(TRIPLE_SOURCES)}")
        if truncation not in TRUNCATIONS:
            raise ValueError(f"unknown truncation {truncation!r}; choose from {', '.join(TRUNCATIONS)}")
        self.session = session
        self.me = int(session.me)
        self.parties = int(session.parties)
        if self.parties < 2:
            raise ValueError("secret sharing needs at least 2 parties")
        endpoint = getattr(session, "endpoint", None)
        self.session_id = bytes(getattr(endpoint, "session_id", None) or getattr(session, "session_id"))
        self.rng = getattr(session, "rng", None)
        self.real_ring = ring_for_bits(ring)
        if fractional_bits is None:
            fractional_bits = (fixed_point.DEFAULT_FRACTIONAL_BITS if self.real_ring.bits == 128
                               else fixed_point.DEFAULT_FRACTIONAL_BITS_64)
        self.fractional_bits = fixed_point.check_fractional_bits(fractional_bits, self.real_ring.bits)
        if truncation == "local" and self.parties != 2:
            raise ValueError(f"local truncation needs exactly 2 parties, not {self.parties}")
        self.truncation = truncation
        self.used = False          # set by the first shared value; configure() refuses afterwards
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

    def real_params(self, ring=None, frac: int | None = None) -> fixed_point.RealParams:
        """Range and truncation guarantees of reals in `ring` (default: the reals' ring)."""
        ring = self.real_ring if ring is None else ring_for_bits(ring)
        return fixed_point.RealParams(ring.bits, self.fractional_bits if frac is None else frac, self.parties)

    def masked_truncation(self) -> bool:
        return self.truncation == "masked" or (self.truncation == "auto" and self.parties != 2)

    # -- collective steps ----------------------------------------------------------------------
    def send_all(self, tag: str, array: np.ndarray, to=None) -> None:
        """Send ring elements (Z_2^64 or Z_2^128, by dtype) or plain words to every peer in `to`."""
        array = np.asarray(array)
        array = contiguous_words(array) if array.dtype == np.uint64 else ring_of_dtype(array.dtype).to_wire(array)
        for peer in (self.peers if to is None else [p for p in to if p != self.me]):
            self.channel(peer).send(tag, array)

    def recv_from(self, peer: int, tag: str, shape, dtype=np.uint64) -> np.ndarray:
        """An array of `shape` from `peer`: uint64 words, or ring elements for a ring's dtype."""
        ring = ring_of_dtype(dtype)
        if ring is RING64:
            return self.channel(peer).recv_exact(tag, np.uint64, shape)
        words = self.channel(peer).recv_exact(tag, np.uint64, ring.wire_shape(shape))
        return ring.from_wire(words, shape)

    def open_sum(self, tag: str, share: np.ndarray, to=None) -> np.ndarray | None:
        """Reveal sum of additive shares to parties `to` (all by default); None at the others."""
        receivers = list(range(self.parties)) if to is None else sorted(set(int(p) for p in to))
        for p in receivers:
            if not 0 <= p < self.parties:
                raise ValueError(f"no party {p} in a session of {self.parties}")
        share = np.asarray(share)
        ring = ring_of_dtype(share.dtype)
        self.send_all(tag, share, to=receivers)
        if self.me not in receivers:
            return None
        total = share.copy()
        for peer in self.peers:
            total = ring.add(total, self.recv_from(peer, tag, share.shape, ring.dtype))
        return total

    def exchange(self, tag: str, outgoing: dict, shape, dtype=np.uint64) -> dict:
        """Send outgoing[peer] to each peer, then receive one array of `shape` from each."""
        for peer in self.peers:
            self.send_all(tag, outgoing[peer], to=[peer])
        return {peer: self.recv_from(peer, tag, shape, dtype) for peer in self.peers}

    def check_field(self, array: np.ndarray, what: str, peer: int) -> np.ndarray:
        from mpc.native import field
        if not field.is_reduced(array):
            raise ProtocolError(f"{what} holds values outside Z_p", peer)
        return array
