"""Fixed test vectors of protocols/psi-rsa.md ("Test vectors"): identifier encoding, domain,
full-domain hash and final hash, against the C kernels and a hashlib reference.

The modulus n = 2^1024 - 189 is no RSA modulus; the hash kernels only need an odd number of the
stated length, and the final hash is reached through unblind with r = 1 and s = sigma.
"""
from __future__ import annotations

import hashlib

import numpy as np

from mpc.native import rsa_psi as kernels
from mpc.psi import messages as msg
from mpc.psi.ids import PackedIds, encode_id

K = 128
N = (1 << 1024) - 189
DOMAIN_HEX = "6d70632f7073692d7273612f7631" + "0010" + "00" * 16 + "00" * 32
FDH_ALICE = ("e71f1d1a83fbc315c3524d61ea2e6f7bf9bcfce16879188765cb1da5a9586569539bd16bbc3947a8ea63ea7c73da9881"
             "d225bde116c9eb5e38ca2f05ffe8fee4e2a93ebba0723bb82188c403718de95c639369ca2af1da817774e62dcf592637"
             "f264092280ccf7fd0a2fce0d844527d8b30522c45c8062105aca335b137059f8")
FDH_DE_123 = ("d5addc49010a3699afb842c9fb8031c7e8ea380690e30e88c1a480cb39b132b25ca7cfe3d7af1faf387fbedc15924c"
              "212c26e22b962cf3f30f976cdc7c6b5ed37958d750ac4f090ec8f5bf9e4f496a9868b6ddefa311433ac06d806023955e"
              "7194207250bb863b9d4b2a57a04a62ea8f51bc6c665b89d3dd6efbaeda80c91e47")
FINAL_OF_2 = "b98987fd5411ab4cfd92cf4064a83e20"


def _domain() -> bytes:
    return msg.domain(bytes(16), bytes(32))


def test_encoding_and_domain():
    assert encode_id("alice").hex() == "00000005616c696365"
    assert encode_id(("DE", "123")).hex() == "00000002444500000003313233"
    assert _domain().hex() == DOMAIN_HEX


def test_full_domain_hash_vectors():
    raw = [encode_id("alice"), encode_id(("DE", "123"))]
    ids = PackedIds(b"".join(raw), np.array([0, len(raw[0]), len(raw[0]) + len(raw[1])], np.uint64))
    got = kernels.hash_to_group(ids.data, ids.offsets, _domain(), N.to_bytes(K, "big"), threads=2)
    assert [row.tobytes().hex() for row in got] == [FDH_ALICE, FDH_DE_123]
    seed = len(_domain()).to_bytes(4, "big") + _domain() + b"\x01" + raw[0]
    mgf1 = b"".join(hashlib.sha256(seed + c.to_bytes(4, "big")).digest() for c in range(5))[:K + 16]
    assert int.from_bytes(mgf1, "big") % N == int(FDH_ALICE, 16)


def test_final_hash_vector():
    def row(value: int) -> np.ndarray:
        return np.frombuffer(value.to_bytes(K, "big"), np.uint8).reshape(1, K)
    out = kernels.unblind(N.to_bytes(K, "big"), 65537, row(pow(2, 65537, N)), row(2), row(1), _domain())
    assert out[0].tobytes().hex() == FINAL_OF_2
    data = len(_domain()).to_bytes(4, "big") + _domain() + b"\x02" + (2).to_bytes(K, "big")
    assert hashlib.sha256(data).hexdigest()[:32] == FINAL_OF_2
