"""`Channel`: one party's endpoint narrowed to one peer, the object a two-party protocol role is given.

For protocol authors.  Adds the typed receive helpers (exact sizes, arrays with dtype and shape)
whose failures are `ProtocolError` naming the peer and tag.  Spec: protocols/wire.md.
"""
from __future__ import annotations

import math

import numpy as np

from mpc.errors import ProtocolError
from mpc.transport.stats import TrafficStats

ARRAY_KINDS = "biufc"  # bool, int, uint, float, complex: never object or structured dtypes
MAX_ARRAY_DIMENSIONS = 32


class Channel:
    """The endpoint narrowed to one peer: what a two-party protocol role is given."""

    def __init__(self, endpoint, peer: int):
        self.endpoint = endpoint
        self.peer = peer

    @property
    def stats(self) -> TrafficStats:
        return self.endpoint.stats

    def send(self, tag: str, *frames) -> None:
        self.endpoint.send(self.peer, tag, *frames)

    def recv(self, tag: str, timeout: float | None = None) -> list[memoryview]:
        return self.endpoint.recv(self.peer, tag, timeout)

    def _error(self, message: str) -> ProtocolError:
        return ProtocolError(message, self.endpoint.peer_name(self.peer))

    def recv_frames(self, tag: str, count: int, timeout: float | None = None) -> list[memoryview]:
        frames = self.recv(tag, timeout)
        if len(frames) != count:
            raise self._error(f"message {tag!r} has {len(frames)} frames, expected {count}")
        return frames

    def recv_bytes(self, tag: str, size: int | None = None, *, max_size: int | None = None,
                   timeout: float | None = None) -> memoryview:
        """One single-frame message; exactly `size` bytes if given, at most `max_size` if given."""
        (frame,) = self.recv_frames(tag, 1, timeout)
        if size is not None and frame.nbytes != size:
            raise self._error(f"message {tag!r} has {frame.nbytes} bytes, expected {size}")
        if max_size is not None and frame.nbytes > max_size:
            raise self._error(f"message {tag!r} has {frame.nbytes} bytes, more than {max_size}")
        return frame

    def recv_exact(self, tag: str, dtype, shape, timeout: float | None = None) -> np.ndarray:
        """A raw array whose dtype and shape both sides know in advance (read-only view)."""
        dtype = np.dtype(dtype)
        shape = tuple(int(d) for d in shape) if isinstance(shape, (tuple, list)) else (int(shape),)
        size = math.prod(shape) * dtype.itemsize     # Python integers: no silent overflow
        frame = self.recv_bytes(tag, size, timeout=timeout)
        return np.frombuffer(frame, dtype=dtype).reshape(shape)

    def send_array(self, tag: str, array: np.ndarray) -> None:
        """Send an array with its dtype and shape, for `recv_array` on the other side."""
        array = np.asarray(array)
        if array.dtype.kind not in ARRAY_KINDS:
            raise TypeError(f"cannot send an array of dtype {array.dtype}")
        meta = (array.dtype.str + ";" + ",".join(str(d) for d in array.shape)).encode("ascii")
        self.send(tag, meta, np.ascontiguousarray(array))

    def recv_array(self, tag: str, dtype=None, shape=None, timeout: float | None = None) -> np.ndarray:
        """An array sent by `send_array`; checks dtype and shape when given (read-only view)."""
        meta, data = self.recv_frames(tag, 2, timeout)
        if meta.nbytes > 64 + 21 * MAX_ARRAY_DIMENSIONS:
            raise self._error(f"array message {tag!r} has a description of {meta.nbytes} bytes")
        try:
            dtype_text, shape_text = bytes(meta).decode("ascii").split(";")
            got_dtype = np.dtype(dtype_text)
            got_shape = tuple(int(d) for d in shape_text.split(",")) if shape_text else ()
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            raise self._error(f"array message {tag!r} has a bad description") from exc
        if (got_dtype.kind not in ARRAY_KINDS or got_dtype.itemsize == 0
                or len(got_shape) > MAX_ARRAY_DIMENSIONS or any(d < 0 for d in got_shape)):
            raise self._error(f"array message {tag!r} describes {got_dtype} {got_shape}")
        if dtype is not None and got_dtype != np.dtype(dtype):
            raise self._error(f"array {tag!r} has dtype {got_dtype}, expected {np.dtype(dtype)}")
        if shape is not None and got_shape != tuple(shape):
            raise self._error(f"array {tag!r} has shape {got_shape}, expected {tuple(shape)}")
        # Exact integer product: an int64 product of (2**32, 2**32) would wrap to 0 and pass.
        expected = math.prod(got_shape) * got_dtype.itemsize
        if data.nbytes != expected:
            raise self._error(f"array {tag!r} has {data.nbytes} bytes, its description needs {expected}")
        try:
            return np.frombuffer(data, dtype=got_dtype).reshape(got_shape)
        except (ValueError, OverflowError) as exc:  # e.g. a zero-size array with a dimension > 2**63
            raise self._error(f"array {tag!r} describes an impossible shape {got_shape}") from exc


def two_party_channel(session, peer: int | None, protocol: str):
    """The channel a two-party protocol role runs on: `session` itself if it is a Channel, else the
    channel to `peer` (the only other party when None; ValueError in a larger session)."""
    if hasattr(session, "recv_exact"):  # already a Channel
        return session
    if peer is None:
        if getattr(session, "parties", 2) != 2:
            raise ValueError(f"{protocol} is a two-party protocol: pass peer= in a larger session")
        peer = 1 - session.me
    return session.channel(peer)
