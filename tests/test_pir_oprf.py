"""OPRF kernels of keyword PIR: RFC 9497 OPRF mode, P256-SHA256 (spec: protocols/pir.md, "OPRF (RFC 9497, P-256)").

Known answers: the RFC's Appendix A test vectors (blinded element, evaluation, output).  The
server's scalar multiplication is cross-checked with `cryptography`'s ECDH (x of k·P); the server's
direct evaluation equals the client's blind/evaluate/finalize on random, empty and maximal inputs;
peer elements that are not group elements are `ProtocolError`.
"""
from __future__ import annotations

import os

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from mpc.errors import ProtocolError
from mpc.native import oprf
from mpc.psi.ids import PackedIds

SK = bytes.fromhex("159749d750713afe245d2d39ccfaae8381c53ce92d098a9375ee70739c7ac0bf")
BLIND = bytes.fromhex("3338fa65ec36e0290022b48eb562889d89dbfa691d1cde91517fa222ed7ad364")
VECTORS = [  # RFC 9497, Appendix A, P256-SHA256, OPRF mode, test vectors 1 and 2
    ("00", "03723a1e5c09b8b9c18d1dcbca29e8007e95f14f4732d9346d490ffc195110368d",
     "030de02ffec47a1fd53efcdd1c6faf5bdc270912b8749e783c7ca75bb412958832",
     "a0b34de5fa4c5b6da07e72af73cc507cceeb48981b97b7285fc375345fe495dd"),
    ("5a" * 17, "03cc1df781f1c2240a64d1c297b3f3d16262ef5d4cf102734882675c26231b0838",
     "03a0395fe3828f2476ffcd1f4fe540e5a8489322d398be3c4e5a869db7fcb7c52c",
     "c748ca6dd327f0ce85f4ae3a8cd6d4d5390bbb804c9e12dcf94f853fece3dcce"),
]


def packed(*inputs: bytes) -> tuple[bytes, np.ndarray]:
    offsets = np.zeros(len(inputs) + 1, dtype=np.uint64)
    np.cumsum([len(i) for i in inputs], out=offsets[1:])
    return b"".join(inputs), offsets


@pytest.mark.parametrize("vector", VECTORS)
def test_rfc9497_vectors(vector):
    data, blinded_hex, evaluated_hex, output_hex = (bytes.fromhex(vector[0]), *vector[1:])
    blinds = np.frombuffer(BLIND, dtype=np.uint8).reshape(1, -1)
    blinded, got_blinds = oprf.blind(*packed(data), blinds=blinds)
    assert blinded[0].tobytes().hex() == blinded_hex and got_blinds.tobytes() == BLIND
    evaluated = oprf.evaluate(SK, blinded)
    assert evaluated[0].tobytes().hex() == evaluated_hex
    assert oprf.finalize(*packed(data), got_blinds, evaluated)[0].tobytes().hex() == output_hex
    assert oprf.evaluate_own(SK, *packed(data))[0].tobytes().hex() == output_hex


def test_scalar_multiplication_agrees_with_cryptography():
    key = oprf.new_key()
    blinded, _ = oprf.blind(*packed(*[os.urandom(i) for i in range(5)]))
    evaluated = oprf.evaluate(key, blinded, threads=2)
    private = ec.derive_private_key(int.from_bytes(key, "big"), ec.SECP256R1())
    for point, result in zip(blinded, evaluated):
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point.tobytes())
        assert private.exchange(ec.ECDH(), public) == result.tobytes()[1:]  # x-coordinate of k·P


def test_server_evaluation_equals_the_blinded_round_trip():
    key = oprf.new_key()
    inputs = [b"", b"\x00", os.urandom(40), b"x" * oprf.MAX_INPUT_BYTES] + [os.urandom(9) for _ in range(20)]
    data, offsets = packed(*inputs)
    blinded, blinds = oprf.blind(data, offsets, threads=3)
    again, _ = oprf.blind(data, offsets)
    assert not np.array_equal(blinded, again)  # fresh blinds each call
    outputs = oprf.finalize(data, offsets, blinds, oprf.evaluate(key, blinded), threads=2)
    assert np.array_equal(outputs, oprf.evaluate_own(key, data, offsets, threads=2))
    assert len({o.tobytes() for o in outputs}) == len(inputs)
    assert not np.array_equal(outputs, oprf.evaluate_own(oprf.new_key(), data, offsets))
    ids = PackedIds.from_values(["a", "b"])
    assert oprf.evaluate_own(key, ids.data, ids.batch(1, 2)).tobytes() == oprf.evaluate_own(
        key, *packed(ids[1])).tobytes()


@pytest.mark.parametrize("element", [bytes(33), b"\x04" + bytes(32), b"\x02" + b"\xff" * 32,
                                     b"\x02" + (1).to_bytes(32, "big")])  # 1 - 3 + b is no square mod p
def test_non_elements_from_the_peer_are_protocol_errors(element):
    row = np.frombuffer(element, dtype=np.uint8).reshape(1, -1)
    with pytest.raises(ProtocolError):
        oprf.evaluate(oprf.new_key(), row)
    with pytest.raises(ProtocolError):
        oprf.finalize(*packed(b"k"), np.frombuffer(BLIND, dtype=np.uint8).reshape(1, -1), row)


def test_argument_checks():
    with pytest.raises(ValueError):
        oprf.evaluate_own(bytes(32), *packed(b"a"))       # key 0
    with pytest.raises(ValueError):
        oprf.evaluate_own(SK, *packed(b"x" * (oprf.MAX_INPUT_BYTES + 1)))
    with pytest.raises(ValueError):
        oprf.evaluate(SK, np.zeros((2, 32), dtype=np.uint8))
    key_int = int.from_bytes(oprf.new_key(), "big")
    assert 1 <= key_int < oprf.ORDER
