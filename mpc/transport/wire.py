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
KIND_ABORT = 4  # payload: why the sender stops, UTF-8, at most MAX_ABORT_REASON_BYTES
_KINDS = (KIND_DATA, KIND_HELLO, KIND_BYE, KIND_BYE_ACK, KIND_ABORT)
MAX_ABORT_REASON_BYTES = 300
NO_SESSION = bytes(SESSION_ID_BYTES)  # HELLO frames: the session id is agreed by the HELLOs

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


def pack_abort_reason(reason: str) -> bytes:
    """The ABORT payload: `reason` as UTF-8, cut at a character boundary to the bound."""
    raw = reason.encode("utf-8", errors="replace")[:MAX_ABORT_REASON_BYTES]
    return raw.decode("utf-8", errors="ignore").encode("utf-8")


def parse_abort_reason(payload: list) -> str:
    """A peer's ABORT reason for display: bounded, undecodable bytes and control characters replaced."""
    raw = b"".join(bytes(f) for f in payload)[:MAX_ABORT_REASON_BYTES]
    text = raw.decode("utf-8", errors="replace")
    return "".join(c if c.isprintable() else " " for c in text).strip() or "no reason given"
