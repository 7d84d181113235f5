"""The Guo-Katz-Wang-Yu fixed-key-AES hashes (CR, CCR, TCCR) against a plain-Python reference built
on `cryptography`'s AES, for both implementations.  Spec: protocols/primitives.md, "Hashes".
"""
from __future__ import annotations

import os

import numpy as np
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mpc.native.aes import AesKey, has_aes_ni

NI = pytest.param("ni", marks=pytest.mark.skipif(not has_aes_ni(), reason="CPU lacks AES-NI"))
IMPLS = [NI, "portable"]
SIZES = [0, 1, 2, 7, 8, 9, 64, 65, 255, 256, 257, 600]


def pi(key: bytes, block: bytes) -> bytes:
    return Cipher(algorithms.AES(key), modes.ECB()).encryptor().update(block)


def xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b))


def sigma(block: bytes) -> bytes:
    """sigma(xL || xR) = (xL ^ xR) || xL, xL = high 64 bits = bytes 8..15 (little-endian block)."""
    low, high = block[:8], block[8:]
    return high + xor(high, low)  # new low half = xL, new high half = xL ^ xR


def tweak_block(tweak: int) -> bytes:
    return tweak.to_bytes(8, "little") + bytes(8)


def reference_cr(key, block):
    return xor(pi(key, block), block)


def reference_ccr(key, block):
    return xor(pi(key, sigma(block)), sigma(block))


def reference_tccr(key, block, tweak):
    inner = pi(key, block)
    return xor(pi(key, xor(inner, tweak_block(tweak))), inner)


def blocks_of(data: bytes):
    return [data[k:k + 16] for k in range(0, len(data), 16)]


def test_sigma_reference_is_the_gkwy_orthomorphism():
    # Independent of byte layout: as 64-bit integers, sigma(L, R) = (L ^ R, L).
    left, right = 0x0123456789ABCDEF, 0xFEDCBA9876543210
    block = right.to_bytes(8, "little") + left.to_bytes(8, "little")
    out = sigma(block)
    assert int.from_bytes(out[8:], "little") == left ^ right
    assert int.from_bytes(out[:8], "little") == left
    # Orthomorphism: both sigma and x -> sigma(x) ^ x are bijections (checked on 8-bit halves).
    small = [bytes([lo]) + bytes(7) + bytes([hi]) + bytes(7) for hi in range(16) for lo in range(16)]
    assert len({sigma(b) for b in small}) == 256
    assert len({xor(sigma(b), b) for b in small}) == 256


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("nblocks", SIZES)
def test_hashes_match_python_reference(impl, nblocks):
    raw = os.urandom(16)
    key = AesKey(raw, impl)
    data = os.urandom(16 * nblocks)
    tweaks = np.frombuffer(os.urandom(8 * nblocks), dtype=np.uint64)
    assert key.hash_cr(data) == b"".join(reference_cr(raw, b) for b in blocks_of(data))
    assert key.hash_ccr(data) == b"".join(reference_ccr(raw, b) for b in blocks_of(data))
    assert key.hash_tccr(data, tweaks) == b"".join(
        reference_tccr(raw, b, int(t)) for b, t in zip(blocks_of(data), tweaks))


@pytest.mark.skipif(not has_aes_ni(), reason="CPU lacks AES-NI")
def test_ni_and_portable_hashes_agree_on_large_batches():
    raw = os.urandom(16)
    ni, portable = AesKey(raw, "ni"), AesKey(raw, "portable")
    data = np.frombuffer(os.urandom(16 * 20_003), dtype=np.uint8).reshape(-1, 16)
    tweaks = np.frombuffer(os.urandom(8 * 20_003), dtype=np.uint64)
    assert np.array_equal(ni.hash_cr(data), portable.hash_cr(data))
    assert np.array_equal(ni.hash_ccr(data), portable.hash_ccr(data))
    assert np.array_equal(ni.hash_tccr(data, tweaks), portable.hash_tccr(data, tweaks))


@pytest.mark.parametrize("impl", IMPLS)
def test_tweaks_and_keys_separate_outputs(impl):
    raw = os.urandom(16)
    key = AesKey(raw, impl)
    block = os.urandom(16)
    repeated = block * 64
    outputs = key.hash_tccr(repeated, 0)  # tweaks 0..63 on one block
    assert len(set(blocks_of(outputs))) == 64
    assert key.hash_tccr(repeated, np.arange(64, dtype=np.uint64)) == outputs
    other = AesKey(xor(raw, b"\x01" + bytes(15)), impl)
    for name in ("hash_cr", "hash_ccr"):
        assert getattr(key, name)(block) != getattr(other, name)(block)
    assert key.hash_tccr(block, [5]) != other.hash_tccr(block, [5])
    # The tweak sits in the low 64 bits: tweak 2^63 differs from tweak 0 and from tweak 1.
    assert len({key.hash_tccr(block, [t]) for t in (0, 1, 2**63, 2**64 - 1)}) == 4


@pytest.mark.parametrize("impl", IMPLS)
def test_in_place_hashing(impl):
    key = AesKey(os.urandom(16), impl)
    data = np.frombuffer(os.urandom(16 * 300), dtype=np.uint8).reshape(300, 16).copy()
    tweaks = np.arange(300, dtype=np.uint64) * np.uint64(7)
    expected = key.hash_tccr(data, tweaks)
    assert key.hash_tccr(data, tweaks, out=data) is data
    assert np.array_equal(data, expected)


def test_tweak_argument_checks():
    key = AesKey(bytes(16))
    with pytest.raises(ValueError):
        key.hash_tccr(bytes(32), [1])
    with pytest.raises(ValueError):
        key.hash_tccr(bytes(32), 2**64 - 1)  # the consecutive range would leave uint64
    with pytest.raises(ValueError):
        key.hash_tccr(bytes(32), -1)
    with pytest.raises(TypeError):
        key.hash_tccr(bytes(32), np.array([1.0, 2.0]))


SPEC_KEY = bytes(range(16))
SPEC_X = bytes.fromhex("00112233445566778899aabbccddeeff")


@pytest.mark.parametrize("impl", IMPLS)
def test_spec_vectors(impl):
    # protocols/primitives.md section 5; the reference functions above must agree with them too.
    key = AesKey(SPEC_KEY, impl)
    assert sigma(SPEC_X).hex() == "8899aabbccddeeff8888888888888888"
    assert key.hash_cr(SPEC_X).hex() == "69d5c2eb2e2e624750541d3bbc692ba5"
    assert key.hash_ccr(SPEC_X).hex() == "242cf2151eac7c3756cde5400aafd3b6"
    vectors = {0: "26a76cab351a47318eb59331d2ae8a30", 5: "95061c3671c71fba5bc4e939128089f4",
               2**64 - 1: "1e89467a64877007cf3c83588f4df87a"}
    for tweak, expected in vectors.items():
        assert key.hash_tccr(SPEC_X, [tweak]).hex() == expected
        assert reference_tccr(SPEC_KEY, SPEC_X, tweak).hex() == expected
