"""The client refuses an RSA key that is not a permutation of Z_n*, or whose modulus has a small
factor (spec: protocols/psi-rsa.md, "Key check"; mpc.psi.keycheck).

Crafted servers speak the real protocol up to the key proof: one with e = 3 dividing phi(n) that
answers every challenge with the best root it can compute, one with a 7 in its modulus that answers
honestly, one with a composite exponent.  The honest server's proof must pass.
"""
from __future__ import annotations

import math
import secrets

import numpy as np
import pytest

import mpc.psi as psi
from mpc.errors import ProtocolError
from mpc.psi import keycheck
from mpc.psi import messages as msg
from mpc.psi.keys import RsaPsiKey
from mpc.transport import run_threads

SMALL_PRIMES = [p for p in range(3, 2000) if all(p % q for q in range(2, math.isqrt(p) + 1))]


def is_probable_prime(x: int) -> bool:
    if any(x % p == 0 for p in SMALL_PRIMES):
        return x in SMALL_PRIMES
    d, r = x - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(40):
        y = pow(secrets.randbelow(x - 3) + 2, d, x)
        if y in (1, x - 1):
            continue
        for _ in range(r - 1):
            y = y * y % x
            if y == x - 1:
                break
        else:
            return False
    return True


def prime(bits: int, residue: int = 0, modulus: int = 1) -> int:
    """A random prime of exactly `bits` bits, congruent to residue mod modulus."""
    while True:
        x = secrets.randbits(bits) | (3 << (bits - 2)) | 1
        x += (residue - x) % modulus
        if x.bit_length() == bits and x % 2 and is_probable_prime(x):
            return x


def test_proof_count_is_the_least_m_with_e_to_the_m_at_least_2_to_the_128():
    for e in (3, 5, 17, 257, 65537, 4294967291):
        m = keycheck.proof_count(e)
        assert e ** m >= 1 << 128 > e ** (m - 1)
        assert m == math.ceil(128 / math.log2(e))
    assert keycheck.proof_count(65537) == 8 and keycheck.proof_count(3) == 81


def test_honest_key_proof_verifies_and_a_tampered_one_does_not():
    key = RsaPsiKey.generate(1024, allow_small=True)
    n, e, k = key.public.n, key.public.e, key.public.modulus_bytes
    keycheck.check_public_key(n, e)
    roots = keycheck.prove(key, b"domain")
    keycheck.verify(n, e, k, b"domain", roots)
    with pytest.raises(ProtocolError, match="could not prove"):
        keycheck.verify(n, e, k, b"another run", roots)  # challenges depend on the run's domain
    bad = roots.copy()
    bad[3, -1] ^= 1
    with pytest.raises(ProtocolError, match="challenge 4 of 8"):
        keycheck.verify(n, e, k, b"domain", bad)


def crafted_server(n: int, e: int, root_of):
    """A server that sends a hello with (n, e) and `root_of(rho)` for each key-proof challenge."""
    k = (n.bit_length() + 7) // 8

    def party(endpoint):
        if endpoint.me == 1:
            return psi.client(endpoint, ["alice", "bob"])
        ch = endpoint.channel(1)
        nonce = secrets.token_bytes(32)
        ch.send(msg.TAG_SERVER_HELLO, msg.ServerHello("both", 1, 2, e, k, 16, nonce, n.to_bytes(k, "big")).pack())
        domain = msg.domain(endpoint.session_id, nonce)
        roots = [root_of(rho).to_bytes(k, "big") for rho in keycheck.challenges(n, e, k, domain)]
        ch.send(msg.TAG_KEY_PROOF, np.frombuffer(b"".join(roots), dtype=np.uint8).reshape(-1, k))
        ch.recv_bytes(msg.TAG_CLIENT_HELLO, msg.CLIENT_HELLO_BYTES)
        return "sent"
    return party


def test_e_dividing_phi_is_refused():
    # p = 4 mod 9 (so 3 | p - 1): a cube root of a cubic residue a mod p is a^((2p + 1) / 9); q = 2 mod 3.
    p, q = prime(512, 4, 9), prime(512, 2, 3)
    n, e = p * q, 3
    assert (p - 1) % e == 0 and n.bit_length() == 1024
    d_q = pow(e, -1, q - 1)

    def best_root(rho: int) -> int:  # correct whenever a cube root exists
        root_p, root_q = pow(rho, (2 * p + 1) // 9, p), pow(rho, d_q, q)
        return (root_q + q * ((root_p - root_q) * pow(q, -1, p) % p)) % n
    challenges = keycheck.challenges(n, e, 128, b"x")
    residues = sum(pow(rho, (p - 1) // 3, p) == 1 for rho in challenges)
    assert residues < len(challenges)  # about a third are cubes mod p; the rest have no root
    with pytest.raises(ProtocolError, match="could not prove that its RSA key is a permutation"):
        run_threads(crafted_server(n, e, best_root), parties=2, timeout=20)


def test_modulus_with_a_small_factor_is_refused():
    q = prime(1021)
    n, e = 7 * q, 65537
    while n.bit_length() != 1024:
        q = prime(1021)
        n = 7 * q
    d = pow(e, -1, 6 * (q - 1))  # an honest key on this n: the proof alone would pass
    challenges = keycheck.challenges(n, e, 128, b"x")
    assert all(pow(pow(rho, d, n), e, n) == rho for rho in challenges if math.gcd(rho, n) == 1)
    with pytest.raises(ProtocolError, match="prime factor below 65536"):
        run_threads(crafted_server(n, e, lambda rho: pow(rho, d, n)), parties=2, timeout=20)


def test_composite_exponent_is_refused():
    key = RsaPsiKey.generate(1024, allow_small=True)
    with pytest.raises(ProtocolError, match="exponent 9 is not a prime"):
        run_threads(crafted_server(key.public.n, 9, lambda rho: rho), parties=2, timeout=20)
