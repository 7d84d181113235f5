"""Public magnitude bounds of the integer shares in the he protocol, and the mask widths they call for.

For mpc.ml.he_common / he_guest (spec: protocols/lr-vertical.md, "Protocol he", "Masks").  A value
v with |v| <= V sent as v - rho, rho uniform in [0, 2^M), is within statistical distance V / 2^M of
-rho whatever v is; so every mask here is at least STAT_BITS bits wider than the bound of what it
hides.  The shares themselves carry earlier masks (a gradient share is X^T r + mu with mu up to
2^gradient_bits; a weight share accumulates c g / 2^t of those every step), so the bounds grow as
training runs: both parties track the same bounds from public quantities only (batch size, both
feature counts, class weights on or off, the update constants), step by step, and so choose the
same widths.  A fixed width (the former 200 bits) gave as little as 3 bits of statistical security
on the forward products after a few steps, and none with class weights.
"""
from __future__ import annotations

from mpc.errors import ConfigError
from mpc.ml import fixedpoint, sigmoid

STAT_BITS = 40
REVEAL_BYTES = 57             # signed width of one share in ml:he:shares
FEATURE_BOUND = 1 << fixedpoint.FEATURE_OFFSET_BITS          # |encoded feature| <= 2^11
# |share of r = 4 (sigma~(z) - y)| out of the lifted sigmoid: party 0 holds -R (R < 2^104), party 1
# v + R (0 <= v <= 4 * 2^24); the guest adds -4y * 2^24
RESIDUAL_SHARE_BOUND = (1 << sigmoid.LIFT_MASK_BITS) + 2 * (4 << fixedpoint.residual_scale())
CLASS_WEIGHT_BOUND = 1 << fixedpoint.CLASS_WEIGHT_BITS        # encoded class weights s <= 2^6


def mask_bits(bound: int) -> int:
    """Width of a mask hiding integers of magnitude <= bound to 2^-STAT_BITS, whole bytes."""
    return -(-(int(bound).bit_length() + STAT_BITS) // 8) * 8


class HeBounds:
    """Bounds on |share| for one party's view of the protocol; both parties hold equal ones."""

    def __init__(self, d_guest: int, d_host: int, weighted: bool, key_bits: int):
        self.dims = (int(d_guest), int(d_host))
        self.d = max(int(d_guest), int(d_host), 1)
        self.weighted = bool(weighted)
        # masked values and their masks must stay inside Paillier's signed plaintexts (-N/2, N/2)
        self.max_mask_bits = int(key_bits) - 4
        self.residual = RESIDUAL_SHARE_BOUND
        self.class_bits = None
        if self.weighted:   # the guest masks s r_H, then each party's share is s r_own +- rho
            self.class_bits = self._checked(mask_bits(CLASS_WEIGHT_BOUND * RESIDUAL_SHARE_BOUND))
            self.residual = CLASS_WEIGHT_BOUND * RESIDUAL_SHARE_BOUND + (1 << self.class_bits)
        self.weight = 0         # |a party's share of any feature weight|
        self.intercept = 0      # |a party's share of the intercept|

    def _checked(self, bits: int) -> int:
        if bits > self.max_mask_bits:
            raise ConfigError(f"the he protocol needs {bits}-bit masks here, more than a {self.max_mask_bits + 4}-bit "
                              "Paillier key holds; use a larger key_bits")
        return bits

    def forward_bits(self) -> int:
        """Mask of X_mine (B x d) times the peer's share of my weights."""
        return self._checked(mask_bits(self.d * FEATURE_BOUND * self.weight))

    def gradient_value(self, rows: int) -> int:
        return int(rows) * FEATURE_BOUND * self.residual

    def gradient_bits(self, rows: int) -> int:
        """Mask of X_mine^T (rows) times the peer's share of r."""
        return self._checked(mask_bits(self.gradient_value(rows)))

    def after_update(self, rows: int, c: int, t: int, c2: int, t2: int) -> None:
        """The bounds after w <- w - floor(c g / 2^t), then w <- w - floor(c2 w / 2^t2)."""
        gradient = self.gradient_value(rows) + (1 << self.gradient_bits(rows))   # X^T r_own + mu, or X^T r - mu
        self.weight = self._decayed(self.weight + ((c * gradient) >> t) + 2, c2, t2)
        intercept_gradient = int(rows) * self.residual << fixedpoint.FEATURE_BITS
        self.intercept += ((c * intercept_gradient) >> t) + 2
        largest = max(self.weight, self.intercept)
        if largest.bit_length() >= 8 * REVEAL_BYTES:
            raise ConfigError("the he protocol's weight shares outgrew their wire width; train fewer steps")

    @staticmethod
    def _decayed(bound: int, c2: int, t2: int) -> int:
        """|w - floor(lambda w)| <= |1 - lambda| |w| + 1 with lambda = c2 / 2^t2 >= 0."""
        if not c2:
            return bound
        factor = max(1 << t2, abs(c2 - (1 << t2)))       # max(1, |1 - lambda|) at 2^t2
        return ((bound * factor) >> t2) + 2
