"""Message layouts and sizes of ECDH-PSI (spec: protocols/psi-ecdh.md, "Messages").

Shared by EcdhPsiServer and EcdhPsiClient.  Every parser checks exact sizes and ranges and raises
`ProtocolError`: peer data is untrusted.  Reveal modes, the key-column agreement and batching are
the same as RSA-PSI's (mpc.psi.messages).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from mpc.errors import ProtocolError
from mpc.psi.messages import _reveal_name, reveal_code

PROTOCOL = "psi-ecdh"
VERSION = 1
TAG_CLIENT_HELLO = "psi-ecdh:client-hello"
TAG_SERVER_HELLO = "psi-ecdh:server-hello"
TAG_BLINDED = "psi-ecdh:blinded"
TAG_KEYS = "psi-ecdh:keys"
TAG_PROGRESS = "psi-ecdh:progress"
TAG_SERVER_COUNT = "psi-ecdh:server-count"
TAG_SERVER_POINTS = "psi-ecdh:server-points"
TAG_MATCH_COUNT = "psi-ecdh:match-count"
TAG_MATCHES = "psi-ecdh:matches"

POINT_BYTES = 32
KEY_BYTES = 16                 # final keys: SHA-256 truncated, collisions 2^-128 per pair
DEFAULT_BATCH = 1 << 14        # identifiers per blinded/keys message (512 KiB of points)
MAX_BATCH = 1 << 16
POINTS_PER_MESSAGE = 1 << 15   # server points per message (1 MiB)
MATCHES_PER_MESSAGE = 1 << 17  # indices per matches message (1 MiB), as RSA-PSI
MAX_ROWS = 1 << 40
DOMAIN_LABEL = b"mpc/psi-ecdh/v1"

_CLIENT = struct.Struct(">HBBIQ")        # version, reveal, reserved, columns, rows: 16 bytes
_SERVER = struct.Struct(">HBBIQI32s")    # ... + batch, nonce: 52 bytes
CLIENT_HELLO_BYTES = _CLIENT.size
SERVER_HELLO_BYTES = _SERVER.size


def _check_version(version: int, peer) -> None:
    if version != VERSION:
        raise ProtocolError(f"peer speaks psi-ecdh version {version}, this side {VERSION}", peer)


def _check_rows(rows: int, peer) -> None:
    if rows > MAX_ROWS:
        raise ProtocolError(f"peer announces {rows} rows, more than 2^40", peer)


@dataclass(frozen=True)
class ClientHello:
    reveal: str
    columns: int
    rows: int

    def pack(self) -> bytes:
        return _CLIENT.pack(VERSION, reveal_code(self.reveal), 0, self.columns, self.rows)

    @classmethod
    def parse(cls, frame, peer=None) -> "ClientHello":
        version, reveal, _reserved, columns, rows = _CLIENT.unpack(bytes(frame))
        _check_version(version, peer)
        _check_rows(rows, peer)
        return cls(_reveal_name(reveal, peer), columns, rows)


@dataclass(frozen=True)
class ServerHello:
    reveal: str
    columns: int
    rows: int
    batch: int
    nonce: bytes

    def pack(self) -> bytes:
        return _SERVER.pack(VERSION, reveal_code(self.reveal), 0, self.columns, self.rows, self.batch, self.nonce)

    @classmethod
    def parse(cls, frame, peer=None) -> "ServerHello":
        version, reveal, _reserved, columns, rows, batch, nonce = _SERVER.unpack(bytes(frame))
        _check_version(version, peer)
        _check_rows(rows, peer)
        if not 1 <= batch <= MAX_BATCH:
            raise ProtocolError(f"server's batch size {batch} is outside 1..{MAX_BATCH}", peer)
        return cls(_reveal_name(reveal, peer), columns, rows, batch, nonce)


def domain(session_id: bytes, nonce: bytes) -> bytes:
    """Domain of every hash in one run: label, session id, the server's fresh nonce."""
    return DOMAIN_LABEL + len(session_id).to_bytes(2, "big") + session_id + nonce
