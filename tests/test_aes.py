"""Known-answer and cross-implementation tests of fixed-key AES-128 (mpc.native.aes, native/aes*.c).

Spec: protocols/primitives.md.  Vectors: FIPS-197 appendices A.1 (key expansion), B and C.1
(cipher); cross-checks against the `cryptography` package (OpenSSL) and a plain-Python key
expansion; AES-NI and the portable bitsliced code must agree on every input.
"""
from __future__ import annotations

import os

import numpy as np
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mpc.errors import NativeError
from mpc.native import aes as aes_native
from mpc.native.aes import AesKey, has_aes_ni

NI = pytest.param("ni", marks=pytest.mark.skipif(not has_aes_ni(), reason="CPU lacks AES-NI"))
IMPLS = [NI, "portable"]

FIPS_C1_KEY = bytes(range(16))
FIPS_C1_PLAIN = bytes.fromhex("00112233445566778899aabbccddeeff")
FIPS_C1_CIPHER = bytes.fromhex("69c4e0d86a7b0430d8cdb78070b4c55a")
FIPS_C1_ROUND10 = bytes.fromhex("13111d7fe3944a17f307a78b4d2b30c5")

FIPS_A1_KEY = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")
FIPS_A1_ROUND_KEYS = {  # w[4r..4r+3] from FIPS-197 appendix A.1
    0: "2b7e151628aed2a6abf7158809cf4f3c",
    1: "a0fafe1788542cb123a339392a6c7605",
    2: "f2c295f27a96b9435935807a7359f67f",
    10: "d014f9a8c9ee2589e13f0cc8b6630ca6",
}
FIPS_B_PLAIN = bytes.fromhex("3243f6a8885a308d313198a2e0370734")
FIPS_B_CIPHER = bytes.fromhex("3925841d02dc09fbdc118597196a0b32")


def openssl_ecb(key: bytes, data: bytes) -> bytes:
    return Cipher(algorithms.AES(key), modes.ECB()).encryptor().update(data)


def python_key_expansion(key: bytes) -> bytes:
    """FIPS-197 section 5.2 in plain Python, S-box from GF(2^8) inversion: an independent reference."""
    def gf_mul(a: int, b: int) -> int:
        product = 0
        while b:
            if b & 1:
                product ^= a
            a = ((a << 1) ^ 0x11B) if a & 0x80 else (a << 1)
            b >>= 1
        return product

    def sbox(x: int) -> int:
        inverse = next((y for y in range(1, 256) if gf_mul(x, y) == 1), 0)
        rotl = lambda v, r: ((v << r) | (v >> (8 - r))) & 0xFF  # noqa: E731
        return inverse ^ rotl(inverse, 1) ^ rotl(inverse, 2) ^ rotl(inverse, 3) ^ rotl(inverse, 4) ^ 0x63

    words = [list(key[4 * i:4 * i + 4]) for i in range(4)]
    rcon = 1
    for i in range(4, 44):
        temp = list(words[i - 1])
        if i % 4 == 0:
            temp = [sbox(b) for b in temp[1:] + temp[:1]]
            temp[0] ^= rcon
            rcon = gf_mul(rcon, 2)
        words.append([a ^ b for a, b in zip(words[i - 4], temp)])
    return bytes(b for word in words for b in word)


@pytest.mark.parametrize("impl", IMPLS)
def test_fips197_c1_cipher(impl):
    key = AesKey(FIPS_C1_KEY, impl)
    assert key.impl == impl
    assert key.encrypt_blocks(FIPS_C1_PLAIN) == FIPS_C1_CIPHER
    assert key.expanded_key()[160:176] == FIPS_C1_ROUND10


@pytest.mark.parametrize("impl", IMPLS)
def test_fips197_a1_key_expansion_and_b_cipher(impl):
    key = AesKey(FIPS_A1_KEY, impl)
    expanded = key.expanded_key()
    for round_index, words in FIPS_A1_ROUND_KEYS.items():
        assert expanded[16 * round_index:16 * round_index + 16].hex() == words
    assert expanded == python_key_expansion(FIPS_A1_KEY)
    assert key.encrypt_blocks(FIPS_B_PLAIN) == FIPS_B_CIPHER


@pytest.mark.parametrize("impl", IMPLS)
def test_key_expansion_matches_python_reference_on_random_keys(impl):
    for _ in range(20):
        raw = os.urandom(16)
        assert AesKey(raw, impl).expanded_key() == python_key_expansion(raw)


def test_auto_picks_ni_when_present():
    assert AesKey(bytes(16)).impl == ("ni" if has_aes_ni() else "portable")


@pytest.mark.parametrize("impl", IMPLS)
def test_matches_openssl_on_1000_random_keys(impl):
    for size_byte in os.urandom(1000):
        raw = os.urandom(16)
        data = os.urandom(16 * (size_byte % 80 + 1))
        assert AesKey(raw, impl).encrypt_blocks(data) == openssl_ecb(raw, data)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("nblocks", [0, 1, 3, 4, 7, 8, 9, 15, 16, 63, 64, 65, 127, 128, 129, 1000])
def test_batch_boundaries_match_openssl(impl, nblocks):
    raw = os.urandom(16)
    data = os.urandom(16 * nblocks)
    assert AesKey(raw, impl).encrypt_blocks(data) == openssl_ecb(raw, data)


@pytest.mark.skipif(not has_aes_ni(), reason="CPU lacks AES-NI")
def test_ni_and_portable_agree_on_large_batches():
    for _ in range(3):
        raw = os.urandom(16)
        blocks = np.frombuffer(os.urandom(16 * 50_001), dtype=np.uint8).reshape(-1, 16)
        ni = AesKey(raw, "ni").encrypt_blocks(blocks)
        portable = AesKey(raw, "portable").encrypt_blocks(blocks)
        assert ni.shape == (50_001, 16) and ni.dtype == np.uint8
        assert np.array_equal(ni, portable)
        assert ni.tobytes() == openssl_ecb(raw, blocks.tobytes())


@pytest.mark.skipif(not has_aes_ni(), reason="CPU lacks AES-NI")
def test_inline_ni_helpers_match_portable():
    # The static inline helpers of native/internal_aes.h that OT extension and garbling call.
    for nblocks in (0, 1, 2, 4, 5, 8, 13, 16, 33, 64):
        key = AesKey(os.urandom(16), "ni")
        tweaks = np.frombuffer(os.urandom(8 * nblocks), dtype=np.uint64)
        key.selfcheck(os.urandom(16 * nblocks), tweaks)


@pytest.mark.parametrize("impl", IMPLS)
def test_in_place_and_out_buffers(impl):
    raw = os.urandom(16)
    key = AesKey(raw, impl)
    blocks = np.frombuffer(os.urandom(16 * 100), dtype=np.uint8).reshape(100, 16).copy()
    expected = openssl_ecb(raw, blocks.tobytes())
    assert key.encrypt_blocks(blocks, out=blocks) is blocks
    assert blocks.tobytes() == expected
    target = bytearray(1600)
    assert key.encrypt_blocks(memoryview(expected), out=target) is target
    assert bytes(target) == openssl_ecb(raw, expected)


@pytest.mark.parametrize("impl", IMPLS)
def test_read_only_and_strided_inputs(impl):
    # Channel.recv_exact hands out read-only arrays; slices may be non-contiguous.
    raw = os.urandom(16)
    key = AesKey(raw, impl)
    blocks = np.frombuffer(os.urandom(16 * 40), dtype=np.uint8).reshape(40, 16)
    assert not blocks.flags.writeable
    assert key.encrypt_blocks(blocks).tobytes() == openssl_ecb(raw, blocks.tobytes())
    every_other = blocks[::2]
    assert key.encrypt_blocks(every_other).tobytes() == openssl_ecb(raw, every_other.tobytes())
    with pytest.raises(ValueError):
        key.encrypt_blocks(blocks, out=np.empty((20, 16), dtype=np.uint8))   # wrong block count
    with pytest.raises(ValueError):
        key.encrypt_blocks(blocks, out=np.empty((40, 32), dtype=np.uint8)[:, :16])  # strided out


def test_argument_checks():
    key = AesKey(bytes(16))
    with pytest.raises(ValueError):
        AesKey(bytes(15))
    with pytest.raises(ValueError):
        AesKey(bytes(16), "fast")
    with pytest.raises(ValueError):
        key.encrypt_blocks(bytes(17))
    with pytest.raises(TypeError):
        key.encrypt_blocks(np.zeros(4, dtype=np.uint32))
    with pytest.raises(ValueError):
        key.encrypt_blocks(bytes(32), out=bytearray(16))
    assert "impl" in repr(key) and bytes(16).hex() not in repr(key)


def test_c_kernels_reject_uninitialised_schedules():
    lib, ffi = aes_native.lib, aes_native.ffi
    schedule = ffi.new("uint8_t[]", aes_native.SCHEDULE_BYTES)
    out = ffi.new("uint8_t[]", 16)
    assert lib.mpc_aes_encrypt_blocks(schedule, bytes(16), out, 1) == lib.MPC_ERR_ARGUMENT
    assert lib.mpc_prg_fill(schedule, 0, out, 16) == lib.MPC_ERR_ARGUMENT
    assert lib.mpc_aes_schedule_init(schedule, bytes(16), 7) == lib.MPC_ERR_ARGUMENT
    if not has_aes_ni():
        assert lib.mpc_aes_schedule_init(schedule, bytes(16), lib.MPC_AES_NI) == lib.MPC_ERR_UNSUPPORTED
        with pytest.raises(NativeError):
            AesKey(bytes(16), "ni")
