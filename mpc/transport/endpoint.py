"""One party's view of the network: tagged, sequenced, counted messages to and from peers.

For protocol authors (and the runtime).  `Endpoint` holds what every transport shares (headers,
sequence numbers, per-(peer, tag) queues, progress deadlines, size bounds, cutting large messages
into pieces and joining them, counters, the drop log); subclasses only move whole messages:
`ZmqEndpoint` over ZeroMQ, `LocalEndpoint` between threads of one process.  `Channel` is the
endpoint narrowed to one peer, the object a protocol role is given.  Spec: protocols/wire.md.
"""
from __future__ import annotations

import logging
import time
from collections import deque

import numpy as np

from mpc.errors import MpcError, PeerAborted, PeerTimeout, ProtocolError, TransportError
from mpc.transport import wire
from mpc.transport.channel import ARRAY_KINDS, Channel
from mpc.transport.stats import TrafficStats

log = logging.getLogger("mpc.transport")

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_MESSAGE_BYTES = 1 << 30
ABORT_GRACE = 1.0  # seconds an aborting party waits for the peers to read its ABORT
MAX_PENDING_MESSAGES = 100_000
DROP_LOG_INTERVAL = 10.0   # seconds between two log lines about dropped frames
GOODBYE_WAIT = 5.0

__all__ = ["Channel", "Endpoint", "PeerLeft"]


class PeerLeft(PeerTimeout):
    """The peer closed its session while this party still waited for a message from it."""


def _as_frame(obj) -> memoryview | bytes:
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in ARRAY_KINDS:
            raise TypeError(f"cannot send an array of dtype {obj.dtype}")
        flat = np.ascontiguousarray(obj).reshape(-1)  # 1-d so that empty arrays cast too
        return memoryview(flat.view(np.uint8))
    if isinstance(obj, (bytes, bytearray)):
        return memoryview(obj)
    if isinstance(obj, memoryview):
        return obj if obj.format == "B" and obj.contiguous and obj.ndim == 1 else memoryview(obj.tobytes())
    raise TypeError(f"cannot send a frame of type {type(obj).__name__}")


class _Assembly:
    """A LARGE message of one peer being joined from its PARTs."""

    def __init__(self, seq: int, tag: str, sizes: list[int], header_bytes: int):
        self.seq, self.tag, self.sizes, self.header_bytes = seq, tag, sizes, header_bytes
        self.frames: list[np.ndarray] = []
        self.offset = 0
        self._skip_empty()

    def _skip_empty(self) -> None:
        while len(self.frames) < len(self.sizes) and self.sizes[len(self.frames)] == 0:
            empty = np.empty(0, np.uint8)
            empty.flags.writeable = False
            self.frames.append(empty)

    @property
    def done(self) -> bool:
        return len(self.frames) == len(self.sizes) and self.offset == 0

    def add(self, piece: memoryview, peer_name: str) -> None:
        index = len(self.frames) - (1 if self.offset else 0)
        if self.offset == 0:
            # Allocated only when its first piece has arrived (untouched pages cost no memory).
            self.frames.append(np.empty(self.sizes[index], np.uint8))
        size = self.sizes[index]
        if piece.nbytes != min(wire.CHUNK_BYTES, size - self.offset):
            raise ProtocolError(f"piece of {piece.nbytes} bytes at offset {self.offset} of a "
                                f"{size}-byte frame of {self.tag!r}", peer_name)
        self.frames[index][self.offset:self.offset + piece.nbytes] = np.frombuffer(piece, np.uint8)
        self.offset += piece.nbytes
        if self.offset == size:
            self.offset = 0
            self.frames[index].flags.writeable = False
            self._skip_empty()


class Endpoint:
    """Base of the transports. Subclasses implement `_transmit` and `_poll` (and `_shutdown`)."""

    def __init__(self, me: int, parties: int, session_id: bytes, *, timeout: float = DEFAULT_TIMEOUT,
                 max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES, names: list[str] | None = None):
        if len(session_id) != wire.SESSION_ID_BYTES:
            raise ValueError(f"session id must be {wire.SESSION_ID_BYTES} bytes")
        if not 0 <= me < parties:
            raise ValueError(f"party id {me} not in 0..{parties - 1}")
        if not (isinstance(max_message_bytes, int) and max_message_bytes > 0):
            raise ValueError("max_message_bytes must be a positive integer")
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
        self._assembly: list[_Assembly | None] = [None] * parties
        self._heard = [0.0] * parties     # monotonic time of the last valid frame from each peer
        self._pending: dict[tuple[int, str], deque] = {}
        self._pending_count = 0
        self._left: set[int] = set()      # peers that said goodbye
        self._acked: set[int] = set()     # peers that acknowledged our goodbye
        self._failed = False              # an error was raised: close without the goodbye wait
        self._broken: dict[int, str] = {}  # peers whose link a half-sent message left unusable
        self._aborted: dict[int, str] = {}  # peers that stopped on purpose, and why
        self._closed = False
        self._drops_logged = 0
        self._next_drop_log = 0.0

    # -- what subclasses provide -------------------------------------------------------------
    def _transmit(self, peer: int, frames: list, block: bool = True) -> None:
        """Send one whole message or nothing; raise `PeerTimeout` or `TransportError` on failure.

        `block=False` (control messages): fail at once rather than wait for a peer that is gone.
        """
        raise NotImplementedError

    def _poll(self, timeout: float):
        """Next raw message as (transport-level sender or None, list of frames), or None on timeout."""
        raise NotImplementedError

    def _shutdown(self) -> None:
        """Release sockets or queues; called once by `close`."""

    def close(self, wait: float | None = None) -> None:
        """Say goodbye to every peer and release the transport.

        Waits up to `wait` seconds (default: the smaller of the timeout and 5 s, but 0 once this
        endpoint has raised an error) for each peer to acknowledge, which proves it has read
        everything sent before.
        """
        if self._closed:
            return
        self._closed = True
        if wait is None:
            wait = 0.0 if self._failed else min(self.timeout, GOODBYE_WAIT)
        try:
            self._goodbye(wait)
        finally:
            self._log_drops(final=True)
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
                 if p != self.me and p not in self._acked and p not in self._broken and p not in self._aborted]
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
                if wait > 0:
                    log.info("party %s closed without goodbye from %s", self.me, ", ".join(missing))
                return
            try:
                self._receive_one(remaining)
            except MpcError as exc:  # closing anyway: a bad last frame only gets logged
                log.info("party %s: while closing: %s", self.me, exc)

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
        Payloads above `wire.CHUNK_BYTES` go in pieces of that size (LARGE + PARTs).
        """
        if self._closed:
            raise TransportError("send on a closed session")
        self._check_peer(peer)
        if peer in self._aborted:
            raise PeerAborted(self._aborted[peer], self.peer_name(peer))
        if peer in self._broken:
            raise TransportError(f"link unusable since a failed send ({self._broken[peer]})",
                                 self.peer_name(peer))
        payload = [_as_frame(f) for f in frames]
        sizes = [f.nbytes for f in payload]
        nbytes = sum(sizes)
        if nbytes > self.max_message_bytes:
            raise ValueError(f"message of {nbytes} bytes exceeds the bound of {self.max_message_bytes}")
        if len(payload) > wire.MAX_FRAMES:
            raise ValueError(f"message of {len(payload)} frames; at most {wire.MAX_FRAMES}")
        seq, session_id = self._send_seq[peer], self._pair_session[peer]
        large = nbytes > wire.CHUNK_BYTES
        header = wire.pack_header(wire.KIND_LARGE if large else wire.KIND_DATA, self.me, peer,
                                  session_id, seq, tag)
        sent = 0
        try:
            if not large:
                self._transmit(peer, [header, *payload])
            else:
                self._transmit(peer, [header, wire.pack_layout(sizes)])
                sent += 1
                part = wire.pack_header(wire.KIND_PART, self.me, peer, session_id, seq, tag)
                for frame in payload:
                    for start in range(0, frame.nbytes, wire.CHUNK_BYTES):
                        self._transmit(peer, [part, frame[start:start + wire.CHUNK_BYTES]])
        except PeerTimeout:
            # A peer that aborted and closed is unreachable; its ABORT may be waiting unread.
            self._read_pending_control()
            if peer in self._aborted:
                self._failed = True
                raise PeerAborted(self._aborted[peer], self.peer_name(peer)) from None
            self._failed = True
            if sent:
                self._broken[peer] = f"{tag!r} cut after its layout"
            raise
        except MpcError as exc:
            self._failed = True
            if sent:  # the peer holds the first pieces: nothing later on this link can be trusted
                self._broken[peer] = f"{tag!r} cut after its layout: {exc}"
            raise
        self._send_seq[peer] += 1
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
        self._transmit(peer, [header, *payload], block=kind == wire.KIND_HELLO)

    # -- receiving -----------------------------------------------------------------------------
    def recv(self, peer: int, tag: str, timeout: float | None = None) -> list[memoryview]:
        """The next message from `peer` under `tag`, as payload frames.

        `PeerTimeout` once `timeout` seconds (default: the session's) have passed without any frame
        from that peer: a large message on a slow link takes as long as its pieces keep coming.
        """
        self._check_peer(peer)
        try:
            return self._recv(peer, tag, self.timeout if timeout is None else timeout)
        except MpcError:
            self._failed = True
            raise

    def _recv(self, peer: int, tag: str, waited: float) -> list[memoryview]:
        key = (peer, tag)
        start = time.monotonic()
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
            remaining = max(start, self._heard[peer]) + waited - time.monotonic()
            if remaining <= 0:
                raise PeerTimeout(f"no message {tag!r} within {waited:g} s of silence",
                                  self.peer_name(peer))
            self._receive_one(remaining)

    def _drop(self, reason: str) -> None:
        """Count a frame that cannot belong to the session; log a summary at most every 10 s."""
        self.stats.on_drop(reason)
        self._log_drops()

    def _log_drops(self, final: bool = False) -> None:
        new = self.stats.dropped - self._drops_logged
        now = time.monotonic()
        if new and (final or now >= self._next_drop_log):
            log.warning("party %s dropped %d frame(s) that cannot belong to the session (%d in all; "
                        "latest: %s)", self.me, new, self.stats.dropped, self.stats.last_drop_reason)
            self._drops_logged = self.stats.dropped
            self._next_drop_log = now + DROP_LOG_INTERVAL

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
            who = "an unknown or unauthenticated connection" if source < 0 else f"party {source}"
            return self._drop(f"{who} sent a frame claiming to be party {header.sender}")
        peer = header.sender
        if header.kind == wire.KIND_HELLO:
            return self._on_hello(peer, [memoryview(f) for f in frames[1:]])
        if header.session_id != self._pair_session[peer]:
            return self._drop(f"frame for another session {header.session_id.hex()}")
        self._heard[peer] = time.monotonic()
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
        if header.kind == wire.KIND_PART:
            return self._on_part(peer, header, payload)
        if self._assembly[peer] is not None:
            raise ProtocolError(f"message {header.seq} began inside large message "
                                f"{self._assembly[peer].seq}", self.peer_name(peer))
        if header.kind == wire.KIND_LARGE:
            if len(payload) != 1:
                return self._drop(f"large message with {len(payload)} layout frames from party {peer}")
            if not self._in_sequence(peer, header.seq):
                return None
            sizes = wire.parse_layout(payload[0], self.max_message_bytes, self.peer_name(peer))
            self._assembly[peer] = _Assembly(header.seq, header.tag, sizes, len(frames[0]))
            return self._complete(peer)
        nbytes = sum(f.nbytes for f in payload)
        if nbytes > self.max_message_bytes:
            return self._drop(f"message of {nbytes} bytes from party {peer} exceeds the bound")
        if not self._in_sequence(peer, header.seq):
            return None
        return self._queue(peer, header.tag, nbytes + len(frames[0]), payload)

    def _in_sequence(self, peer: int, seq: int) -> bool:
        if seq < self._recv_seq[peer]:
            self._drop(f"replayed sequence number {seq} from party {peer}")
            return False
        if seq > self._recv_seq[peer]:
            raise ProtocolError(f"messages lost: got sequence number {seq}, "
                                f"expected {self._recv_seq[peer]}", self.peer_name(peer))
        return True

    def _on_part(self, peer: int, header: wire.Header, payload: list[memoryview]) -> None:
        assembly = self._assembly[peer]
        if assembly is None or assembly.seq != header.seq or assembly.tag != header.tag:
            return self._drop(f"piece of message {header.seq} from party {peer} outside a large message")
        if len(payload) != 1:
            raise ProtocolError(f"piece of {header.tag!r} with {len(payload)} frames", self.peer_name(peer))
        assembly.add(payload[0], self.peer_name(peer))
        return self._complete(peer)

    def _complete(self, peer: int) -> None:
        assembly = self._assembly[peer]
        if assembly.done:
            self._assembly[peer] = None
            frames = [memoryview(f) for f in assembly.frames]
            self._queue(peer, assembly.tag, sum(assembly.sizes) + assembly.header_bytes, frames)

    def _queue(self, peer: int, tag: str, nbytes: int, payload: list[memoryview]) -> None:
        self._recv_seq[peer] += 1
        if self._pending_count >= MAX_PENDING_MESSAGES:
            raise ProtocolError(f"more than {MAX_PENDING_MESSAGES} unread messages", self.peer_name(peer))
        self._pending.setdefault((peer, tag), deque()).append((nbytes, payload))
        self._pending_count += 1

    def _on_hello(self, peer: int, payload: list[memoryview]) -> None:
        """Transports with a connection handshake override this; others ignore HELLO."""

    def channel(self, peer: int) -> Channel:
        self._check_peer(peer)
        return Channel(self, peer)
