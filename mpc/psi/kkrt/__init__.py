"""KKRT16 PSI (batched OPRF from 1-out-of-N OT extension + 3-way cuckoo hashing):
`KkrtPsiServer`, `KkrtPsiClient`.

Spec: protocols/psi-kkrt.md.  Used through `mpc.psi.server/client(..., protocol="kkrt")` and
`mpc psi --protocol kkrt`; the CSV, identifier and output handling is the shared code of mpc.psi.
"""
from mpc.psi.kkrt.client import KkrtPsiClient
from mpc.psi.kkrt.server import KkrtPsiServer

__all__ = ["KkrtPsiClient", "KkrtPsiServer"]
