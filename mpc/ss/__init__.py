"""Secret sharing and joint computation: additive shares over Z_2^64 (Beaver multiplication with
OT-generated triples) for n >= 2 parties and Shamir shares over Z_p (p = 2^61 - 1) for an honest
majority of n >= 3.  Users see `SharedArray` via `input(session, value, owner)` (also
`Session.input`), `reveal`, and the named functions of `mpc.ss.compute`; examples in
mpc/ss/README.md.  Specs: protocols/ss-additive.md, protocols/ss-shamir.md.
"""
from mpc.ss.api import configure, context, input, prepare_triples, reveal
from mpc.ss.array import SharedArray
from mpc.ss.compute import dot, matmul, millionaires, secure_mean, secure_sum, secure_variance

__all__ = ["SharedArray", "configure", "context", "dot", "input", "matmul", "millionaires",
           "prepare_triples", "reveal", "secure_mean", "secure_sum", "secure_variance"]
