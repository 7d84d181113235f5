"""Secret sharing and joint computation: additive shares (Beaver multiplication with OT-generated
triples) for n >= 2 parties, reals in fixed point over Z_2^128 and integers over Z_2^64 (exact
modulo 2^64, like numpy int64), and Shamir shares over Z_p (p = 2^61 - 1, integers modulo p) for an
honest majority of n >= 3.  Users see `SharedArray` via `input(session, value, owner)` (also
`Session.input`), `reveal`, the named functions of `mpc.ss.compute`, and the nonlinear functions of
`mpc.ss.nonlinear` (protocols/ss-functions.md); examples in
mpc/ss/README.md.  Specs: protocols/ss-additive.md, protocols/ss-shamir.md.
"""
from mpc.ss.api import configure, context, input, prepare_triples, reveal
from mpc.ss.array import SharedArray
from mpc.ss.ring import RING64, RING128
from mpc.ss.shapes import concatenate, stack
from mpc.ss.compute import dot, matmul, millionaires, secure_mean, secure_sum, secure_variance
from mpc.ss import nonlinear
from mpc.ss.nonlinear import divide, exp, log, reciprocal, relu, rsqrt, sigmoid, sqrt

__all__ = ["RING64", "RING128", "SharedArray", "concatenate", "configure", "stack", "context", "dot", "input", "matmul", "millionaires",
           "prepare_triples", "reveal", "secure_mean", "secure_sum", "secure_variance",
           "nonlinear", "divide", "exp", "log", "reciprocal", "relu", "rsqrt", "sigmoid", "sqrt"]
