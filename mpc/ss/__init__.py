"""Secret sharing and joint computation: additive shares over Z_2^64 (Beaver multiplication with
OT-generated triples) for n >= 2 parties and Shamir shares over Z_p (p = 2^61 - 1) for an honest
majority of n >= 3.  Users see `SharedArray` via `mpc.ss.api.input(session, value, owner)` and the
named functions of `mpc.ss.compute`.  Specs: protocols/ss-additive.md, protocols/ss-shamir.md.
"""
