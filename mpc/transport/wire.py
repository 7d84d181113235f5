"""Frame header of every mpc message (spec: protocols/wire.md).

Pure packing and parsing, no I/O, so the transport and its tests share one definition.  A message
is one header frame followed by zero or more payload frames.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from mpc.errors import ProtocolError

MAGIC = b"MP"
VERSION = 1
SESSION_ID_BYTES = 16
MAX_TAG_BYTES = 64

KIND_DATA = 0
KIND_HELLO = 1
KIND_BYE = 2
KIND_BYE_ACK = 3
KIND_ABORT = 4   # payload: why the sender stops, UTF-8, at most MAX_ABORT_REASON_BYTES
KIND_LARGE = 5   # a DATA message above CHUNK_BYTES: its layout; the payload follows in PARTs
KIND_PART = 6    # one piece (at most CHUNK_BYTES) of the payload of the LARGE message with the same seq
_KINDS = (KIND_DATA, KIND_HELLO, KIND_BYE, KIND_BYE_ACK, KIND_ABORT, KIND_LARGE, KIND_PART)
MAX_ABORT_REASON_BYTES = 300
NO_SESSION = bytes(SESSION_ID_BYTES)  # HELLO frames: the session id is agreed by the HELLOs

# Large messages travel in pieces so that no frame exceeds CHUNK_BYTES (every socket refuses
# bigger frames, authenticated or not) and so that a slow link shows progress within the timeout.
CHUNK_BYTES = 1 << 20
MAX_FRAMES = 256                      # payload frames per message
FRAME_SLACK = 4096                    # header and LARGE layout frames stay below this
_LAYOUT_COUNT = struct.Struct("<I")

# magic, version, kind, sender, receiver, session id, sequence number, tag length
_FIXED = struct.Struct("<2sBBHH16sQB")
FIXED_BYTES = _FIXED.size  # 33


@dataclass(frozen=True)
class Header:
    kind: int
    sender: int
    receiver: int
    session_id: bytes
    seq: int
    tag: str


def header_bytes(tag: str) -> int:
    """Wire bytes of the header of one message under `tag` (costs formulas use it)."""
    return FIXED_BYTES + len(tag.encode("ascii"))


def pack_header(kind: int, sender: int, receiver: int, session_id: bytes, seq: int, tag: str) -> bytes:
    raw_tag = tag.encode("ascii")
    if len(raw_tag) > MAX_TAG_BYTES:
        raise ValueError(f"tag {tag!r} longer than {MAX_TAG_BYTES} bytes")
    return _FIXED.pack(MAGIC, VERSION, kind, sender, receiver, session_id, seq, len(raw_tag)) + raw_tag


def parse_header(frame: bytes | memoryview, peer: int | str | None = None) -> Header:
    """Parse and validate the form of a header frame; raise `ProtocolError` on any defect."""
    data = bytes(frame[: FIXED_BYTES + MAX_TAG_BYTES + 1])
    if len(frame) < FIXED_BYTES:
        raise ProtocolError(f"truncated header ({len(frame)} bytes, need {FIXED_BYTES})", peer)
    magic, version, kind, sender, receiver, session_id, seq, tag_len = _FIXED.unpack_from(data)
    if magic != MAGIC:
        raise ProtocolError("not an mpc frame (bad magic)", peer)
    if version != VERSION:
        raise ProtocolError(f"wire format version {version}, this build speaks {VERSION}", peer)
    if kind not in _KINDS:
        raise ProtocolError(f"unknown message kind {kind}", peer)
    if len(frame) != FIXED_BYTES + tag_len or tag_len > MAX_TAG_BYTES:
        raise ProtocolError(f"header length {len(frame)} does not match its tag length {tag_len}", peer)
    raw_tag = data[FIXED_BYTES:]
    if not all(0x21 <= b < 0x7F for b in raw_tag):
        raise ProtocolError("tag is not printable ASCII", peer)
    return Header(kind, sender, receiver, session_id, seq, raw_tag.decode("ascii"))


def pack_layout(sizes: list[int]) -> bytes:
    """Payload of a LARGE message: frame count (u32) then each frame's size (u64)."""
    return _LAYOUT_COUNT.pack(len(sizes)) + struct.pack(f"<{len(sizes)}Q", *sizes)


def parse_layout(frame, limit: int, peer: int | str | None = None) -> list[int]:
    """Frame sizes of a LARGE message; `ProtocolError` unless well formed and at most `limit` bytes."""
    data = bytes(frame[: _LAYOUT_COUNT.size + 8 * MAX_FRAMES + 1])
    if len(frame) < _LAYOUT_COUNT.size:
        raise ProtocolError("truncated layout of a large message", peer)
    (count,) = _LAYOUT_COUNT.unpack_from(data)
    if count > MAX_FRAMES or len(frame) != _LAYOUT_COUNT.size + 8 * count:
        raise ProtocolError(f"layout of a large message with {count} frames has {len(frame)} bytes", peer)
    sizes = list(struct.unpack_from(f"<{count}Q", data, _LAYOUT_COUNT.size))
    if sum(sizes) > limit:
        raise ProtocolError(f"large message of {sum(sizes)} bytes exceeds the bound of {limit}", peer)
    return sizes


def pieces(sizes: list[int]) -> int:
    """Number of PART messages that carry frames of these sizes (each frame cut on its own)."""
    return sum(-(-size // CHUNK_BYTES) for size in sizes)


def pack_abort_reason(reason: str) -> bytes:
    """The ABORT payload: `reason` as UTF-8, cut at a character boundary to the bound."""
    raw = reason.encode("utf-8", errors="replace")[:MAX_ABORT_REASON_BYTES]
    return raw.decode("utf-8", errors="ignore").encode("utf-8")


def parse_abort_reason(payload: list) -> str:
    """A peer's ABORT reason for display: bounded, undecodable bytes and control characters replaced."""
    raw = b"".join(bytes(f) for f in payload)[:MAX_ABORT_REASON_BYTES]
    text = raw.decode("utf-8", errors="replace")
    return "".join(c if c.isprintable() else " " for c in text).strip() or "no reason given"
