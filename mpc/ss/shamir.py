"""Shamir secret sharing over Z_p, p = 2^61 - 1: share, reconstruct, Lagrange, degree reduction.

Pure math, no I/O, for the honest-majority protocol in mpc.ss.shamir_protocol (n >= 3 parties,
threshold t < n/2).  Party i (0-based) holds the evaluation at x = i + 1 of a random polynomial of
degree t whose constant term is the secret; any t + 1 shares reconstruct, any t are uniform.
Products of shares lie on a degree-2t polynomial; `reduction_coefficients` gives the recombination
vector used to bring them back to degree t (Gennaro-Rabin-Rabin 1998).  Modelled on the role of
MPyC's thresha.py, written independently.  Spec: protocols/ss-shamir.md.
"""
from __future__ import annotations

import numpy as np

from mpc.native import field
from mpc.ss.randomness import random_bytes

PRIME = field.PRIME


def check_threshold(parties: int, threshold: int) -> None:
    if parties < 3:
        raise ValueError(f"Shamir sharing with multiplication needs at least 3 parties, not {parties}")
    if not 0 < threshold or 2 * threshold >= parties:
        raise ValueError(f"threshold {threshold} must satisfy 0 < t < n/2 for n = {parties}")


def default_threshold(parties: int) -> int:
    return (parties - 1) // 2


def points(parties: int) -> list[int]:
    """Evaluation point of each party: party i at x = i + 1."""
    return [i + 1 for i in range(parties)]


def random_elements(rng, count: int) -> np.ndarray:
    """Uniform field elements from the PRG by rejection (8 bytes per element plus slack)."""
    return field.sample(random_bytes(rng, 8 * count + 64), count)


def share(secrets, parties: int, threshold: int, rng=None) -> np.ndarray:
    """Shares of field elements `secrets`: array (parties, *shape), row i for party i."""
    secrets = np.asarray(secrets, dtype=np.uint64)
    if not field.is_reduced(secrets):
        raise ValueError("secrets must be field elements below p")
    coeffs = random_elements(rng, threshold * secrets.size).reshape((threshold, *secrets.shape))
    return field.share_polynomial(secrets, coeffs, points(parties))


def lagrange_coefficients(xs, at: int = 0) -> list[int]:
    """lambda_i with f(at) = sum_i lambda_i f(xs[i]) for every polynomial of degree < len(xs)."""
    xs = [int(x) % PRIME for x in xs]
    if len(set(xs)) != len(xs):
        raise ValueError("Lagrange interpolation needs distinct points")
    coeffs = []
    for i, xi in enumerate(xs):
        num, den = 1, 1
        for j, xj in enumerate(xs):
            if j != i:
                num = num * (at - xj) % PRIME
                den = den * (xi - xj) % PRIME
        coeffs.append(num * pow(den, PRIME - 2, PRIME) % PRIME)
    return coeffs


def reconstruct(shares, party_ids=None) -> np.ndarray:
    """The secrets from shares (k, *shape) held by `party_ids` (default 0..k-1)."""
    shares = np.ascontiguousarray(shares, dtype=np.uint64)
    ids = list(range(shares.shape[0])) if party_ids is None else list(party_ids)
    if len(ids) != shares.shape[0]:
        raise ValueError(f"{shares.shape[0]} share vectors for {len(ids)} parties")
    return field.combine(shares, lagrange_coefficients([i + 1 for i in ids]))


def reduction_coefficients(parties: int) -> list[int]:
    """Recombination vector for degree 2t < n: h(0) = sum_i lambda_i h(i + 1) over all n parties."""
    return lagrange_coefficients(points(parties))


def consistent(shares, threshold: int) -> bool:
    """True when the n shares lie on one polynomial of degree <= threshold (an error check)."""
    shares = np.ascontiguousarray(shares, dtype=np.uint64)
    n = shares.shape[0]
    base = list(range(threshold + 1))
    for k in range(threshold + 1, n):
        coeffs = lagrange_coefficients([i + 1 for i in base], at=k + 1)
        if not np.array_equal(field.combine(shares[base], coeffs), shares[k]):
            return False
    return True


def encode_integers(values) -> np.ndarray:
    """Signed integers (|x| < p/2) as field elements."""
    array = np.asarray(values)
    if array.dtype.kind not in "iub":
        raise TypeError(f"Shamir sharing takes integers, not {array.dtype}")
    if array.dtype == np.uint64 and array.size and int(array.max()) >= 1 << 63:
        raise ValueError("integer does not fit in int64")
    return field.from_signed(array.astype(np.int64))


def decode_integers(elements) -> np.ndarray:
    """Field elements back to signed int64 by the centred lift."""
    return field.to_signed(np.ascontiguousarray(elements, dtype=np.uint64))
