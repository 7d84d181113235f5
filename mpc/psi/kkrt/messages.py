"""Message layouts and sizes of KKRT-PSI (spec: protocols/psi-kkrt.md, "Messages").

Shared by KkrtPsiServer and KkrtPsiClient.  Parsers check sizes and ranges and raise
`ProtocolError`.  Reveal modes and the key-column agreement are RSA-PSI's (mpc.psi.messages).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from mpc.errors import ProtocolError
from mpc.psi.kkrt.params import BLOCK, MAX_CLIENT_ROWS, max_bins
from mpc.psi.messages import _reveal_name, reveal_code

PROTOCOL = "psi-kkrt"
BASE_OT_PROTOCOL = "ot-base"   # the 512 base OTs run on mpc.ot.base's own tags
VERSION = 1
TAG_CLIENT_HELLO = "psi-kkrt:client-hello"
TAG_SERVER_HELLO = "psi-kkrt:server-hello"
TAG_U = "psi-kkrt:u"
TAG_SERVER_COUNT = "psi-kkrt:server-count"
TAG_VALUES = "psi-kkrt:values"
TAG_MATCH_COUNT = "psi-kkrt:match-count"
TAG_MATCHES = "psi-kkrt:matches"

BASE_OTS = 512
ROWS_PER_MESSAGE = 1 << 14      # u rows per message (1 MiB)
ITEMS_PER_MESSAGE = 1 << 15     # server items per values message (3·ℓ bytes each, ≤ 1.5 MiB)
MATCHES_PER_MESSAGE = 1 << 17
MAX_SERVER_ROWS = 1 << 40
DOMAIN_LABEL = b"mpc/psi-kkrt/v1"

_CLIENT = struct.Struct(">HBBIQQ")      # version, reveal, reserved, columns, rows, bins: 24 bytes
_SERVER = struct.Struct(">HBBIQ32s")    # ... + nonce: 48 bytes
CLIENT_HELLO_BYTES = _CLIENT.size
SERVER_HELLO_BYTES = _SERVER.size


def _check_version(version: int, peer) -> None:
    if version != VERSION:
        raise ProtocolError(f"peer speaks psi-kkrt version {version}, this side {VERSION}", peer)


@dataclass(frozen=True)
class ClientHello:
    reveal: str
    columns: int
    rows: int
    bins: int

    def pack(self) -> bytes:
        return _CLIENT.pack(VERSION, reveal_code(self.reveal), 0, self.columns, self.rows, self.bins)

    @classmethod
    def parse(cls, frame, peer=None) -> "ClientHello":
        version, reveal, _reserved, columns, rows, bins = _CLIENT.unpack(bytes(frame))
        _check_version(version, peer)
        if rows > MAX_CLIENT_ROWS:
            raise ProtocolError(f"client announces {rows} rows, more than 2^31", peer)
        if bins % BLOCK or (rows == 0) != (bins == 0) or (rows and not rows <= bins <= max_bins(rows)):
            raise ProtocolError(f"client announces {bins} cuckoo bins for {rows} rows", peer)
        return cls(_reveal_name(reveal, peer), columns, rows, bins)


@dataclass(frozen=True)
class ServerHello:
    reveal: str
    columns: int
    rows: int
    nonce: bytes

    def pack(self) -> bytes:
        return _SERVER.pack(VERSION, reveal_code(self.reveal), 0, self.columns, self.rows, self.nonce)

    @classmethod
    def parse(cls, frame, peer=None) -> "ServerHello":
        version, reveal, _reserved, columns, rows, nonce = _SERVER.unpack(bytes(frame))
        _check_version(version, peer)
        if rows > MAX_SERVER_ROWS:
            raise ProtocolError(f"server announces {rows} rows, more than 2^40", peer)
        return cls(_reveal_name(reveal, peer), columns, rows, nonce)


def domain(session_id: bytes, nonce: bytes) -> bytes:
    return DOMAIN_LABEL + len(session_id).to_bytes(2, "big") + session_id + nonce
