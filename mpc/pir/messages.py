"""Message layouts and sizes of keyword PIR (spec: protocols/pir.md, "Messages").

Shared by PirServer and PirClient.  Every parser checks exact sizes and ranges and raises
`ProtocolError`: peer data is untrusted.
"""
from __future__ import annotations

import json
import struct
from dataclasses import dataclass

from mpc.errors import ProtocolError
from mpc.pir import params
from mpc.psi.ids import check_same_normalization  # noqa: F401 - the roles check the hellos with it
from mpc.psi.ids import normalization_code, normalization_name

PROTOCOL = "pir"
VERSION = 2  # 2: the key normalisation in both hellos
TAG_CLIENT_HELLO = "pir:client-hello"
TAG_SERVER_HELLO = "pir:server-hello"
TAG_HINT = "pir:hint"
TAG_BATCH = "pir:batch"
TAG_BLINDED = "pir:blinded"
TAG_EVALUATED = "pir:evaluated"
TAG_QUERIES = "pir:queries"
TAG_ANSWERS = "pir:answers"

QUERIES_PER_KEY = 2            # both cuckoo columns, found or not
DEFAULT_BATCH = 128            # keys per batch (OPRF round + PIR round)
MAX_BATCH = 1024
HINT_ROWS_PER_MESSAGE = 4096   # 16 MiB per hint message
MAX_COLUMNS_TEXT = 1 << 20
ELEMENT_BYTES = 33             # a P-256 point, SEC1 compressed (blinded and evaluated OPRF values)

_CLIENT = struct.Struct(">HHI")                 # version, normalisation, key columns: 8 bytes
_SERVER = struct.Struct(">HHIQIBBIIII16s16s")   # see ServerHello: 74 bytes
CLIENT_HELLO_BYTES = _CLIENT.size
SERVER_HELLO_BYTES = _SERVER.size
BATCH_BYTES = 4


@dataclass(frozen=True)
class ClientHello:
    key_columns: int
    normalization: str = "none"

    def pack(self) -> bytes:
        return _CLIENT.pack(VERSION, normalization_code(self.normalization), self.key_columns)

    @classmethod
    def parse(cls, frame, peer=None) -> "ClientHello":
        frame = bytes(frame)
        if len(frame) != _CLIENT.size:
            raise ProtocolError(f"client hello has {len(frame)} bytes, expected {_CLIENT.size}", peer)
        version, normalization, columns = _CLIENT.unpack(frame)
        _check_version(version, peer)
        return cls(columns, normalization_name(normalization, peer))


@dataclass(frozen=True)
class ServerHello:
    key_columns: int
    table_rows: int
    geometry: params.Geometry
    max_batch: int
    place_seed: bytes
    a_seed: bytes
    value_columns: list[str]
    normalization: str = "none"

    def pack(self) -> list[bytes]:
        g = self.geometry
        fixed = _SERVER.pack(VERSION, normalization_code(self.normalization), self.key_columns, self.table_rows, params.LWE_N, params.LOG_Q,
                             params.P_BITS, g.cols, g.slots, g.entry_bytes, self.max_batch, self.place_seed,
                             self.a_seed)
        return [fixed, json.dumps(self.value_columns, ensure_ascii=False).encode("utf-8")]

    @classmethod
    def parse(cls, frames, peer=None) -> "ServerHello":
        if len(frames) != 2:
            raise ProtocolError(f"server hello has {len(frames)} frames, expected 2", peer)
        frame, names = bytes(frames[0]), bytes(frames[1])
        if len(frame) != _SERVER.size:
            raise ProtocolError(f"server hello has {len(frame)} bytes, expected {_SERVER.size}", peer)
        (version, normalization, key_columns, table_rows, n, log_q, p_bits, cols, slots, entry_bytes, max_batch,
         place_seed, a_seed) = _SERVER.unpack(frame)
        _check_version(version, peer)
        normalization = normalization_name(normalization, peer)
        if (n, log_q, p_bits) != (params.LWE_N, params.LOG_Q, params.P_BITS):
            raise ProtocolError(f"server uses LWE n={n}, q=2^{log_q}, p=2^{p_bits}; this side supports only "
                                f"n={params.LWE_N}, q=2^{params.LOG_Q}, p=2^{params.P_BITS}", peer)
        geometry = params.Geometry(cols, slots, entry_bytes)
        try:
            geometry.check()
        except ValueError as exc:
            raise ProtocolError(str(exc), peer) from None
        if table_rows > geometry.capacity:
            raise ProtocolError(f"server claims {table_rows} rows in {geometry.capacity} slots", peer)
        if not 1 <= max_batch <= MAX_BATCH:
            raise ProtocolError(f"server's batch size {max_batch} is outside 1..{MAX_BATCH}", peer)
        if len(names) > MAX_COLUMNS_TEXT:
            raise ProtocolError("server's column names are too long", peer)
        try:
            value_columns = json.loads(names.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ProtocolError("server's column names are not UTF-8 JSON", peer) from None
        if not isinstance(value_columns, list) or not all(isinstance(c, str) for c in value_columns):
            raise ProtocolError("server's column names are not a list of strings", peer)
        return cls(key_columns, table_rows, geometry, max_batch, place_seed, a_seed, value_columns, normalization)


def _check_version(version: int, peer) -> None:
    if version != VERSION:
        raise ProtocolError(f"peer speaks pir version {version}, this side {VERSION}", peer)


def check_columns(mine: int, theirs: int, peer) -> None:
    if mine != theirs:
        raise ProtocolError(f"key column mismatch: this side has {mine} key column(s), the peer {theirs}; "
                            "both parties must key on the same number of columns", peer)


def batches(total: int, size: int):
    for start in range(0, total, size):
        yield start, min(total, start + size)
