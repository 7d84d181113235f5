"""ECDH-PSI kernels (native/ecdh_psi.c, libsodium ristretto255) against a plain-Python ristretto255.

Spec: protocols/psi-ecdh.md, "Parameters".  The hash to the group must equal RFC 9496's one-way
map of SHA-512(u32be(|D|) ‖ D ‖ 0x01 ‖ enc(x)) computed in Python; multiplication must equal
double-and-add in Python; keys must equal SHA-256 of the product; the two parties' exponents
commute; invalid peer points give ProtocolError; scalars are reduced mod l.
"""
from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest

import ristretto_ref as ref
from mpc.errors import ProtocolError
from mpc.native import ecdh_psi as kernels
from mpc.psi.ids import PackedIds

DOMAIN = b"mpc/psi-ecdh/v1" + bytes(50)


def prefixed(tag: int, body: bytes) -> bytes:
    return len(DOMAIN).to_bytes(4, "big") + DOMAIN + bytes([tag]) + body


def test_rfc9496_generator_encoding_round_trips():
    # RFC 9496 A.1: the encoding of the base point B (multiple 1) and of 2B
    base = bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76")
    two = bytes.fromhex("6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919")
    point = ref.decode(base)
    assert ref.encode(point) == base and ref.encode(ref.add(point, point)) == two
    got = kernels.mul(np.frombuffer(base, np.uint8).reshape(1, 32), (2).to_bytes(32, "little"))
    assert got.tobytes() == two


def test_hash_to_group_matches_the_rfc_map_over_sha512():
    values = ["alice", "", "纳税人识别号", "x" * 300]
    ids = PackedIds.from_values(values)
    points = kernels.hash_to_group(ids.data, ids.offsets, DOMAIN, threads=2)
    for i in range(len(values)):
        digest = hashlib.sha512(prefixed(0x01, ids[i])).digest()
        assert points[i].tobytes() == ref.encode(ref.from_uniform(digest))


def test_multiplication_keys_and_commutativity_match_python():
    ids = PackedIds.from_values([f"id{i}" for i in range(40)])
    a, b = kernels.random_scalar(), kernels.random_scalar()
    pa = kernels.hash_mul(ids.data, ids.offsets, DOMAIN, a, threads=2)
    pb = kernels.hash_mul(ids.data, ids.offsets, DOMAIN, b, threads=3)
    keys_ab = kernels.mul_key(pa, b, DOMAIN, 16)
    assert np.array_equal(keys_ab, kernels.mul_key(pb, a, DOMAIN, 16, threads=1))
    plain = kernels.hash_to_group(ids.data, ids.offsets, DOMAIN)
    for i in (0, 17, 39):
        expected = ref.encode(ref.multiply(int.from_bytes(a, "little"), ref.decode(plain[i].tobytes())))
        assert pa[i].tobytes() == expected
        ab = kernels.mul(pa[i:i + 1], b).tobytes()
        assert keys_ab[i].tobytes() == hashlib.sha256(prefixed(0x02, ab)).digest()[:16]
    assert len({row.tobytes() for row in keys_ab}) == 40


def test_scalars_are_reduced_mod_l():
    for _ in range(5):
        raw = os.urandom(64)
        assert int.from_bytes(kernels.scalar_from_random(raw), "little") == int.from_bytes(raw, "little") % ref.L
    with pytest.raises(ValueError):
        kernels.scalar_from_random(ref.L.to_bytes(64, "little"))  # reduces to 0


@pytest.mark.parametrize("bad", [bytes(32),                                    # the identity
                                 (ref.P + 2).to_bytes(32, "little")[:31] + b"\x7f",  # not canonical (>= p)
                                 (1).to_bytes(32, "little"),                   # negative s
                                 bytes([0xff] * 32)])
def test_invalid_peer_points_are_protocol_errors(bad):
    good = kernels.hash_to_group(b"\x00\x00\x00\x01a", np.array([0, 5], np.uint64), DOMAIN)
    points = np.vstack([good, np.frombuffer(bad, np.uint8).reshape(1, 32)])
    with pytest.raises(ProtocolError, match="ristretto255"):
        kernels.mul_key(points, kernels.random_scalar(), DOMAIN, 16, peer="client")
    with pytest.raises(ProtocolError):
        kernels.mul(points, kernels.random_scalar())
