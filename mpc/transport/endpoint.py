"""One party's view of the network: tagged, sequenced, counted messages to and from peers.

For protocol authors (and the runtime).  `Endpoint` holds what every transport shares (headers,
sequence numbers, per-(peer, tag) queues, deadlines, size bounds, counters); subclasses only move
frames: `ZmqEndpoint` over ZeroMQ, `LocalEndpoint` between threads of one process.  `Channel` is the
endpoint narrowed to one peer, the object a protocol role is given.  Spec: protocols/wire.md.
"""
from __future__ import annotations

import logging
import time
from collections import deque

import numpy as np

from mpc.errors import MpcError, PeerAborted, PeerTimeout, ProtocolError
from mpc.transport import wire
from mpc.transport.stats import TrafficStats

log = logging.getLogger("mpc.transport")

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_MESSAGE_BYTES = 1 << 30
ABORT_GRACE = 1.0  # seconds an aborting party waits for the peers to read its ABORT
MAX_PENDING_MESSAGES = 100_000
_ARRAY_KINDS = "biufc"  # bool, int, uint, float, complex: never object or structured dtypes


class PeerLeft(PeerTimeout):
    """The peer closed its session while this party still waited for a message from it."""


def _as_frame(obj) -> memoryview | bytes:
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in _ARRAY_KINDS:
            raise TypeError(f"cannot send an array of dtype {obj.dtype}")
        flat = np.ascontiguousarray(obj).reshape(-1)  # 1-d so that empty arrays cast too
        return memoryview(flat.view(np.uint8))
    if isinstance(obj, (bytes, bytearray)):
        return obj
    if isinstance(obj, memoryview):
        return obj if obj.format == "B" and obj.contiguous else memoryview(obj.tobytes())
    raise TypeError(f"cannot send a frame of type {type(obj).__name__}")


class Endpoint:
    """Base of the transports. Subclasses implement `_transmit` and `_poll` (and `close`)."""

    def __init__(self, me: int, parties: int, session_id: bytes, *, timeout: float = DEFAULT_TIMEOUT,
                 max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES, names: list[str] | None = None):
        if len(session_id) != wire.SESSION_ID_BYTES:
            raise ValueError(f"session id must be {wire.SESSION_ID_BYTES} bytes")
        if not 0 <= me < parties:
            raise ValueError(f"party id {me} not in 0..{parties - 1}")
        self.me = me
        self.parties = parties
        self.session_id = bytes(session_id)
        # Each pair of parties agrees on its own id (transports with a handshake derive it), so a
        # party can check a peer's frames as soon as that peer's HELLO has arrived.
        self._pair_session = [self.session_id] * parties
        self.timeout = timeout
        self.max_message_bytes = max_message_bytes
        self.names = names or [str(i) for i in range(parties)]
        self.stats = TrafficStats()
        self._send_seq = [0] * parties
        self._recv_seq = [0] * parties
        self._pending: dict[tuple[int, str], deque] = {}
        self._pending_count = 0
        self._left: set[int] = set()      # peers that said goodbye
        self._acked: set[int] = set()     # peers that acknowledged our goodbye
        self._aborted: dict[int, str] = {}  # peers that stopped on purpose, and why
        self._closed = False

    # -- what subclasses provide -------------------------------------------------------------
    def _transmit(self, peer: int, frames: list) -> None:
        raise NotImplementedError

    def _poll(self, timeout: float):
        """Next raw message as (transport-level sender or None, list of frames), or None on timeout."""
        raise NotImplementedError

    def _shutdown(self) -> None:
        """Release sockets or queues; called once by `close`."""

    def close(self, wait: float | None = None) -> None:
        """Say goodbye to every peer and release the transport.

        Waits up to `wait` seconds (default: the smaller of the timeout and 5 s) for each peer to
        acknowledge, which proves it has read everything sent before; `wait=0` after a failure.
        """
        if self._closed:
            return
        self._closed = True
        try:
            self._goodbye(min(self.timeout, 5.0) if wait is None else wait)
        finally:
            self._shutdown()

    def abort(self, reason: str) -> None:
        """Stop the session on purpose and tell every peer why, then close.

        Each peer's next wait on this party raises `PeerAborted` with `reason` (UTF-8, cut to
        wire.MAX_ABORT_REASON_BYTES) at once instead of timing out.  Waits at most ABORT_GRACE
        seconds for the peers to read it; never raises for a peer that is already gone.
        """
        if self._closed:
            return
        payload = wire.pack_abort_reason(reason)
        for peer in range(self.parties):
            if peer == self.me or peer in self._left or peer in self._aborted:
                continue
            try:
                self._send_control(peer, wire.KIND_ABORT, payload)
            except Exception:  # noqa: BLE001 - a dead peer must not stop the others' notice
                self._acked.add(peer)
        try:
            self.close(wait=min(self.timeout, ABORT_GRACE))
        except MpcError:
            pass

    def _goodbye(self, wait: float) -> None:
        peers = [p for p in range(self.parties)
                 if p != self.me and p not in self._acked and p not in self._aborted]
        for peer in peers:
            try:
                self._send_control(peer, wire.KIND_BYE)
            except Exception:  # noqa: BLE001 - a dead peer must not stop the others' shutdown
                self._acked.add(peer)
        deadline = time.monotonic() + wait
        while any(p not in self._acked and p not in self._aborted for p in peers):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                missing = [self.peer_name(p) for p in peers if p not in self._acked and p not in self._aborted]
                log.info("party %s closed without goodbye from %s", self.me, ", ".join(missing))
                return
            self._receive_one(remaining)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close(wait=0 if exc_type is not None else None)

    # -- sending -------------------------------------------------------------------------------
    def peer_name(self, peer: int) -> str:
        return self.names[peer] if 0 <= peer < len(self.names) else str(peer)

    def _check_peer(self, peer: int) -> None:
        if not (0 <= peer < self.parties) or peer == self.me:
            raise ValueError(f"party {self.me} has no peer {peer}")

    def send(self, peer: int, tag: str, *frames) -> None:
        """Send one message of `frames` (bytes, memoryviews, numpy arrays) to `peer` under `tag`.

        Arrays of 64 KiB and more go zero-copy: do not modify them until the peer has them.
        """
        if self._closed:
            raise MpcError("send on a closed session")
        self._check_peer(peer)
        if peer in self._aborted:
            raise PeerAborted(self._aborted[peer], self.peer_name(peer))
        payload = [_as_frame(f) for f in frames]
        nbytes = sum(len(f) if isinstance(f, (bytes, bytearray)) else f.nbytes for f in payload)
        if nbytes > self.max_message_bytes:
            raise ValueError(f"message of {nbytes} bytes exceeds the bound of {self.max_message_bytes}")
        header = wire.pack_header(wire.KIND_DATA, self.me, peer, self._pair_session[peer],
                                  self._send_seq[peer], tag)
        self._send_seq[peer] += 1
        try:
            self._transmit(peer, [header, *payload])
        except PeerTimeout:
            # A peer that aborted and closed is unreachable; its ABORT may be waiting unread.
            self._read_pending_control()
            if peer in self._aborted:
                raise PeerAborted(self._aborted[peer], self.peer_name(peer)) from None
            raise
        self.stats.on_send(tag, nbytes + len(header))

    def _read_pending_control(self, limit: int = 10_000) -> None:
        """Read what has already arrived (without waiting), so that ABORT and BYE are seen."""
        for _ in range(limit):
            before = (len(self._aborted), len(self._left), len(self._acked), self._pending_count, self.stats.dropped)
            try:
                self._receive_one(0.0)
            except MpcError:
                return
            if (len(self._aborted), len(self._left), len(self._acked), self._pending_count, self.stats.dropped) == before:
                return

    def _send_control(self, peer: int, kind: int, *payload) -> None:
        session_id = wire.NO_SESSION if kind == wire.KIND_HELLO else self._pair_session[peer]
        header = wire.pack_header(kind, self.me, peer, session_id, 0, "ctl")
        self._transmit(peer, [header, *payload])

    # -- receiving -----------------------------------------------------------------------------
    def recv(self, peer: int, tag: str, timeout: float | None = None) -> list[memoryview]:
        """The next message from `peer` under `tag`, as payload frames; `PeerTimeout` after `timeout`."""
        self._check_peer(peer)
        key = (peer, tag)
        waited = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + waited
        while True:
            queue = self._pending.get(key)
            if queue:
                self._pending_count -= 1
                nbytes, frames = queue.popleft()
                self.stats.on_receive(tag, nbytes)
                return frames
            if peer in self._aborted:
                raise PeerAborted(self._aborted[peer], self.peer_name(peer))
            if peer in self._left:
                raise PeerLeft(f"left the session while party {self.me} waited for {tag!r}",
                               self.peer_name(peer))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PeerTimeout(f"no message {tag!r} within {waited:g} s", self.peer_name(peer))
            self._receive_one(remaining)

    def _drop(self, reason: str) -> None:
        self.stats.on_drop(reason)
        log.warning("party %s dropped a frame: %s", self.me, reason)

    def _receive_one(self, timeout: float) -> None:
        raw = self._poll(timeout)
        if raw is None:
            return
        source, frames = raw
        if not frames:
            return self._drop("empty message")
        try:
            header = wire.parse_header(frames[0], source)
        except ProtocolError as exc:
            return self._drop(str(exc))
        if header.receiver != self.me or not (0 <= header.sender < self.parties) or header.sender == self.me:
            return self._drop(f"frame from {header.sender} to {header.receiver} is not for party {self.me}")
        if source is not None and source != header.sender:
            return self._drop(f"party {source} sent a frame claiming to be party {header.sender}")
        peer = header.sender
        if header.kind == wire.KIND_HELLO:
            return self._on_hello(peer, [memoryview(f) for f in frames[1:]])
        if header.session_id != self._pair_session[peer]:
            return self._drop(f"frame for another session {header.session_id.hex()}")
        if header.kind == wire.KIND_BYE:
            self._left.add(peer)
            try:
                self._send_control(peer, wire.KIND_BYE_ACK)
            except Exception:  # noqa: BLE001 - it is leaving anyway
                pass
            return None
        if header.kind == wire.KIND_BYE_ACK:
            self._acked.add(peer)
            return None
        if header.kind == wire.KIND_ABORT:
            self._aborted.setdefault(peer, wire.parse_abort_reason(frames[1:]))
            return None
        payload = [memoryview(f) for f in frames[1:]]
        nbytes = sum(f.nbytes for f in payload)
        if nbytes > self.max_message_bytes:
            return self._drop(f"message of {nbytes} bytes from party {peer} exceeds the bound")
        if header.seq < self._recv_seq[peer]:
            return self._drop(f"replayed sequence number {header.seq} from party {peer}")
        if header.seq > self._recv_seq[peer]:
            raise ProtocolError(f"messages lost: got sequence number {header.seq}, "
                                f"expected {self._recv_seq[peer]}", self.peer_name(peer))
        self._recv_seq[peer] += 1
        if self._pending_count >= MAX_PENDING_MESSAGES:
            raise ProtocolError(f"more than {MAX_PENDING_MESSAGES} unread messages", self.peer_name(peer))
        self._pending.setdefault((peer, header.tag), deque()).append((nbytes + len(frames[0]), payload))
        self._pending_count += 1
        return None

    def _on_hello(self, peer: int, payload: list[memoryview]) -> None:
        """Transports with a connection handshake override this; others ignore HELLO."""

    def channel(self, peer: int) -> "Channel":
        self._check_peer(peer)
        return Channel(self, peer)


class Channel:
    """The endpoint narrowed to one peer: what a two-party protocol role is given."""

    def __init__(self, endpoint: Endpoint, peer: int):
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
        shape = tuple(shape) if isinstance(shape, (tuple, list)) else (int(shape),)
        size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        frame = self.recv_bytes(tag, size, timeout=timeout)
        return np.frombuffer(frame, dtype=dtype).reshape(shape)

    def send_array(self, tag: str, array: np.ndarray) -> None:
        """Send an array with its dtype and shape, for `recv_array` on the other side."""
        array = np.asarray(array)
        if array.dtype.kind not in _ARRAY_KINDS:
            raise TypeError(f"cannot send an array of dtype {array.dtype}")
        meta = (array.dtype.str + ";" + ",".join(str(d) for d in array.shape)).encode("ascii")
        self.send(tag, meta, np.ascontiguousarray(array))

    def recv_array(self, tag: str, dtype=None, shape=None, timeout: float | None = None) -> np.ndarray:
        """An array sent by `send_array`; checks dtype and shape when given (read-only view)."""
        meta, data = self.recv_frames(tag, 2, timeout)
        try:
            dtype_text, shape_text = bytes(meta).decode("ascii").split(";")
            got_dtype = np.dtype(dtype_text)
            got_shape = tuple(int(d) for d in shape_text.split(",")) if shape_text else ()
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            raise self._error(f"array message {tag!r} has a bad description") from exc
        if got_dtype.kind not in _ARRAY_KINDS or len(got_shape) > 32 or any(d < 0 for d in got_shape):
            raise self._error(f"array message {tag!r} describes {got_dtype} {got_shape}")
        if dtype is not None and got_dtype != np.dtype(dtype):
            raise self._error(f"array {tag!r} has dtype {got_dtype}, expected {np.dtype(dtype)}")
        if shape is not None and got_shape != tuple(shape):
            raise self._error(f"array {tag!r} has shape {got_shape}, expected {tuple(shape)}")
        expected = int(np.prod(got_shape, dtype=np.int64)) * got_dtype.itemsize
        if data.nbytes != expected:
            raise self._error(f"array {tag!r} has {data.nbytes} bytes, its description needs {expected}")
        return np.frombuffer(data, dtype=got_dtype).reshape(got_shape)
