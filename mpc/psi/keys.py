"""A fresh RSA key for one PSI run (server side; spec: protocols/psi-rsa.md, "Parameters").

Generated through the `cryptography` package (OpenSSL's RSA key generation, OS-seeded), e = 65537,
2048 bits by default and 3072 on request.  The private key lives only in this object and in the
C kernel's arguments for the duration of a call; it is never written anywhere.
"""
from __future__ import annotations

from dataclasses import dataclass

from mpc.native import rsa_psi as kernels

ALLOWED_BITS = (2048, 3072)
TEST_BITS = (1024,)  # only through `generate(..., allow_small=True)`, for kernel tests
PUBLIC_EXPONENT = 65537


@dataclass(frozen=True)
class RsaPsiPublicKey:
    n: int
    e: int
    modulus_bytes: int

    @property
    def modulus(self) -> bytes:
        return self.n.to_bytes(self.modulus_bytes, "big")


class RsaPsiKey:
    """An RSA private key in the layout the signing kernels take."""

    def __init__(self, n: int, e: int, p: int, q: int, dp: int, dq: int, qinv: int, bits: int):
        self.bits = bits
        self.public = RsaPsiPublicKey(n, e, bits // 8)
        self._blob = kernels.private_key_blob(n, p, q, dp, dq, qinv, bits // 8)

    @classmethod
    def generate(cls, bits: int = 2048, *, allow_small: bool = False) -> "RsaPsiKey":
        if bits not in ALLOWED_BITS and not (allow_small and bits in TEST_BITS):
            raise ValueError(f"RSA-PSI keys are {' or '.join(map(str, ALLOWED_BITS))} bits, not {bits}")
        from cryptography.hazmat.primitives.asymmetric import rsa
        numbers = rsa.generate_private_key(PUBLIC_EXPONENT, bits).private_numbers()
        n = numbers.public_numbers.n
        if n.bit_length() != bits:  # cryptography guarantees this; the kernels rely on it
            raise ValueError("generated modulus has the wrong length")
        return cls(n, PUBLIC_EXPONENT, numbers.p, numbers.q, numbers.dmp1, numbers.dmq1, numbers.iqmp, bits)

    @property
    def blob(self) -> bytes:
        return self._blob

    def sign(self, messages, *, threads: int | None = None, peer=None):
        return kernels.sign(self._blob, self.public.e, messages, threads=threads, peer=peer)

    def hash_own(self, ids, start: int, stop: int, domain: bytes, *, threads: int | None = None):
        return kernels.hash_own(self._blob, self.public.e, ids.data, ids.batch(start, stop), domain,
                                threads=threads)
