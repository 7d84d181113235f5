"""OT kernels against independent implementations: numpy bit transposes, AES from the
`cryptography` package, and the IKNP column equations of protocols/ot-iknp.md."""
from __future__ import annotations

import os

import numpy as np
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mpc.errors import NativeError
from mpc.native import ot as native_ot


def aes(key: bytes, block: bytes) -> bytes:
    return Cipher(algorithms.AES(key), modes.ECB()).encryptor().update(block)


def xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b))


def random_u8(*shape) -> np.ndarray:
    return np.frombuffer(os.urandom(int(np.prod(shape))), np.uint8).reshape(shape).copy()


@pytest.mark.parametrize("rows,cols", [(16, 128), (128, 128), (48, 384), (128, 1024), (272, 256)])
def test_transpose_matches_numpy(rows, cols):
    matrix = random_u8(rows, cols // 8)
    bits = np.unpackbits(matrix, axis=1, bitorder="little")
    expected = np.packbits(bits.T, axis=1, bitorder="little")
    assert np.array_equal(native_ot.transpose(matrix), expected)


def test_transpose_rejects_bad_shapes():
    with pytest.raises(ValueError):
        native_ot.transpose(random_u8(15, 16))
    with pytest.raises(ValueError):
        native_ot.transpose(random_u8(16, 8))


@pytest.mark.parametrize("out_len", [1, 8, 16, 17, 40, 64])
@pytest.mark.parametrize("with_offset", [False, True])
def test_hash_rows_is_tcr_of_cryptography_aes(out_len, with_offset):
    key = os.urandom(16)
    schedule = native_ot.expand_keys(np.frombuffer(key, np.uint8).reshape(1, 16))
    rows = random_u8(21, 16)
    offset = os.urandom(16) if with_offset else None
    mask = random_u8(21, out_len)
    first = (1 << 40) + 7
    got = native_ot.hash_rows(schedule, first, rows, offset=offset, out_len=out_len)
    got_masked = native_ot.hash_rows(schedule, first, rows, offset=offset, out_len=out_len, mask=mask)
    for i in range(rows.shape[0]):
        x = rows[i].tobytes() if offset is None else xor(rows[i].tobytes(), offset)
        p = aes(key, x)
        stream = b""
        for m in range(-(-out_len // 16)):
            tweak = (first + i).to_bytes(8, "little") + m.to_bytes(8, "little")
            stream += xor(aes(key, xor(p, tweak)), p)
        assert got[i].tobytes() == stream[:out_len]
        assert got_masked[i].tobytes() == xor(stream[:out_len], mask[i].tobytes())


# The kernels' vector levels this CPU has (0 SSE4.1, 1 AVX2, 2 VAES): each must give the same bytes.
LEVELS = list(range(native_ot.vector_level() + 1))


@pytest.fixture(params=LEVELS, ids=lambda level: f"level{level}")
def vector_level(request):
    top = native_ot.vector_level()
    native_ot.vector_level(request.param)
    yield request.param
    native_ot.vector_level(top)


def test_extension_kernels_follow_the_column_equations(vector_level):
    keys0, keys1 = random_u8(128, 16), random_u8(128, 16)
    delta = os.urandom(16)
    s = np.unpackbits(np.frombuffer(delta, np.uint8), bitorder="little")
    keys_s = np.where(s[:, None].astype(bool), keys1, keys0)
    blocks, first_block = 11, 1000   # more than one group of 8 blocks of the column PRG
    choices = random_u8(blocks * 16)
    u, t = native_ot.receiver_extend(native_ot.expand_keys(keys0), native_ot.expand_keys(keys1),
                                     first_block, choices, blocks)
    q = native_ot.sender_extend(native_ot.expand_keys(keys_s), delta, first_block, u, blocks)
    r = np.unpackbits(choices, bitorder="little")
    for k in range(blocks):
        counter = (first_block + k).to_bytes(16, "little")
        t_columns = np.unpackbits(t[128 * k:128 * (k + 1)], axis=1, bitorder="little").T
        for j in range(128):
            t_col = aes(keys0[j].tobytes(), counter)
            u_col = xor(xor(t_col, aes(keys1[j].tobytes(), counter)), choices[16 * k:16 * (k + 1)].tobytes())
            assert np.packbits(t_columns[j], bitorder="little").tobytes() == t_col
            assert u[2048 * k + 16 * j:2048 * k + 16 * (j + 1)].tobytes() == u_col
    expected_q = t ^ (r[:, None] * np.frombuffer(delta, np.uint8)[None, :])
    assert np.array_equal(q, expected_q)


def test_sizes_are_checked():
    with pytest.raises(ValueError):
        native_ot.sender_extend(np.zeros(100, np.uint8), bytes(16), 0, np.zeros(2048, np.uint8), 1)
    with pytest.raises(ValueError):
        native_ot.hash_rows(np.zeros(176, np.uint8), 0, np.zeros((3, 15), np.uint8))


def test_base_point_arithmetic_and_invalid_points():
    secret, message = native_ot.base_sender_setup(os.urandom(96))
    choices = np.array([0, 1, 1, 0, 1], np.uint8)
    reply, secrets = native_ot.base_receiver_choose(message, choices, os.urandom(48 * 5))
    shared = native_ot.base_receiver_keys(message, secrets)
    shared0, shared1 = native_ot.base_sender_keys(secret, message, reply)
    for i, b in enumerate(choices):
        assert np.array_equal(shared[i], (shared1 if b else shared0)[i])
        assert not np.array_equal(shared[i], (shared0 if b else shared1)[i])
    bad = reply.copy()
    bad[2, 0] = 7  # not a compressed-point prefix
    with pytest.raises(NativeError) as info:
        native_ot.base_sender_keys(secret, message, bad)
    assert info.value.code == -7
    off_curve = bytearray(message)
    off_curve[1:33] = b"\xff" * 32  # x >= p is no field element
    with pytest.raises(NativeError):
        native_ot.base_receiver_choose(bytes(off_curve), choices, os.urandom(48 * 5))


def test_base_points_match_cryptography_ecdh():
    """r R-side arithmetic cross-checked with OpenSSL's ECDH through the `cryptography` package."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    secret, message = native_ot.base_sender_setup(os.urandom(96))
    r = ec.derive_private_key(int.from_bytes(secret, "big"), ec.SECP256R1())
    assert r.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint) == message[33:66]
    choices = np.array([0, 1, 0, 1], np.uint8)
    reply, _ = native_ot.base_receiver_choose(message, choices, os.urandom(48 * 4))
    shared0, _ = native_ot.base_sender_keys(secret, message, reply)
    for i in range(4):
        pk0 = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), reply[i].tobytes())
        assert r.exchange(ec.ECDH(), pk0) == shared0[i, 1:].tobytes()  # x-coordinate of r PK0


def test_known_answer_vectors_of_the_spec():
    """The vectors printed in protocols/ot-iknp.md (computed with the `cryptography` package)."""
    schedule = native_ot.expand_keys(np.arange(16, dtype=np.uint8).reshape(1, 16))
    row = np.arange(16, 32, dtype=np.uint8).reshape(1, 16)
    plain = native_ot.hash_rows(schedule, 5, row, out_len=32)
    shifted = native_ot.hash_rows(schedule, 5, row, offset=bytes([1] + [0] * 15), out_len=32)
    assert plain.tobytes().hex() == "bc9549d7105b3274efc0e7400e455b59481a976873abc2b2918c54ba3aedb8dd"
    assert shifted.tobytes().hex() == "d2e285b65d7694460aa65cce8e90cf7cea9a849eaaa2ca0d97386de3dbf17d7c"
    zero = native_ot.expand_keys(np.zeros((128, 16), np.uint8))
    _, t = native_ot.receiver_extend(zero, zero, 3, np.zeros(16, np.uint8), 1)
    column0 = np.packbits(np.unpackbits(t, axis=1, bitorder="little")[:, 0], bitorder="little")
    assert column0.tobytes().hex() == "4ffc69772ed5a336f4615b4503c34814"


def test_fused_random_kernels_equal_extension_then_hash(vector_level):
    keys0, keys1 = random_u8(128, 16), random_u8(128, 16)
    delta = os.urandom(16)
    s = np.unpackbits(np.frombuffer(delta, np.uint8), bitorder="little")
    schedules0, schedules1 = native_ot.expand_keys(keys0), native_ot.expand_keys(keys1)
    schedules_s = native_ot.expand_keys(np.where(s[:, None].astype(bool), keys1, keys0))
    hash_schedule = native_ot.expand_keys(random_u8(1, 16))
    blocks, first_block = 13, 77
    choices = random_u8(blocks * 16)
    u, t = native_ot.receiver_extend(schedules0, schedules1, first_block, choices, blocks)
    u2, m = native_ot.receiver_random(schedules0, schedules1, first_block, choices, blocks, hash_schedule)
    assert np.array_equal(u, u2)
    assert np.array_equal(m, native_ot.hash_rows(hash_schedule, first_block * 128, t))
    q = native_ot.sender_extend(schedules_s, delta, first_block, u, blocks)
    m0, m1 = native_ot.sender_random(schedules_s, delta, first_block, u, blocks, hash_schedule)
    assert np.array_equal(m0, native_ot.hash_rows(hash_schedule, first_block * 128, q))
    assert np.array_equal(m1, native_ot.hash_rows(hash_schedule, first_block * 128, q, offset=delta))
    r = np.unpackbits(choices, bitorder="little").astype(bool)
    assert np.array_equal(m, np.where(r[:, None], m1, m0))


def test_fused_gilboa_sender_equals_random_ot_then_gilboa(vector_level):
    from mpc.native import ring as native_ring
    delta = os.urandom(16)
    s = np.unpackbits(np.frombuffer(delta, np.uint8), bitorder="little")
    keys0, keys1 = random_u8(128, 16), random_u8(128, 16)
    schedules_s = native_ot.expand_keys(np.where(s[:, None].astype(bool), keys1, keys0))
    schedules0, schedules1 = native_ot.expand_keys(keys0), native_ot.expand_keys(keys1)
    hash_schedule = native_ot.expand_keys(random_u8(1, 16))
    blocks, first_block = 10, 3
    u_values = random_u8(blocks, 16).view(native_ring.U128).reshape(-1)   # the receiver's choices
    v_values = random_u8(blocks, 16).view(native_ring.U128).reshape(-1)
    u, m = native_ot.receiver_random(schedules0, schedules1, first_block, u_values.view(np.uint8), blocks,
                                     hash_schedule)
    m0, m1 = native_ot.sender_random(schedules_s, delta, first_block, u, blocks, hash_schedule)
    expected_share, expected_corrections = native_ring.gilboa_sender(m0, m1, v_values)
    share, corrections = native_ot.gilboa128_sender(schedules_s, delta, first_block, u, blocks, hash_schedule,
                                                    v_values)
    assert share.tobytes() == expected_share.tobytes() and np.array_equal(corrections, expected_corrections)
    received = native_ring.gilboa_receiver(m, u_values, corrections)
    for p in range(blocks):   # the two shares add up to u v mod 2^128 (plain Python integers)
        value = lambda a: int.from_bytes(a[p:p + 1].tobytes(), "little")  # noqa: E731
        assert (value(share) + value(received)) % 2**128 == value(u_values) * value(v_values) % 2**128
    with pytest.raises(ValueError):
        native_ot.gilboa128_sender(schedules_s, delta, first_block, u, blocks, hash_schedule, v_values[:-1])


def test_vector_level_cap_is_checked():
    top = native_ot.vector_level()
    assert native_ot.vector_level(0) == 0 and native_ot.vector_level(2) == top
    with pytest.raises(ValueError):
        native_ot.vector_level(3)
