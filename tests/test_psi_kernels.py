"""RSA-PSI kernels against a plain-Python reference (spec: protocols/psi-rsa.md, "Test vectors").

FDH is recomputed with hashlib, signatures with pow(m, d, n), the final hash with hashlib; the key
comes from the `cryptography` package.  1024-bit keys keep these fast; the protocol tests use 2048.
"""
from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from mpc.errors import NativeError, ProtocolError
from mpc.native import rsa_psi as kernels
from mpc.psi.ids import PackedIds

DOMAIN = b"test-domain\x00\x01"


@pytest.fixture(scope="module", params=[1024, 2048])
def key(request):
    numbers = rsa.generate_private_key(65537, request.param).private_numbers()
    n = numbers.public_numbers.n
    k = request.param // 8
    blob = kernels.private_key_blob(n, numbers.p, numbers.q, numbers.dmp1, numbers.dmq1, numbers.iqmp, k)
    return {"n": n, "d": numbers.d, "k": k, "blob": blob, "modulus": n.to_bytes(k, "big"), "p": numbers.p}


def reference_fdh(x: bytes, n: int, k: int, domain: bytes = DOMAIN) -> int:
    seed = len(domain).to_bytes(4, "big") + domain + b"\x01" + x
    length = k + 16
    out = b"".join(hashlib.sha256(seed + c.to_bytes(4, "big")).digest() for c in range((length + 31) // 32))
    return int.from_bytes(out[:length], "big") % n


def reference_final(signature: int, k: int, domain: bytes = DOMAIN) -> bytes:
    data = len(domain).to_bytes(4, "big") + domain + b"\x02" + signature.to_bytes(k, "big")
    return hashlib.sha256(data).digest()[:16]


def as_int(row) -> int:
    return int.from_bytes(np.asarray(row).tobytes(), "big")


IDS = ["alice", "", "纳税人识别号 91110000", ("DE", "123"), "x" * 1000, b"\x00\xff"]


@pytest.fixture(scope="module")
def packed():
    return PackedIds.from_values(IDS[:3] + [IDS[4], IDS[5]])


def test_fdh_matches_mgf1_reference(key, packed):
    for threads in (1, 2, 3):
        got = kernels.hash_to_group(packed.data, packed.offsets, DOMAIN, key["modulus"], threads=threads)
        assert [as_int(r) for r in got] == [reference_fdh(packed[i], key["n"], key["k"]) for i in range(len(packed))]


def test_fdh_depends_on_domain(key, packed):
    a = kernels.hash_to_group(packed.data, packed.offsets, DOMAIN, key["modulus"])
    b = kernels.hash_to_group(packed.data, packed.offsets, DOMAIN + b"!", key["modulus"])
    assert not np.any(np.all(a == b, axis=1))


def test_blind_sign_unblind_gives_hash_of_fdh_to_the_d(key, packed):
    n, d, k = key["n"], key["d"], key["k"]
    blinded, factors = kernels.blind(packed.data, packed.offsets, DOMAIN, key["modulus"], 65537)
    for i in range(len(packed)):
        r = as_int(factors[i])
        assert 0 < r < n
        assert as_int(blinded[i]) == reference_fdh(packed[i], n, k) * pow(r, 65537, n) % n
    signed = kernels.sign(key["blob"], 65537, blinded, threads=2)
    assert [as_int(s) for s in signed] == [pow(as_int(m), d, n) for m in blinded]
    hashes = kernels.unblind(key["modulus"], 65537, blinded, signed, factors, DOMAIN, threads=2)
    expected = [reference_final(pow(reference_fdh(packed[i], n, k), d, n), k) for i in range(len(packed))]
    assert [h.tobytes() for h in hashes] == expected
    own = kernels.hash_own(key["blob"], 65537, packed.data, packed.offsets, DOMAIN, threads=2)
    assert [h.tobytes() for h in own] == expected


def test_blinding_factors_are_fresh(key, packed):
    _, f1 = kernels.blind(packed.data, packed.offsets, DOMAIN, key["modulus"], 65537)
    _, f2 = kernels.blind(packed.data, packed.offsets, DOMAIN, key["modulus"], 65537)
    assert len({r.tobytes() for r in f1} | {r.tobytes() for r in f2}) == 2 * len(packed)


def test_thread_counts_agree_on_a_larger_batch(key):
    ids = PackedIds.from_values(str(i) for i in range(97))
    one = kernels.hash_own(key["blob"], 65537, ids.data, ids.offsets, DOMAIN, threads=1)
    many = kernels.hash_own(key["blob"], 65537, ids.data, ids.offsets, DOMAIN, threads=4)
    assert np.array_equal(one, many)


def test_sign_rejects_values_outside_the_unit_group(key):
    n, k = key["n"], key["k"]
    for bad in (0, n, n + 1, (1 << (8 * k)) - 1, key["p"]):
        rows = np.frombuffer((bad % (1 << (8 * k))).to_bytes(k, "big"), dtype=np.uint8).reshape(1, k)
        good = np.frombuffer((12345).to_bytes(k, "big"), dtype=np.uint8).reshape(1, k)
        with pytest.raises(ProtocolError):
            kernels.sign(key["blob"], 65537, np.vstack([good, rows, good]))


def test_unblind_rejects_a_wrong_signature(key, packed):
    blinded, factors = kernels.blind(packed.data, packed.offsets, DOMAIN, key["modulus"], 65537)
    signed = kernels.sign(key["blob"], 65537, blinded).copy()
    signed[1, -1] ^= 1
    with pytest.raises(ProtocolError):
        kernels.unblind(key["modulus"], 65537, blinded, signed, factors, DOMAIN)
    zero = np.zeros_like(signed)
    with pytest.raises(ProtocolError):
        kernels.unblind(key["modulus"], 65537, blinded, zero, factors, DOMAIN)


def test_empty_batches(key):
    empty = PackedIds.from_values([])
    assert kernels.hash_own(key["blob"], 65537, empty.data, empty.offsets, DOMAIN).shape == (0, 16)
    blinded, factors = kernels.blind(empty.data, empty.offsets, DOMAIN, key["modulus"], 65537)
    assert blinded.shape == (0, key["k"])
    assert kernels.sign(key["blob"], 65537, blinded).shape == (0, key["k"])


def test_bad_key_material_is_refused(key):
    with pytest.raises(NativeError):
        kernels.hash_to_group(b"a", np.array([0, 1], dtype=np.uint64), DOMAIN, b"\x00" * key["k"])
    broken = bytearray(key["blob"])
    broken[0] ^= 0x80  # modulus copy no longer matches: kernel must refuse rather than sign
    m = np.frombuffer((5).to_bytes(key["k"], "big"), dtype=np.uint8).reshape(1, -1)
    with pytest.raises((NativeError, ProtocolError)):
        kernels.sign(bytes(broken), 65537, m)


@pytest.mark.parametrize("bits", [1024, 2048])
def test_native_key_generation_gives_a_valid_fresh_key(bits):
    """The PSI server's key comes from OpenSSL through the C core; the `cryptography` package
    (an independent binding) accepts its parts, and what the kernel signs verifies with e."""
    from mpc.psi.keys import RsaPsiKey
    key, other = RsaPsiKey.generate(bits, allow_small=True), RsaPsiKey.generate(bits, allow_small=True)
    assert key.public.n != other.public.n
    n, p, q, dp, dq, qinv = kernels.split_private_key(key.blob)
    assert n == key.public.n and n.bit_length() == bits and key.public.e == 65537
    d = pow(65537, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(p, q, d, dp, dq, qinv, rsa.RSAPublicNumbers(65537, n))
    assert numbers.private_key().key_size == bits        # cryptography checks the parts' consistency
    messages = np.frombuffer(os.urandom(4 * bits // 8), np.uint8).reshape(4, bits // 8).copy()
    messages[:, 0] = 0                                   # below n
    signatures = key.sign(messages)
    for m, s in zip(messages, signatures):
        assert pow(int.from_bytes(bytes(s), "big"), 65537, n) == int.from_bytes(bytes(m), "big")
