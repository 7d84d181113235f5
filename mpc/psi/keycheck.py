"""The client's check of the server's RSA key: x -> x^e must permute Z_n* (spec: protocols/psi-rsa.md,
"Key check").

For RsaPsiServer (which proves) and RsaPsiClient (which verifies).  Outside the semi-honest model
but cheap: a server that picked e dividing phi(n) would map many of the client's blinded values
to few classes and learn the client's ids by a dictionary attack (e = 3 shows it).  Following
Goldberg, Reyzin, Sagga, Baldimtsi, "Efficient Noninteractive Certification of RSA Moduli and
Beyond" (ASIACRYPT 2019), the permutation proof for a prime e:
  - the client requires e prime and n free of prime factors below TRIAL_DIVISION_BOUND;
  - m = the least m with e^m >= 2^128 challenges rho_i in Z_n are derived by hashing (n, e, the
    run's domain: session id and server nonce), so neither side chooses them;
  - the server sends sigma_i = rho_i^d, the client checks sigma_i^e = rho_i mod n.
If x -> x^e is not a permutation of Z_n* then (e prime) e | phi(n), the e-th powers form a subgroup
of index >= e, and each rho_i has an e-th root with probability <= 1/e: all m pass with
probability <= e^-m <= 2^-128.
"""
from __future__ import annotations

import hashlib
import math
from functools import lru_cache

import numpy as np

from mpc.errors import ProtocolError

SECURITY_BITS = 128
TRIAL_DIVISION_BOUND = 1 << 16
LABEL = b"mpc/psi-rsa/v2/key-proof"


def proof_count(e: int) -> int:
    """m: the least number of challenges with e^m >= 2^128 (8 for e = 65537, 81 for e = 3)."""
    m, power = 0, 1
    while power < 1 << SECURITY_BITS:
        power *= e
        m += 1
    return m


def _is_prime_u32(x: int) -> bool:
    """Deterministic Miller-Rabin for x < 2^32 (bases 2, 3, 5, 7, 11 suffice below 2.1e12)."""
    if x < 2:
        return False
    for p in (2, 3, 5, 7, 11):
        if x % p == 0:
            return x == p
    d, r = x - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for a in (2, 3, 5, 7, 11):
        y = pow(a, d, x)
        if y in (1, x - 1):
            continue
        for _ in range(r - 1):
            y = y * y % x
            if y == x - 1:
                break
        else:
            return False
    return True


@lru_cache(maxsize=1)
def _small_primes_product() -> int:
    sieve = bytearray([1]) * TRIAL_DIVISION_BOUND
    sieve[0:2] = b"\x00\x00"
    for i in range(2, math.isqrt(TRIAL_DIVISION_BOUND) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(range(i * i, TRIAL_DIVISION_BOUND, i)))
    return math.prod(i for i in range(TRIAL_DIVISION_BOUND) if sieve[i])


def check_public_key(n: int, e: int, peer=None) -> None:
    """The static part: e an odd prime below 2^32, n odd with no prime factor below the bound."""
    if not (3 <= e < 1 << 32 and _is_prime_u32(e)):
        raise ProtocolError(f"the server's RSA exponent {e} is not a prime of 2..32 bits: key refused", peer)
    if math.gcd(n, _small_primes_product()) != 1:
        raise ProtocolError(f"the server's RSA modulus has a prime factor below {TRIAL_DIVISION_BOUND}: "
                            "key refused", peer)


def challenges(n: int, e: int, modulus_bytes: int, domain: bytes) -> list[int]:
    """rho_1..rho_m in Z_n: SHAKE-256 of label, domain, e, n and the index, k + 16 bytes, mod n."""
    prefix = (LABEL + len(domain).to_bytes(4, "big") + domain + e.to_bytes(8, "big")
              + n.to_bytes(modulus_bytes, "big"))
    out = []
    for i in range(proof_count(e)):
        digest = hashlib.shake_256(prefix + i.to_bytes(4, "big")).digest(modulus_bytes + 16)
        out.append(int.from_bytes(digest, "big") % n)
    return out


def prove(key, domain: bytes, threads: int | None = None) -> np.ndarray:
    """The server's answer: the e-th roots of the challenges, (m, k) big-endian rows."""
    public = key.public
    k = public.modulus_bytes
    rows = np.frombuffer(b"".join(c.to_bytes(k, "big") for c in challenges(public.n, public.e, k, domain)),
                         dtype=np.uint8).reshape(-1, k)
    return key.sign(rows, threads=threads)


def verify(n: int, e: int, modulus_bytes: int, domain: bytes, roots: np.ndarray, peer=None) -> None:
    """The client's check; `ProtocolError` unless every root is in [1, n) and its e-th power is rho_i."""
    k = modulus_bytes
    for i, rho in enumerate(challenges(n, e, k, domain)):
        if math.gcd(rho, n) != 1:
            raise ProtocolError("a key-check challenge shares a factor with the server's modulus: key refused",
                                peer)
        sigma = int.from_bytes(roots[i].tobytes(), "big")
        if not 0 < sigma < n or pow(sigma, e, n) != rho:
            raise ProtocolError(f"the server could not prove that its RSA key is a permutation (challenge "
                                f"{i + 1} of {len(roots)} fails): key refused", peer)
