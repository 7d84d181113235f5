"""Fixed-point reals: the parameters per ring (range, truncation, guarantees) and, for Z_2^64, the
encoding and truncation math of the original 64-bit path (pure, no I/O).

Reals live in Z_2^128 by default with f = 20 fractional bits (`real_params` and
protocols/ss-additive.md, "Fixed point", say why); Z_2^64 reals remain as an explicit option with
weaker, stated guarantees.

For SharedArray (mpc.ss.array) and the truncation step after a multiplication (mpc.ss.beaver).
A real x is the ring element round(x * 2^f) in two's complement; f = 16 fractional bits by default.
A product of two encodings carries 2f fractional bits and is truncated back by f bits:

* two parties: SecureML's local truncation (Mohassel-Zhang 2017, Theorem 1): party 0 shifts its share
  arithmetically, party 1 negates, shifts and negates.  When |x| < 2^l_x the result is within one unit
  in the last place (2^-f) of x / 2^f except with probability 2^(l_x + 1 - 64) per element.
* more parties: masked opening (`masked_truncation_*`), error 0..n units in the last place, always
  correct, statistically hiding with distance at most 2^(l_x + 1 - mask_bits) per element.

Spec and the bounds: protocols/ss-additive.md, "Fixed point".
"""
from __future__ import annotations

import math

import numpy as np

DEFAULT_FRACTIONAL_BITS = 20          # reals in Z_2^128 (the default ring of reals)
DEFAULT_FRACTIONAL_BITS_64 = 16       # reals in Z_2^64 (explicit option)
STATISTICAL_SECURITY = 40             # masks hide with distance <= 2^-40, failures <= 2^-40
# Bound (bits) on a product before truncation, |x y 2^(f_x + f_y)| < 2^PRODUCT_BITS[ring bits]:
# 80 in Z_2^128 makes local truncation fail with probability 2^(80 + 1 - 128) = 2^-47 and leaves
# masks of 128 - 7 = 121 >= 80 + 41 bits for up to 127 parties; in Z_2^64 nothing meets 2^-40, so the
# old 48-bit bound stays and the guarantees are stated (and warned about) instead.
PRODUCT_BITS = {128: 80, 64: 47}
MAX_FRACTIONAL_BITS = {128: 39, 64: 23}
# Magnitude bound (bits) assumed of a double-scale product before truncation: |x * 2^2f| < 2^MAGNITUDE_BITS.
MAGNITUDE_BITS = 48


def check_fractional_bits(bits: int, ring_bits: int = 64) -> int:
    bits = int(bits)
    top = MAX_FRACTIONAL_BITS.get(int(ring_bits), 30)
    if not 0 <= bits <= top:
        raise ValueError(f"fractional bits in Z_2^{ring_bits} must be between 0 and {top}, not {bits}")
    return bits


class RealParams:
    """What fixed point with `frac` fractional bits in Z_2^bits promises, for n parties.

    range_bits R: reals (inputs, public operands, every product and sum that is multiplied again)
    satisfy |x| < 2^R = 2^(PRODUCT_BITS - 2f).  Local truncation (2 parties) fails with
    probability 2^(PRODUCT_BITS + 1 - bits) per element; the masked opening adds masks of
    mask_bits = bits - ceil(log2(n + 1)) bits and hides with statistical distance
    2^(PRODUCT_BITS + 1 - mask_bits) per element, never failing.
    """

    def __init__(self, ring_bits: int, frac: int, parties: int):
        self.ring_bits, self.frac, self.parties = int(ring_bits), int(frac), int(parties)
        self.product_bits = PRODUCT_BITS[self.ring_bits]
        self.range_bits = self.product_bits - 2 * self.frac
        self.mask_bits = self.ring_bits - math.ceil(math.log2(self.parties + 1))
        self.bias = self.product_bits

    @property
    def encode_bound_bits(self) -> int:
        """|round(x 2^f)| < 2^(R + f)."""
        return self.range_bits + self.frac

    @property
    def local_failure_log2(self) -> int:
        return self.product_bits + 1 - self.ring_bits

    @property
    def masked_distance_log2(self) -> int:
        return self.product_bits + 1 - self.mask_bits

    def meets_standard(self) -> bool:
        """Failure and distance both <= 2^-40 (the project's standard)."""
        return (self.local_failure_log2 <= -STATISTICAL_SECURITY
                and self.masked_distance_log2 <= -STATISTICAL_SECURITY)

    def describe(self) -> str:
        return (f"reals in Z_2^{self.ring_bits} with {self.frac} fractional bits: |x| < 2^{self.range_bits}, "
                f"local truncation fails with probability 2^{self.local_failure_log2} per element, masked "
                f"truncation hides with statistical distance 2^{self.masked_distance_log2}")


def encode(values, fractional_bits: int = DEFAULT_FRACTIONAL_BITS) -> np.ndarray:
    """Reals to ring elements round(x * 2^f); raises if a value does not fit in 63 - f integer bits."""
    array = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError("fixed-point values must be finite")
    scaled = np.rint(array * float(1 << fractional_bits))
    limit = float(1 << 62)
    if array.size and np.max(np.abs(scaled)) >= limit:
        raise ValueError(f"a value does not fit in fixed point with {fractional_bits} fractional bits")
    return scaled.astype(np.int64).view(np.uint64)


def decode(ring_values, fractional_bits: int = DEFAULT_FRACTIONAL_BITS) -> np.ndarray:
    """Ring elements back to float64 (two's complement, divided by 2^f)."""
    return np.asarray(ring_values, dtype=np.uint64).view(np.int64).astype(np.float64) / float(1 << fractional_bits)


def truncate_two_party(share: np.ndarray, party: int, bits: int) -> np.ndarray:
    """SecureML local truncation of one of two additive shares by `bits`."""
    share = np.asarray(share, dtype=np.uint64)
    if party == 0:
        return np.asarray(share.view(np.int64) >> bits).view(np.uint64)
    if party == 1:
        negated = np.negative(share).view(np.int64)
        return np.negative(np.asarray(negated >> bits).view(np.uint64))
    raise ValueError("local truncation is defined for parties 0 and 1 of a two-party sharing")


def two_party_failure_probability(magnitude_bits: int = MAGNITUDE_BITS) -> float:
    """Probability per element that local truncation is off by more than one unit (SecureML)."""
    return 2.0 ** (magnitude_bits + 1 - 64)


# Masked-opening truncation for n > 2 parties.  x' = x + 2^bias is in [0, 2^(bias+1)); each party
# adds a private mask r_i < 2^mask_bits; the sum c = x' + sum r_i < 2^64 never wraps, so
# floor(c / 2^f) - sum floor(r_i / 2^f) - 2^(bias - f) is floor(x / 2^f) + (0..n).

def mask_bits_for(parties: int) -> int:
    """Each party's mask is below 2^mask_bits so that n masks plus x' stay below 2^63."""
    return 62 - math.ceil(math.log2(parties))


def masked_truncation_bias() -> int:
    return 61


def masked_truncation_mask(rng_words: np.ndarray, parties: int) -> np.ndarray:
    """A party's private mask r_i < 2^mask_bits from uniform words."""
    return rng_words >> np.uint64(64 - mask_bits_for(parties))


def masked_truncation_contribution(share: np.ndarray, mask: np.ndarray, party: int) -> np.ndarray:
    """What a party publishes: its share plus its mask (plus the bias 2^61 at party 0)."""
    out = share + mask
    if party == 0:
        out += np.uint64(1 << masked_truncation_bias())
    return out


def masked_truncation_finish(opened: np.ndarray, mask: np.ndarray, party: int, bits: int) -> np.ndarray:
    """A party's share of the truncated value from the opened c and its own mask."""
    out = np.negative(np.asarray(mask >> np.uint64(bits)))
    if party == 0:
        out += (opened >> np.uint64(bits)) - np.uint64(1 << (masked_truncation_bias() - bits))
    return out


def masked_truncation_leakage(parties: int, magnitude_bits: int = MAGNITUDE_BITS) -> float:
    """Statistical distance between the opened c for two inputs of magnitude < 2^magnitude_bits.

    c = x' + r with r a sum of independent uniforms on [0, 2^m); shifting one uniform by s moves it
    by s / 2^m in statistical distance and summing more cannot increase that.  The bias makes x' up to
    2^62 though, so the bound uses the true input spread 2^(magnitude_bits + 1).
    """
    return 2.0 ** (magnitude_bits + 1 - mask_bits_for(parties))
