"""`SharedArray`: one party's handle on a secret-shared numpy array, with numpy-like operators.

For users, through `mpc.ss.api.input(session, value, owner)` (and `Session.input`).  A SharedArray
holds this party's share plus what every party knows publicly: the session it belongs to, the
sharing kind ("additive" or "shamir"), the ring of additive shares (`ring`: RING128 for reals by
default, RING64 for integers; None for Shamir, whose shares are Z_p elements), the shape and the
fixed-point scale (0 fractional bits for integers).  Operators follow numpy: broadcasting (secret
with secret and with public), unary minus, indexing and slicing, reshape / transpose / T, sum and
mean over an axis, `/` and `//` by public numbers.  Local ones cost nothing; x and @ of two secrets are one
round (Beaver or Shamir degree reduction) plus the truncation of reals; comparisons go through
garbled circuits (mpc.ss.compare).  Range and error of every operation: protocols/ss-additive.md
("Fixed point", "Operations"), protocols/ss-shamir.md.
"""
from __future__ import annotations

import math

import numpy as np

from mpc.errors import RangeError, SessionMismatch, ShapeError
from mpc.native import field
from mpc.ss import beaver, shamir, shamir_protocol
from mpc.ss.ring import contiguous, ring_of_dtype

ADDITIVE = "additive"
SHAMIR = "shamir"


class SharedArray:
    """This party's share of a secret array; combine only with arrays of the same session and ring."""

    __slots__ = ("context", "share", "kind", "fractional_bits", "ring")
    __array_ufunc__ = None     # numpy defers to our reflected operators: np.ones(3) * x works
    __hash__ = None

    def __init__(self, context, share: np.ndarray, kind: str, fractional_bits: int = 0, ring=None):
        if kind not in (ADDITIVE, SHAMIR):
            raise ValueError(f"unknown sharing kind {kind!r}")
        if kind == SHAMIR and fractional_bits:
            raise TypeError("Shamir-shared arrays hold integers; use additive sharing for fixed point")
        share = np.asarray(share)
        if kind == SHAMIR:
            share, ring = np.asarray(share, dtype=np.uint64), None
        else:
            ring = ring_of_dtype(share.dtype) if ring is None else ring
            share = ring.asarray(share)
        self.context = context
        self.share = share
        self.kind = kind
        self.fractional_bits = int(fractional_bits)
        self.ring = ring
        context.used = True

    # -- public description --------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.share.shape

    @property
    def ndim(self) -> int:
        return self.share.ndim

    @property
    def size(self) -> int:
        return self.share.size

    def __len__(self) -> int:
        return len(self.share)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    @property
    def is_fixed_point(self) -> bool:
        return self.fractional_bits > 0

    def describe(self) -> str:
        kind = f"fixed point ({self.fractional_bits} fractional bits)" if self.is_fixed_point else "integer"
        where = f" in {self.ring.name}" if self.ring is not None else " in Z_p"
        return f"{self.kind} {kind} array{where} of shape {self.shape}"

    def __repr__(self) -> str:
        return f"<SharedArray party {self.context.me}: {self.describe()}>"

    def _new(self, share, fractional_bits=None) -> "SharedArray":
        bits = self.fractional_bits if fractional_bits is None else fractional_bits
        return SharedArray(self.context, share, self.kind, bits, self.ring)

    # -- checks --------------------------------------------------------------------------------
    def _check_secret(self, other: "SharedArray", op: str) -> None:
        if not self.context.same_session(other.context):
            raise SessionMismatch(f"cannot {op} values from different sessions "
                                  f"({self.context.session_id.hex()} and {other.context.session_id.hex()})")
        if self.kind != other.kind or self.ring is not other.ring:
            raise SessionMismatch(f"cannot {op} a {self.describe()} and a {other.describe()}: mixing "
                                  f"sharings or rings is not supported (input both in one ring, e.g. ring=128)")

    def _broadcast_shape(self, other_shape: tuple, op: str, public: bool = False) -> tuple:
        try:
            return np.broadcast_shapes(self.shape, tuple(other_shape))
        except ValueError:
            what = "public" if public else "secret"
            raise ShapeError(f"cannot {op} shapes {self.shape} (secret) and {tuple(other_shape)} ({what}): "
                             f"they do not broadcast") from None

    def _spread(self, shape: tuple) -> np.ndarray:
        """This share broadcast to `shape`, as a contiguous array."""
        if self.shape == shape:
            return self.share
        return contiguous(np.broadcast_to(self.share, shape))

    def _public(self, value, op: str) -> np.ndarray:
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"cannot {op} a {self.describe()} and a public {array.dtype} value")
        if self.kind == SHAMIR and array.dtype.kind == "f":
            raise TypeError("Shamir-shared arrays hold integers; a public float cannot join them")
        return array

    def _params(self, frac=None):
        return self.context.real_params(self.ring.bits, self.context.fractional_bits if frac is None else frac)

    def _to_real(self, op: str) -> "SharedArray":
        """This array at the session's fixed-point scale (integers are shifted up locally)."""
        if self.is_fixed_point:
            return self
        if self.kind == SHAMIR:
            raise TypeError(f"cannot {op} Shamir-shared integers with reals; Shamir holds integers only")
        if self.ring is not self.context.real_ring:
            raise SessionMismatch(f"cannot {op} {self.describe()} with reals, which live in "
                                  f"{self.context.real_ring.name}: input the integers with "
                                  f"ring={self.context.real_ring.bits} or as floats")
        return self._rescaled(self.context.fractional_bits)

    # -- scale ---------------------------------------------------------------------------------
    def _rescaled(self, bits: int) -> "SharedArray":
        """The same value with `bits` >= current fractional bits (a local shift of every share)."""
        if bits == self.fractional_bits:
            return self
        return self._new(self.ring.shl(self.share, bits - self.fractional_bits), bits)

    def _align(self, other: "SharedArray"):
        bits = max(self.fractional_bits, other.fractional_bits)
        return self._rescaled(bits), other._rescaled(bits)

    def _encode_public(self, array: np.ndarray, bits: int, shape: tuple) -> np.ndarray:
        if self.kind == SHAMIR:
            return contiguous(np.broadcast_to(shamir.encode_integers(array), shape))
        if bits:
            encoded = self.ring.encode(array, bits, self._params(bits).encode_bound_bits)
        else:
            encoded = self.ring.from_int(_as_integers(array))
        return contiguous(np.broadcast_to(encoded, shape))

    # -- linear operations (local) --------------------------------------------------------------
    def _add(self, other, op: str, negate_other: bool = False, negate_self: bool = False) -> "SharedArray":
        if isinstance(other, SharedArray):
            self._check_secret(other, op)
            shape = self._broadcast_shape(other.shape, op)
            x, y = self._align(other)
            xs, ys = x._spread(shape), y._spread(shape)
            if self.kind == SHAMIR:
                if negate_self:
                    xs = field.neg(xs)
                return x._new(field.sub(xs, ys) if negate_other else field.add(xs, ys))
            ring = self.ring
            if negate_self:
                xs = ring.neg(xs)
            return x._new(ring.sub(xs, ys) if negate_other else ring.add(xs, ys))
        array = self._public(other, op)
        shape = self._broadcast_shape(array.shape, op, public=True)
        x = self._to_real(op) if array.dtype.kind == "f" else self
        public = x._encode_public(array, x.fractional_bits, shape)
        mine = x._spread(shape)
        if self.kind == SHAMIR:
            mine = field.neg(mine) if negate_self else mine
            # Every party adds the public constant: a degree-0 term keeps the sharing valid.
            return x._new(field.sub(mine, public) if negate_other else field.add(mine, public))
        ring = self.ring
        mine = ring.neg(mine) if negate_self else mine.copy()
        if x.context.me == 0:
            mine = ring.sub(mine, public) if negate_other else ring.add(mine, public)
        return x._new(mine)

    def __add__(self, other):
        return self._add(other, "add")

    __radd__ = __add__

    def __sub__(self, other):
        return self._add(other, "subtract", negate_other=True)

    def __rsub__(self, other):
        return self._add(other, "subtract", negate_self=True)

    def __neg__(self):
        if self.kind == SHAMIR:
            return self._new(field.neg(self.share))
        return self._new(self.ring.neg(self.share))

    def __pos__(self):
        return self

    # -- products ------------------------------------------------------------------------------
    def __mul__(self, other):
        context = self.context
        if isinstance(other, SharedArray):
            self._check_secret(other, "multiply")
            shape = self._broadcast_shape(other.shape, "multiply")
            xs, ys = self._spread(shape), other._spread(shape)
            if self.kind == SHAMIR:
                return self._new(shamir_protocol.multiply(context, xs, ys))
            product = beaver.multiply(context, xs, ys)
            return self._after_product(product, self.fractional_bits, other.fractional_bits)
        array = self._public(other, "multiply")
        shape = self._broadcast_shape(array.shape, "multiply", public=True)
        mine = self._spread(shape)
        if self.kind == SHAMIR:
            return self._new(field.mul(mine, self._encode_public(array, 0, shape)))
        if array.dtype.kind == "f":
            x = self._to_real("multiply")
            bits = context.fractional_bits
            product = self.ring.mul(x._spread(shape), x._encode_public(array, bits, shape))
            return x._after_product(product, x.fractional_bits, bits)
        if self.is_fixed_point:
            _check_public_range(array, self._params(self.fractional_bits), "multiply")
        return self._new(self.ring.mul(mine, self._encode_public(array, 0, shape)))

    __rmul__ = __mul__

    def _after_product(self, product: np.ndarray, bits_x: int, bits_y: int) -> "SharedArray":
        """Keep the larger of the two scales: truncate by the smaller when both are fixed point."""
        if bits_x and bits_y:
            drop = min(bits_x, bits_y)
            return self._new(beaver.truncate(self.context, product, drop), bits_x + bits_y - drop)
        return self._new(product, bits_x + bits_y)

    def __truediv__(self, other):
        """Division by public numbers (secret divisors: the nonlinear functions' reciprocal).

        With 2^s <= min |c| < 2^(s+1) and M = round(2^(2f+s) / c) = M1 2^f + M0 (M0 < 2^f), x / c is
        trunc(x M1, f + s) + trunc(x M0, 2f + s): both products stay below 2^(2f) |x| 2^f, so the range
        is that of a product, and |error| <= |x / c| 2^-2f + 2 truncation errors (protocols/ss-additive.md).
        """
        if isinstance(other, SharedArray):   # secret divisor: Newton on a normalised reciprocal
            from mpc.ss import nonlinear
            return nonlinear.divide(self, other)
        array = self._public(other, "divide")
        if self.kind == SHAMIR:
            raise TypeError("Shamir-shared arrays hold integers; divide additive reals instead")
        array = array.astype(np.float64)
        if not np.all(np.isfinite(array)) or np.any(array == 0):
            raise ValueError("division by zero or by a non-finite public value")
        x = self._to_real("divide")
        frac = x.fractional_bits
        params = x._params(frac)
        _check_public_range(array, params, "divide")
        smallest = float(np.min(np.abs(array))) if array.size else 1.0
        s = int(math.floor(math.log2(smallest)))
        if s < -frac:
            return x * (1.0 / array)
        shape = x._broadcast_shape(array.shape, "divide", public=True)
        multiplier = np.rint(np.ldexp(1.0, 2 * frac + s) / array).astype(np.int64)   # |M| <= 2^2f
        high, low = multiplier >> frac, multiplier & ((1 << frac) - 1)               # floor split: M1 2^f + M0
        mine = x._spread(shape)
        spread = [contiguous(np.broadcast_to(x.ring.from_int(part), shape)) for part in (high, low)]
        first, second = beaver.truncate_many(x.context, [(x.ring.mul(mine, spread[0]), frac + s),
                                                         (x.ring.mul(mine, spread[1]), 2 * frac + s)])
        return x._new(x.ring.add(first, second), frac)

    def __floordiv__(self, other):
        """numpy's // by a public nonzero value, exact (mpc.ss.division; protocols/ss-additive.md)."""
        if isinstance(other, SharedArray):
            raise TypeError("floor division by a secret is not supported; divide by a public value")
        from mpc.ss import division
        return division.floor_divide(self, other)

    def __matmul__(self, other):
        if isinstance(other, SharedArray):
            self._check_secret(other, "multiply (@)")
            x, y = _as_matrices(self, other)
            if self.kind == SHAMIR:
                result = shamir_protocol.matmul(self.context, x, y)
                return self._new(_restore(result, self.shape, other.shape))
            product = beaver.matmul(self.context, x, y)
            out = self._after_product(product, self.fractional_bits, other.fractional_bits)
            return out._new(_restore(out.share, self.shape, other.shape))
        return self._public_matmul(other, right=True)

    def __rmatmul__(self, other):
        return self._public_matmul(other, right=False)

    def _public_matmul(self, other, right: bool) -> "SharedArray":
        array = self._public(other, "multiply (@)")
        left_shape, right_shape = (self.shape, array.shape) if right else (array.shape, self.shape)
        if not _matmul_compatible(left_shape, right_shape):
            raise ShapeError(f"cannot multiply (@) shapes {left_shape} and {right_shape}")
        if self.kind == SHAMIR:
            public = shamir.encode_integers(array)
            x, y = (self.share, public) if right else (public, self.share)
            xm, ym = _matrix_view(x, y)
            return self._new(_restore(field.matmul(xm, ym), left_shape, right_shape))
        floating = array.dtype.kind == "f"
        me = self._to_real("multiply (@)") if floating else self
        bits = self.context.fractional_bits if floating else 0
        if not floating and me.is_fixed_point:
            _check_public_range(array, me._params(me.fractional_bits), "multiply (@)")
        public = me._encode_public(array, bits, array.shape)
        x, y = (me.share, public) if right else (public, me.share)
        xm, ym = _matrix_view(contiguous(x), contiguous(y))
        product = me.ring.matmul(xm, ym)
        out = me._after_product(product, me.fractional_bits, bits)
        return out._new(_restore(out.share, left_shape, right_shape))

    def dot(self, other) -> "SharedArray":
        """Inner product of two 1-D arrays (or numpy's dot rules for @ on 2-D)."""
        if isinstance(other, SharedArray) and self.ndim == 1 and other.ndim == 1:
            self._check_secret(other, "dot")
            if self.shape != other.shape:
                raise ShapeError(f"cannot dot shapes {self.shape} and {other.shape}")
            if self.kind == SHAMIR:
                return self._new(shamir_protocol.dot(self.context, self.share, other.share))
            return self @ other
        return self @ other

    # -- reductions ----------------------------------------------------------------------------
    def sum(self, axis=None) -> "SharedArray":
        if self.kind == SHAMIR:
            rows = np.moveaxis(self.share, axis, 0) if axis is not None else self.share.reshape(-1)
            if rows.shape[0] == 0:
                return self._new(np.zeros(rows.shape[1:], np.uint64))
            total = contiguous(rows[0])
            for row in rows[1:]:
                total = field.add(total, contiguous(row))
            return self._new(total)
        return self._new(self.ring.sum(self.share, axis=axis))

    def mean(self, axis=None) -> "SharedArray":
        """Fixed-point mean: the sum divided by the public count (integers become reals)."""
        count = self.size if axis is None else self.shape[axis]
        if count == 0:
            raise ValueError("mean of an empty array")
        return self.sum(axis=axis) / count

    # -- shape handling (local) ----------------------------------------------------------------
    def __getitem__(self, index) -> "SharedArray":
        if isinstance(index, SharedArray):
            raise TypeError("indexing by a secret is not supported (it would need oblivious selection)")
        return self._new(contiguous(self.share[index]))

    def reshape(self, *shape) -> "SharedArray":
        try:
            return self._new(self.share.reshape(*shape))
        except ValueError:
            raise ShapeError(f"cannot reshape shape {self.shape} into {shape[0] if len(shape) == 1 else shape}") from None

    def ravel(self) -> "SharedArray":
        return self.reshape(-1)

    flatten = ravel

    def transpose(self, *axes) -> "SharedArray":
        return self._new(contiguous(self.share.transpose(*axes)))

    @property
    def T(self) -> "SharedArray":
        return self.transpose()

    # -- comparisons (garbled circuits, two parties) --------------------------------------------
    def __lt__(self, other):
        from mpc.ss import compare
        return compare.less_than(self, other)

    def __gt__(self, other):
        from mpc.ss import compare
        return compare.less_than(other, self) if isinstance(other, SharedArray) else compare.greater_than(self, other)

    def __eq__(self, other):
        from mpc.ss import compare
        return compare.equal(self, other)

    def maximum(self, other) -> "SharedArray":
        from mpc.ss import compare
        return compare.maximum(self, other)

    def max(self) -> "SharedArray":
        from mpc.ss import compare
        return compare.max_all(self)

    def __abs__(self) -> "SharedArray":
        from mpc.ss import nonlinear      # exact, one batched comparison (protocols/ss-functions.md)
        return nonlinear.absolute(self)

    def reveal(self, to=None):
        from mpc.ss import api
        return api.reveal(self, to=to)


def _as_integers(array: np.ndarray) -> np.ndarray:
    if array.dtype.kind == "f":
        raise TypeError("an integer operand was expected")
    return array


def _check_public_range(array: np.ndarray, params, op: str) -> None:
    """A public operand of a real must itself lie in the range of reals."""
    if array.size and not np.all(np.abs(array.astype(np.float64)) < 2.0 ** params.range_bits):
        raise RangeError(f"cannot {op} a real by a public value of magnitude >= 2^{params.range_bits}, the "
                         f"bound of reals with {params.frac} fractional bits in Z_2^{params.ring_bits}")


def _matmul_compatible(left: tuple, right: tuple) -> bool:
    if not left or not right or len(left) > 2 or len(right) > 2:
        return False
    return left[-1] == (right[0] if len(right) == 1 else right[-2])


def _matrix_view(x: np.ndarray, y: np.ndarray):
    return (x.reshape(1, -1) if x.ndim == 1 else x), (y.reshape(-1, 1) if y.ndim == 1 else y)


def _as_matrices(a: SharedArray, b: SharedArray):
    if not _matmul_compatible(a.shape, b.shape):
        raise ShapeError(f"cannot multiply (@) shapes {a.shape} and {b.shape}")
    return _matrix_view(contiguous(a.share), contiguous(b.share))


def _restore(result: np.ndarray, left: tuple, right: tuple) -> np.ndarray:
    """numpy's @ shape rules for 1-D operands."""
    if len(left) == 1 and len(right) == 1:
        return result.reshape(())
    if len(left) == 1:
        return result.reshape(result.shape[-1])
    if len(right) == 1:
        return result.reshape(result.shape[0])
    return result


__all__ = ["ADDITIVE", "SHAMIR", "SharedArray"]
