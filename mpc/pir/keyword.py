"""The keyword layer of PIR: values, entry encryption, cuckoo placement (spec: protocols/pir.md).

For PirDatabase (server) and PirClient.  Everything here is a function of the OPRF output F(key)
(32 bytes, known to the server for every key of its table and to the client only for keys it
queried): the two candidate columns h1, h2 = BLAKE2b(F; key = placement seed), and the entry pad
SHAKE-256("mpc/pir/v1/entry" || F).  An entry is tag || (u32be(len) || value || 0...) XOR pad[16:],
tag = pad[:16]: the client finds its entry among a column's slots by the tag and decrypts it;
every other entry is a one-time-padded string under a key it cannot compute.
"""
from __future__ import annotations

import hashlib

import numpy as np

from mpc.errors import ProtocolError
from mpc.pir import params
from mpc.psi.ids import encode_column

OPRF_BYTES = 32
SEED_BYTES = 16
_ENTRY_LABEL = b"mpc/pir/v1/entry"
_PLACE_PERSON = b"mpc/pir/place"
MAX_KICKS = 2000

VALUE_BYTES, VALUE_STR, VALUE_TUPLE = 0, 1, 2


def encode_value(value) -> bytes:
    """A table value as bytes: bytes, str, or a tuple/list of str (a CSV row's other columns)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes([VALUE_BYTES]) + bytes(value)
    if isinstance(value, str):
        return bytes([VALUE_STR]) + value.encode("utf-8")
    if isinstance(value, (tuple, list)):
        return bytes([VALUE_TUPLE]) + b"".join(encode_column(v) for v in value)
    raise TypeError(f"a PIR value is bytes, str or a tuple of str, not {type(value).__name__}")


def decode_value(raw: bytes, peer=None):
    """The inverse of `encode_value`; a malformed value (only a server can make one) is ProtocolError."""
    if not raw or raw[0] not in (VALUE_BYTES, VALUE_STR, VALUE_TUPLE):
        raise ProtocolError("the server's entry holds a value of unknown kind", peer)
    kind, body = raw[0], raw[1:]
    try:
        if kind == VALUE_BYTES:
            return bytes(body)
        if kind == VALUE_STR:
            return body.decode("utf-8")
        fields, at = [], 0
        while at < len(body):
            n = int.from_bytes(body[at:at + 4], "big")
            if at + 4 + n > len(body):
                raise ValueError("truncated field")
            fields.append(body[at + 4:at + 4 + n].decode("utf-8"))
            at += 4 + n
        return tuple(fields)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"the server's entry holds a malformed value ({exc})", peer) from None


def entry_bytes_for(max_value_bytes: int) -> int:
    return params.TAG_BYTES + params.LENGTH_BYTES + max_value_bytes


def entry_pad(f: bytes, entry_bytes: int) -> bytes:
    return hashlib.shake_256(_ENTRY_LABEL + f).digest(entry_bytes)


def seal_many(fs: list[bytes], values: list[bytes], entry_bytes: int) -> np.ndarray:
    """(count, entry_bytes) uint8: the encrypted entry of each key,
    tag || (length || value || zeros) XOR pad, in one numpy XOR for the whole table."""
    body_bytes = entry_bytes - params.TAG_BYTES
    if any(len(v) > body_bytes - params.LENGTH_BYTES for v in values):
        raise ValueError("a value is longer than the entry allows")
    pads = np.frombuffer(bytearray(b"".join(entry_pad(f, entry_bytes) for f in fs)), dtype=np.uint8)
    sealed = pads.reshape(len(fs), entry_bytes)
    bodies = b"".join(len(v).to_bytes(params.LENGTH_BYTES, "big") + v + bytes(body_bytes - params.LENGTH_BYTES - len(v))
                      for v in values)
    sealed[:, params.TAG_BYTES:] ^= np.frombuffer(bodies, dtype=np.uint8).reshape(len(fs), body_bytes)
    return sealed


def seal(f: bytes, value: bytes, entry_bytes: int) -> bytes:
    """The encrypted entry of one key."""
    return seal_many([f], [value], entry_bytes).tobytes()


def open_entry(f: bytes, column: np.ndarray, entry_bytes: int, peer=None) -> bytes | None:
    """The value of key F in a retrieved column (slots x entry_bytes), or None when no slot's tag is its."""
    pad = entry_pad(f, entry_bytes)
    slots = column.reshape(-1, entry_bytes)
    tag = np.frombuffer(pad[:params.TAG_BYTES], dtype=np.uint8)
    hits = np.flatnonzero((slots[:, :params.TAG_BYTES] == tag).all(axis=1))
    if hits.size == 0:
        return None
    plain = (slots[hits[0], params.TAG_BYTES:] ^ np.frombuffer(pad, dtype=np.uint8)[params.TAG_BYTES:]).tobytes()
    length = int.from_bytes(plain[:params.LENGTH_BYTES], "big")
    if length > len(plain) - params.LENGTH_BYTES or any(plain[params.LENGTH_BYTES + length:]):
        raise ProtocolError("the server's entry for a queried key is malformed", peer)
    return plain[params.LENGTH_BYTES:params.LENGTH_BYTES + length]


def candidate_columns(f: bytes, seed: bytes, cols: int) -> tuple[int, int]:
    """The two columns a key may sit in (equal with probability 1/cols; then one is queried twice)."""
    digest = hashlib.blake2b(f, digest_size=16, key=seed, person=_PLACE_PERSON).digest()
    return int.from_bytes(digest[:8], "little") % cols, int.from_bytes(digest[8:], "little") % cols


def place(choices: list[tuple[int, int]], cols: int, slots: int, rng) -> list[list[int]] | None:
    """Cuckoo placement with two choices and buckets of `slots`: the items of each column, or None
    when a random walk of MAX_KICKS evictions fails (the caller then picks a new seed)."""
    buckets: list[list[int]] = [[] for _ in range(cols)]
    coins = iter(())
    for item, (h1, h2) in enumerate(choices):
        b1, b2 = buckets[h1], buckets[h2]
        if len(b1) < slots or len(b2) < slots:
            (b1 if len(b1) <= len(b2) else b2).append(item)
            continue
        current, where = item, h1
        for _ in range(MAX_KICKS):
            try:
                coin = next(coins)
            except StopIteration:
                coins = iter(rng.uint64(4096).tolist())
                coin = next(coins)
            bucket = buckets[where]
            victim_at = coin % slots
            current, bucket[victim_at] = bucket[victim_at], current
            v1, v2 = choices[current]
            where = v2 if where == v1 else v1
            if len(buckets[where]) < slots:
                buckets[where].append(current)
                break
        else:
            return None
    return buckets
