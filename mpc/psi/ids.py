"""Identifiers packed for the RSA-PSI kernels: one byte buffer plus absolute offsets.

For the PSI roles and the CSV reader (spec: protocols/psi-rsa.md, "Identifier encoding").  An
identifier is one or more key columns; each column is encoded as u32be(len(utf8)) || utf8, so that
("ab", "c") and ("a", "bc") never collide and a one-column id is the same whether it came from a
CSV file or from `mpc.psi.server([...])`.

Normalisation (the same for every PSI protocol, applied here before encoding; both parties must use
the same one, which the protocols check in their handshake): `strip` removes Unicode whitespace
(str.isspace: space, tab, NBSP U+00A0, ideographic space U+3000, ...) around each key column value,
`nfkc` applies Unicode NFKC (full-width digits and letters become ASCII, NBSP and U+3000 become
spaces) and then strips, `none` keeps the bytes as written.  No case folding in any mode.  Bytes and
ints are never changed.
"""
from __future__ import annotations

from collections.abc import Iterable

import unicodedata

import numpy as np

from mpc.errors import ProtocolError

MAX_COLUMN_BYTES = 0xFFFFFFFF
NORMALIZATIONS = ("none", "strip", "nfkc")  # index = code in the protocols' hellos


def check_normalization(mode: str) -> str:
    if mode not in NORMALIZATIONS:
        raise ValueError(f"normalize must be one of {', '.join(NORMALIZATIONS)}, not {mode!r}")
    return mode


def normalization_code(name: str) -> int:
    """The code of a normalisation in the protocols' hellos (psi-rsa, pir)."""
    if name not in NORMALIZATIONS:
        raise ValueError(f"normalize must be one of {', '.join(NORMALIZATIONS)}, not {name!r}")
    return NORMALIZATIONS.index(name)


def normalization_name(code: int, peer) -> str:
    """The normalisation a peer's hello names; an unknown code is the peer's `ProtocolError`."""
    if not 0 <= code < len(NORMALIZATIONS):
        raise ProtocolError(f"peer sent an unknown normalisation {code}", peer)
    return NORMALIZATIONS[code]


def check_same_normalization(mine: str, theirs: str, peer) -> None:
    """Both parties must normalise keys alike, or equal ids would silently not match."""
    if mine != theirs:
        raise ProtocolError(f"normalisation mismatch: this side uses --normalize {mine}, the "
                            f"peer --normalize {theirs}; both parties must pass the same value "
                            "(ids would not match otherwise)", peer)


def normalize_value(value, mode: str):
    """One key column value under `mode`; only str values change."""
    if not isinstance(value, str) or mode == "none":
        return value
    if mode == "nfkc":
        value = unicodedata.normalize("NFKC", value)
    return value.strip()


def normalize_id(value, mode: str):
    if isinstance(value, (tuple, list)):
        return type(value)(normalize_value(v, mode) for v in value)
    return normalize_value(value, mode)


def encode_column(value) -> bytes:
    if isinstance(value, str):
        raw = value.encode("utf-8")
    elif isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        raw = str(int(value)).encode("ascii")
    else:
        raise TypeError(f"an identifier column must be str, bytes or int, not {type(value).__name__}")
    if len(raw) > MAX_COLUMN_BYTES:
        raise ValueError("an identifier column is longer than 4 GiB")
    return len(raw).to_bytes(4, "big") + raw


def encode_id(value) -> bytes:
    """The encoding of one identifier: a tuple/list is several key columns, anything else is one."""
    if isinstance(value, (tuple, list)):
        if not value:
            raise ValueError("an identifier needs at least one column")
        return b"".join(encode_column(v) for v in value)
    return encode_column(value)


def column_count(value) -> int:
    return len(value) if isinstance(value, (tuple, list)) else 1


class PackedIds:
    """Encoded identifiers in one buffer: id i is data[offsets[i]:offsets[i+1]]."""

    def __init__(self, data: bytes | bytearray, offsets: np.ndarray, columns: int = 1,
                 normalization: str = "none"):
        offsets = np.ascontiguousarray(offsets, dtype=np.uint64)
        if offsets.ndim != 1 or offsets.size < 1 or int(offsets[0]) != 0 or int(offsets[-1]) != len(data):
            raise ValueError("offsets must start at 0 and end at the buffer length")
        self.data = data
        self.offsets = offsets
        self.columns = columns
        self.normalization = check_normalization(normalization)  # how the values were normalised

    @classmethod
    def from_values(cls, values: Iterable, normalize: str = "none") -> "PackedIds":
        check_normalization(normalize)
        parts: list[bytes] = []
        columns = None
        for value in values:
            value = normalize_id(value, normalize)
            c = column_count(value)
            if columns is None:
                columns = c
            elif c != columns:
                raise ValueError(f"identifiers have {columns} and {c} key columns; use one shape")
            parts.append(encode_id(value))
        lengths = np.fromiter((len(p) for p in parts), dtype=np.uint64, count=len(parts))
        offsets = np.zeros(len(parts) + 1, dtype=np.uint64)
        np.cumsum(lengths, out=offsets[1:])
        return cls(b"".join(parts), offsets, columns or 1, normalize)

    def __len__(self) -> int:
        return self.offsets.size - 1

    def __getitem__(self, i: int) -> bytes:
        return bytes(self.data[int(self.offsets[i]):int(self.offsets[i + 1])])

    def batch(self, start: int, stop: int) -> np.ndarray:
        """Offsets of ids start..stop-1 (absolute, so the kernels read the same buffer)."""
        return self.offsets[start:stop + 1]


class IdBuilder:
    """Appends encoded identifiers without keeping one Python object per row."""

    def __init__(self, columns: int, normalization: str = "none"):
        self.columns = columns
        self.normalization = check_normalization(normalization)
        self._data = bytearray()
        self._ends: list[int] = []

    def add(self, encoded: bytes) -> None:
        self._data += encoded
        self._ends.append(len(self._data))

    def __len__(self) -> int:
        return len(self._ends)

    def build(self) -> PackedIds:
        offsets = np.zeros(len(self._ends) + 1, dtype=np.uint64)
        offsets[1:] = self._ends
        return PackedIds(self._data, offsets, self.columns, self.normalization)


def decode_id(encoded: bytes) -> tuple[str, ...]:
    """The key columns of an encoded id, decoded as UTF-8 (for display and the Python API)."""
    out, at = [], 0
    while at < len(encoded):
        n = int.from_bytes(encoded[at:at + 4], "big")
        out.append(encoded[at + 4:at + 4 + n].decode("utf-8", errors="replace"))
        at += 4 + n
    return tuple(out)
