"""KKRT-PSI kernels (native/kkrt.c, native/cuckoo.c) against AES from `cryptography`, hashlib and numpy.

Spec: protocols/psi-kkrt.md, "Parameters".  Identifier hashing and bins, the receiver's column
PRG, transpose, codeword and OPRF hash, the sender's q rows, the OPRF evaluations (equal on the
receiver's own item at its bin, different elsewhere), cuckoo placement, and the distinct-rows
helper with crafted 64-bit prefix collisions.
"""
from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mpc.native import kkrt, ot
from mpc.psi.ids import PackedIds
from mpc.psi.indexed import distinct_rows

DOMAIN = b"mpc/psi-kkrt/v1" + bytes(50)


def aes(key: bytes, block: bytes) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def keys(count: int) -> np.ndarray:
    return np.frombuffer(os.urandom(16 * count), np.uint8).reshape(count, 16).copy()


def test_hash_ids_match_sha256_and_aes():
    values = ["alice", "", "纳税人识别号", "x" * 200, ("DE", "1")]
    packed = [PackedIds.from_values([v]) for v in values[:4]] + [PackedIds.from_values([values[4]])]
    data = b"".join(p.data for p in packed)
    offsets = np.cumsum([0] + [len(p.data) for p in packed]).astype(np.uint64)
    bin_key = keys(1)
    bins = 1000
    items, bin_index = kkrt.hash_ids(data, offsets, DOMAIN, ot.expand_keys(bin_key), bins, threads=2)
    for i, p in enumerate(packed):
        digest = hashlib.sha256(len(DOMAIN).to_bytes(4, "big") + DOMAIN + b"\x01" + p.data).digest()
        assert items[i].tobytes() == digest[:16]
        e = aes(bin_key.tobytes(), digest[:16])
        f = aes(bin_key.tobytes(), bytes(b ^ 0xFF for b in digest[:16]))
        words = [int.from_bytes(e[:8], "little"), int.from_bytes(e[8:], "little"), int.from_bytes(f[:8], "little")]
        assert bin_index[i].tolist() == [(w * bins) >> 64 for w in words]


def bits_of(block: bytes) -> np.ndarray:
    return np.unpackbits(np.frombuffer(block, np.uint8), bitorder="little")


def test_receiver_rows_u_and_oprf_match_a_plain_computation():
    k0, k1, code_keys = keys(512), keys(512), keys(12)
    block = 3
    inputs = keys(128)
    fn = np.frombuffer(os.urandom(128), np.uint8) % 3
    u, out = kkrt.receiver_extend(ot.expand_keys(k0), ot.expand_keys(k1), ot.expand_keys(code_keys), block,
                                  inputs, fn, 16, threads=2)
    counter = block.to_bytes(16, "little")
    t0 = np.stack([bits_of(aes(k0[i].tobytes(), counter)) for i in range(512)], axis=1)  # (128 bins, 512)
    t1 = np.stack([bits_of(aes(k1[i].tobytes(), counter)) for i in range(512)], axis=1)
    t0_rows = np.packbits(t0, axis=1, bitorder="little")
    t1_rows = np.packbits(t1, axis=1, bitorder="little")
    for j in (0, 1, 77, 127):
        k = int(fn[j])
        code = b"".join(aes(code_keys[4 * k + b].tobytes(), inputs[j].tobytes()) for b in range(4))
        expected_u = bytes(a ^ b ^ c for a, b, c in zip(t0_rows[j].tobytes(), t1_rows[j].tobytes(), code))
        assert u[j].tobytes() == expected_u
        bin_number = 128 * block + j
        assert out[j].tobytes() == hashlib.sha256(bin_number.to_bytes(8, "little") + t0_rows[j].tobytes()).digest()[:16]


def test_sender_q_rows_and_oprf_evaluations():
    k0, k1, code_keys = keys(512), keys(512), keys(12)
    s = os.urandom(64)
    choice = bits_of(s).astype(bool)
    chosen = np.where(choice[:, None], k1, k0)
    code = ot.expand_keys(code_keys)
    bins = 256
    items = keys(100)
    bin_index = (np.frombuffer(os.urandom(400 * 3), np.uint32).reshape(100, 3) % bins).astype(np.uint32)
    table, which = kkrt.cuckoo(bin_index, bins, 4096, 7)
    inputs = np.zeros((bins, 16), np.uint8)
    fn = np.zeros(bins, np.uint8)
    used = table != kkrt.EMPTY
    inputs[used], fn[used] = items[table[used]], which[table[used]]
    u, out = kkrt.receiver_extend(ot.expand_keys(k0), ot.expand_keys(k1), code, 0, inputs, fn, 12)
    q = np.empty_like(u)
    kkrt.sender_extend(ot.expand_keys(chosen), s, 0, u, q, threads=2)
    # q_j = t0_j ^ (C(r_j) & s): check one row by hand
    t0 = np.stack([bits_of(aes(k0[i].tobytes(), bytes(16))) for i in range(512)], axis=1)
    j = int(np.flatnonzero(used)[0])
    k = int(fn[j])
    code_j = b"".join(aes(code_keys[4 * k + b].tobytes(), inputs[j].tobytes()) for b in range(4))
    masked = bytes(c & x for c, x in zip(code_j, s))
    assert q[j].tobytes() == bytes(a ^ b for a, b in zip(np.packbits(t0[j], bitorder="little").tobytes(), masked))
    values = kkrt.sender_eval(q, s, code, items, bin_index, 12, threads=3)
    for i in range(100):
        mine = out[bin_index[i, which[i]]]
        assert np.array_equal(values[i, which[i]], mine)
        others = [values[i, k] for k in range(3) if k != which[i]]
        assert all(not np.array_equal(v, mine) for v in others)
    strangers = kkrt.sender_eval(q, s, code, keys(100), bin_index, 12)
    assert not {r.tobytes() for r in strangers.reshape(-1, 12)} & {r.tobytes() for r in out[used]}


def test_cuckoo_places_every_item_in_one_of_its_bins():
    n, bins = 5000, 8064
    bin_index = (np.frombuffer(os.urandom(12 * n), np.uint32).reshape(n, 3) % bins).astype(np.uint32)
    table, which = kkrt.cuckoo(bin_index, bins, 4096, 99)
    assert np.all(table[bin_index[np.arange(n), which]] == np.arange(n))
    assert np.sum(table != kkrt.EMPTY) == n
    with pytest.raises(kkrt.CuckooFailure):  # four items sharing the same three bins cannot fit
        kkrt.cuckoo(np.array([[1, 2, 3]] * 4, np.uint32), 128, 100, 1)
    with pytest.raises(ValueError):
        kkrt.cuckoo(np.array([[1, 2, 300]], np.uint32), 128, 100, 1)


def test_distinct_rows_with_duplicates_and_prefix_collisions():
    rows = keys(3000)
    rows[::10] = rows[5]
    rows[1::7, :8] = rows[3, :8]   # same first 64 bits, different second halves
    rows[2::11] = rows[1]          # and duplicates among those
    distinct, inverse = distinct_rows(rows)
    assert np.array_equal(distinct[inverse], rows)
    assert len(distinct) == len({r.tobytes() for r in rows})
    assert len({r.tobytes() for r in distinct}) == len(distinct)
