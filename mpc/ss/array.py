"""`SharedArray`: one party's handle on a secret-shared numpy array, with numpy-like operators.

For users, through `mpc.ss.api.input(session, value, owner)` (and `Session.input`).  A SharedArray
holds this party's share plus what every party knows publicly: the session it belongs to, the
sharing kind ("additive" over Z_2^64 or "shamir" over Z_p), the shape and the fixed-point scale
(0 fractional bits for integers).  Operators dispatch to the protocols: local ones (+, -, x public,
sum) cost nothing; x and @ of two secrets are one round (Beaver or Shamir degree reduction);
comparisons go through garbled circuits (mpc.ss.compare).  Specs: protocols/ss-additive.md,
protocols/ss-shamir.md.
"""
from __future__ import annotations

import numpy as np

from mpc.errors import SessionMismatch
from mpc.native import field
from mpc.ss import additive, beaver, fixed_point, shamir, shamir_protocol

ADDITIVE = "additive"
SHAMIR = "shamir"


class SharedArray:
    """This party's share of a secret array; combine only with arrays of the same session."""

    __slots__ = ("context", "share", "kind", "fractional_bits")
    __array_ufunc__ = None     # numpy defers to our reflected operators: np.ones(3) * x works
    __hash__ = None

    def __init__(self, context, share: np.ndarray, kind: str, fractional_bits: int = 0):
        if kind not in (ADDITIVE, SHAMIR):
            raise ValueError(f"unknown sharing kind {kind!r}")
        if kind == SHAMIR and fractional_bits:
            raise TypeError("Shamir-shared arrays hold integers; use additive sharing for fixed point")
        self.context = context
        self.share = np.asarray(share, dtype=np.uint64)
        self.kind = kind
        self.fractional_bits = int(fractional_bits)

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

    @property
    def is_fixed_point(self) -> bool:
        return self.fractional_bits > 0

    def describe(self) -> str:
        kind = f"fixed point ({self.fractional_bits} fractional bits)" if self.is_fixed_point else "integer"
        return f"{self.kind} {kind} array of shape {self.shape}"

    def __repr__(self) -> str:
        return f"<SharedArray party {self.context.me}: {self.describe()}>"

    def _new(self, share, fractional_bits=None) -> "SharedArray":
        bits = self.fractional_bits if fractional_bits is None else fractional_bits
        return SharedArray(self.context, share, self.kind, bits)

    # -- checks --------------------------------------------------------------------------------
    def _check_secret(self, other: "SharedArray", op: str, same_shape: bool = True) -> None:
        if not self.context.same_session(other.context):
            raise SessionMismatch(f"cannot {op} values from different sessions "
                                  f"({self.context.session_id.hex()} and {other.context.session_id.hex()})")
        if self.kind != other.kind:
            raise SessionMismatch(f"cannot {op} a {self.describe()} and a {other.describe()}")
        if same_shape and self.shape != other.shape:
            raise SessionMismatch(f"cannot {op} shapes {self.shape} and {other.shape}")

    def _public(self, value, op: str) -> np.ndarray:
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"cannot {op} a {self.describe()} and a public {array.dtype} value")
        try:
            shape = np.broadcast_shapes(self.shape, array.shape)
        except ValueError:
            raise SessionMismatch(f"cannot {op} shapes {self.shape} (secret) and {array.shape} (public)") from None
        if shape != self.shape:
            raise SessionMismatch(f"cannot {op} shapes {self.shape} (secret) and {array.shape} (public): "
                                  f"the public value would change the secret's shape")
        if self.kind == SHAMIR and array.dtype.kind == "f":
            raise TypeError("Shamir-shared arrays hold integers; a public float cannot join them")
        return array

    # -- scale ---------------------------------------------------------------------------------
    def _rescaled(self, bits: int) -> "SharedArray":
        """The same value with `bits` >= current fractional bits (a local shift of every share)."""
        if bits == self.fractional_bits:
            return self
        return self._new(self.share << np.uint64(bits - self.fractional_bits), bits)

    def _align(self, other: "SharedArray"):
        bits = max(self.fractional_bits, other.fractional_bits)
        return self._rescaled(bits), other._rescaled(bits)

    def _encode_public(self, array: np.ndarray, bits: int) -> np.ndarray:
        if self.kind == SHAMIR:
            return np.broadcast_to(shamir.encode_integers(array), self.shape)
        if bits:
            return np.broadcast_to(fixed_point.encode(array, bits), self.shape)
        return np.broadcast_to(additive.to_ring(array), self.shape)

    # -- linear operations (local) --------------------------------------------------------------
    def _add(self, other, op: str, negate_other: bool = False, negate_self: bool = False) -> "SharedArray":
        if isinstance(other, SharedArray):
            self._check_secret(other, op)
            x, y = self._align(other)
            xs, ys = x.share, y.share
            if self.kind == SHAMIR:
                if negate_self:
                    xs = field.neg(xs)
                return x._new(field.sub(xs, ys) if negate_other else field.add(xs, ys))
            result = (np.negative(xs) if negate_self else xs) + (np.negative(ys) if negate_other else ys)
            return x._new(result)
        array = self._public(other, op)
        x = self._rescaled(self.context.fractional_bits) if array.dtype.kind == "f" and not self.is_fixed_point else self
        public = x._encode_public(array, x.fractional_bits)
        if self.kind == SHAMIR:
            mine = field.neg(x.share) if negate_self else x.share
            # Every party adds the public constant: a degree-0 term keeps the sharing valid.
            return x._new(field.sub(mine, public) if negate_other else field.add(mine, public))
        mine = np.negative(x.share) if negate_self else x.share.copy()
        if x.context.me == 0:
            mine = mine - public if negate_other else mine + public
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
        return self._new(np.negative(self.share))

    def __pos__(self):
        return self

    # -- products ------------------------------------------------------------------------------
    def __mul__(self, other):
        context = self.context
        if isinstance(other, SharedArray):
            self._check_secret(other, "multiply")
            if self.kind == SHAMIR:
                return self._new(shamir_protocol.multiply(context, self.share, other.share))
            product = beaver.multiply(context, self.share, other.share)
            return self._after_product(product, self.fractional_bits, other.fractional_bits)
        array = self._public(other, "multiply")
        if self.kind == SHAMIR:
            return self._new(field.mul(self.share, np.ascontiguousarray(self._encode_public(array, 0))))
        if array.dtype.kind == "f":
            bits = context.fractional_bits
            product = self.share * np.broadcast_to(fixed_point.encode(array, bits), self.shape)
            return self._after_product(product, self.fractional_bits, bits)
        return self._new(self.share * np.broadcast_to(additive.to_ring(array), self.shape))

    __rmul__ = __mul__

    def _after_product(self, product: np.ndarray, bits_x: int, bits_y: int) -> "SharedArray":
        """Keep the larger of the two scales: truncate by the smaller when both are fixed point."""
        if bits_x and bits_y:
            drop = min(bits_x, bits_y)
            return self._new(beaver.truncate(self.context, product, drop), bits_x + bits_y - drop)
        return self._new(product, bits_x + bits_y)

    def __matmul__(self, other):
        if isinstance(other, SharedArray):
            self._check_secret(other, "multiply (@)", same_shape=False)
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
        array = np.asarray(other)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"cannot multiply (@) a {self.describe()} and a public {array.dtype} value")
        left_shape, right_shape = (self.shape, array.shape) if right else (array.shape, self.shape)
        if not _matmul_compatible(left_shape, right_shape):
            raise SessionMismatch(f"cannot multiply (@) shapes {left_shape} and {right_shape}")
        floating = array.dtype.kind == "f"
        if self.kind == SHAMIR:
            if floating:
                raise TypeError("Shamir-shared arrays hold integers; a public float cannot join them")
            public = shamir.encode_integers(array)
            x, y = (self.share, public) if right else (public, self.share)
            xm, ym = _matrix_view(x, y)
            return self._new(_restore(field.matmul(xm, ym), left_shape, right_shape))
        bits = self.context.fractional_bits if floating else 0
        public = fixed_point.encode(array, bits) if floating else additive.to_ring(array)
        x, y = (self.share, public) if right else (public, self.share)
        product = additive.matmul_ring(*_matrix_view(x, y))
        out = self._after_product(product, self.fractional_bits, bits)
        return out._new(_restore(out.share, left_shape, right_shape))

    def dot(self, other) -> "SharedArray":
        """Inner product of two 1-D arrays (or numpy's dot rules for @ on 2-D)."""
        if isinstance(other, SharedArray) and self.ndim == 1 and other.ndim == 1:
            self._check_secret(other, "dot")
            if self.kind == SHAMIR:
                return self._new(shamir_protocol.dot(self.context, self.share, other.share))
            return (self * other).sum()
        return self @ other

    # -- reductions ----------------------------------------------------------------------------
    def sum(self, axis=None) -> "SharedArray":
        if self.kind == SHAMIR:
            rows = np.moveaxis(self.share, axis, 0) if axis is not None else self.share.reshape(-1)
            if rows.shape[0] == 0:
                return self._new(np.zeros(rows.shape[1:], np.uint64))
            total = rows[0].copy()
            for row in rows[1:]:
                total = field.add(total, row)
            return self._new(total)
        return self._new(np.sum(self.share, axis=axis, dtype=np.uint64))

    def mean(self, axis=None) -> "SharedArray":
        """Fixed-point mean (integers are promoted to fixed point first)."""
        if self.kind == SHAMIR:
            raise TypeError("mean needs fixed point; share the data additively to average it")
        count = self.size if axis is None else self.shape[axis]
        if count == 0:
            raise ValueError("mean of an empty array")
        return self.sum(axis=axis) * (1.0 / count)

    # -- shape handling (local) ----------------------------------------------------------------
    def __getitem__(self, index) -> "SharedArray":
        return self._new(self.share[index])

    def reshape(self, *shape) -> "SharedArray":
        return self._new(self.share.reshape(*shape))

    @property
    def T(self) -> "SharedArray":
        return self._new(self.share.T)

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

    def reveal(self, to=None):
        from mpc.ss import api
        return api.reveal(self, to=to)


def _matmul_compatible(left: tuple, right: tuple) -> bool:
    if not left or not right or len(left) > 2 or len(right) > 2:
        return False
    return left[-1] == (right[0] if len(right) == 1 else right[-2])


def _matrix_view(x: np.ndarray, y: np.ndarray):
    return (x.reshape(1, -1) if x.ndim == 1 else x), (y.reshape(-1, 1) if y.ndim == 1 else y)


def _as_matrices(a: SharedArray, b: SharedArray):
    if not _matmul_compatible(a.shape, b.shape):
        raise SessionMismatch(f"cannot multiply (@) shapes {a.shape} and {b.shape}")
    return _matrix_view(np.ascontiguousarray(a.share), np.ascontiguousarray(b.share))


def _restore(result: np.ndarray, left: tuple, right: tuple) -> np.ndarray:
    """numpy's @ shape rules for 1-D operands."""
    if len(left) == 1 and len(right) == 1:
        return result.reshape(())
    if len(left) == 1:
        return result.reshape(result.shape[-1])
    if len(right) == 1:
        return result.reshape(result.shape[0])
    return result
