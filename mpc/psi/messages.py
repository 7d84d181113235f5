"""Message layouts and sizes of RSA-PSI (spec: protocols/psi-rsa.md, "Messages").

Shared by RsaPsiServer and RsaPsiClient so both sides agree on every byte.  Every parser checks
exact sizes and ranges and raises `ProtocolError`: peer data is untrusted.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from mpc.errors import ProtocolError
from mpc.psi.ids import check_same_normalization, normalization_code
from mpc.psi.ids import normalization_name as _normalization_name

PROTOCOL = "psi-rsa"
VERSION = 2  # 2: normalisation in the hellos, the key-proof and done messages
TAG_CLIENT_HELLO = "psi-rsa:client-hello"
TAG_SERVER_HELLO = "psi-rsa:server-hello"
TAG_BLINDED = "psi-rsa:blinded"
TAG_SIGNED = "psi-rsa:signed"
TAG_PROGRESS = "psi-rsa:progress"
TAG_SERVER_COUNT = "psi-rsa:server-count"
TAG_SERVER_HASHES = "psi-rsa:server-hashes"
TAG_MATCH_COUNT = "psi-rsa:match-count"
TAG_MATCHES = "psi-rsa:matches"
TAG_KEY_PROOF = "psi-rsa:key-proof"
TAG_DONE = "psi-rsa:done"

# What the messages carry, for error messages meant for people (never the internal tag).
TAG_DESCRIPTIONS = {
    TAG_CLIENT_HELLO: "the client's opening message", TAG_SERVER_HELLO: "the server's opening message",
    TAG_KEY_PROOF: "the proof of the server's RSA key", TAG_BLINDED: "a batch of the client's blinded ids",
    TAG_SIGNED: "a batch of signed ids from the server", TAG_PROGRESS: "a progress report from the server",
    TAG_SERVER_COUNT: "the server's id count", TAG_SERVER_HASHES: "the server's hashed ids",
    TAG_MATCH_COUNT: "the client's match count", TAG_MATCHES: "the client's list of matches",
    TAG_DONE: "the server's confirmation that it received the matches",
}

REVEAL_BOTH, REVEAL_CLIENT = "both", "client"
_REVEAL_CODES = {REVEAL_BOTH: 0, REVEAL_CLIENT: 1}
_REVEAL_NAMES = {v: k for k, v in _REVEAL_CODES.items()}

HASH_BYTES = 16
DEFAULT_BATCH = 1 << 14        # identifiers per blinded/signed message (4 MiB at 2048 bits)
HASHES_PER_MESSAGE = 1 << 16   # final hashes per server-hashes message (1 MiB)
MATCHES_PER_MESSAGE = 1 << 17  # indices per matches message (1 MiB)
MAX_BATCH = 1 << 16
MAX_ROWS = 1 << 40             # rows a peer may announce
MIN_MODULUS_BYTES, MAX_MODULUS_BYTES = 128, 512
DOMAIN_LABEL = b"mpc/psi-rsa/v1"

_CLIENT = struct.Struct(">HBBIQ")            # version, reveal, normalisation, columns, rows: 16 bytes
_SERVER = struct.Struct(">HBBIQQII32s")      # ... + e, modulus_bytes, batch, nonce: 64 bytes
CLIENT_HELLO_BYTES = _CLIENT.size
SERVER_HELLO_FIXED_BYTES = _SERVER.size


def reveal_code(reveal: str) -> int:
    if reveal not in _REVEAL_CODES:
        raise ValueError(f"reveal must be 'both' or 'client', not {reveal!r}")
    return _REVEAL_CODES[reveal]


@dataclass(frozen=True)
class ClientHello:
    reveal: str
    columns: int
    rows: int
    normalization: str = "none"

    def pack(self) -> bytes:
        return _CLIENT.pack(VERSION, reveal_code(self.reveal), normalization_code(self.normalization),
                            self.columns, self.rows)

    @classmethod
    def parse(cls, frame, peer=None) -> "ClientHello":
        version, reveal, normalization, columns, rows = _CLIENT.unpack(bytes(frame))
        _check_version(version, peer)
        _check_rows(rows, peer)
        return cls(_reveal_name(reveal, peer), columns, rows, _normalization_name(normalization, peer))


@dataclass(frozen=True)
class ServerHello:
    reveal: str
    columns: int
    rows: int
    e: int
    modulus_bytes: int
    batch: int
    nonce: bytes
    modulus: bytes
    normalization: str = "none"

    def pack(self) -> bytes:
        return _SERVER.pack(VERSION, reveal_code(self.reveal), normalization_code(self.normalization),
                            self.columns, self.rows, self.e, self.modulus_bytes, self.batch,
                            self.nonce) + self.modulus

    @classmethod
    def parse(cls, frame, peer=None) -> "ServerHello":
        frame = bytes(frame)
        if len(frame) < _SERVER.size:
            raise ProtocolError(f"server hello has {len(frame)} bytes, fewer than {_SERVER.size}", peer)
        version, reveal, normalization, columns, rows, e, k, batch, nonce = _SERVER.unpack(frame[:_SERVER.size])
        _check_version(version, peer)
        _check_rows(rows, peer)
        if not MIN_MODULUS_BYTES <= k <= MAX_MODULUS_BYTES or k % 2:
            raise ProtocolError(f"server offers a {8 * k}-bit modulus", peer)
        if len(frame) != _SERVER.size + k:
            raise ProtocolError(f"server hello has {len(frame)} bytes, expected {_SERVER.size + k}", peer)
        modulus = frame[_SERVER.size:]
        n = int.from_bytes(modulus, "big")
        if n.bit_length() != 8 * k or n % 2 == 0:
            raise ProtocolError("server's modulus is not an odd number of the stated length", peer)
        if e < 3 or e % 2 == 0 or e.bit_length() > 32:
            raise ProtocolError(f"server's public exponent {e} is not allowed", peer)
        if not 1 <= batch <= MAX_BATCH:
            raise ProtocolError(f"server's batch size {batch} is outside 1..{MAX_BATCH}", peer)
        return cls(_reveal_name(reveal, peer), columns, rows, e, k, batch, nonce, modulus,
                   _normalization_name(normalization, peer))


def _check_version(version: int, peer) -> None:
    if version != VERSION:
        raise ProtocolError(f"peer speaks psi-rsa version {version}, this side {VERSION}: "
                            "both parties need the same mpc release", peer)


def _check_rows(rows: int, peer) -> None:
    if rows > MAX_ROWS:
        raise ProtocolError(f"peer announces {rows} rows, more than the limit of {MAX_ROWS}", peer)


def _reveal_name(code: int, peer) -> str:
    if code not in _REVEAL_NAMES:
        raise ProtocolError(f"peer sent an unknown reveal mode {code}", peer)
    return _REVEAL_NAMES[code]


def check_agreement(mine_reveal: str, peer_reveal: str, mine_columns: int, peer_columns: int, peer,
                    mine_normalization: str = "none", peer_normalization: str = "none") -> None:
    """Both sides must ask for the same reveal mode, normalisation and number of key columns."""
    check_same_normalization(mine_normalization, peer_normalization, peer)
    if mine_reveal != peer_reveal:
        raise ProtocolError(f"reveal mismatch: this side asked for --reveal {mine_reveal}, the peer for "
                            f"--reveal {peer_reveal}; both parties must pass the same value", peer)
    if mine_columns != peer_columns:
        raise ProtocolError(f"key column mismatch: this side has {mine_columns} key column(s), the peer "
                            f"{peer_columns}; both parties must key on the same number of columns", peer)


def domain(session_id: bytes, nonce: bytes) -> bytes:
    """Domain separation of every hash in one run: label, session id, server's fresh nonce."""
    return DOMAIN_LABEL + len(session_id).to_bytes(2, "big") + session_id + nonce


def batches(total: int, size: int):
    """(start, stop) of consecutive batches covering 0..total."""
    for start in range(0, total, size):
        yield start, min(total, start + size)
