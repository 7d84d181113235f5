"""ECDH-PSI (Diffie–Hellman PSI on ristretto255): `EcdhPsiServer`, `EcdhPsiClient`.

Spec: protocols/psi-ecdh.md.  Used through `mpc.psi.server/client(..., protocol="ecdh")` and
`mpc psi --protocol ecdh`; the CSV, identifier and output handling is the shared code of mpc.psi.
"""
from mpc.psi.ecdh.client import EcdhPsiClient
from mpc.psi.ecdh.server import EcdhPsiServer

__all__ = ["EcdhPsiClient", "EcdhPsiServer"]
