"""Paillier encryption for the he protocol: keys and decryption from `phe` (gmpy2 underneath),
vectorised encryption and linear algebra on raw ciphertexts with gmpy2.

For mpc.ml.he_train (spec: protocols/lr-vertical.md, "Protocol he").  Enc(m) = (1 + m N) s mod N^2
with the randomiser s = (h^N)^alpha, h fixed per key and alpha a fresh 2*SECURITY-bit exponent from
the session PRG (the short-randomness variant of Damgard-Jurik-Nielsen 2010, section 4.2, as
SecretFlow's HEU uses); h^N's powers sit in a fixed-base table, so one encryption is ~64 products
mod N^2.  Plaintexts are signed integers in (-N/2, N/2).  Ciphertexts travel as fixed-width
little-endian integers; received ones are checked to lie in [1, N^2).
"""
from __future__ import annotations

import gmpy2
import numpy as np

from mpc.errors import ProtocolError
from mpc.ss.randomness import random_bytes

SECURITY = 128
ALPHA_BITS = 2 * SECURITY
WINDOW = 4
DEFAULT_KEY_BITS = 2048
TEST_KEY_BITS = 512   # INSECURE, for quick tests only


def generate_keypair(bits: int = DEFAULT_KEY_BITS):
    from phe import paillier
    return paillier.generate_paillier_keypair(n_length=int(bits))


class PublicKey:
    """A Paillier public key N with the fixed-base randomiser table (someone's key, maybe mine)."""

    def __init__(self, n: int, prg):
        self.n = gmpy2.mpz(n)
        self.n2 = self.n * self.n
        self.half = self.n // 2
        self.bytes = (int(self.n2).bit_length() + 7) // 8
        self.prg = prg
        seed = gmpy2.mpz(int.from_bytes(random_bytes(prg, self.bytes), "little")) % self.n
        base = gmpy2.powmod(seed, self.n, self.n2)
        self.table = []
        for _ in range(ALPHA_BITS // WINDOW):
            row = [gmpy2.mpz(1)]
            for _j in range((1 << WINDOW) - 1):
                row.append(row[-1] * base % self.n2)
            self.table.append(row)
            base = row[-1] * base % self.n2

    def randomiser(self) -> "gmpy2.mpz":
        alpha = int.from_bytes(random_bytes(self.prg, ALPHA_BITS // 8), "little")
        s = gmpy2.mpz(1)
        mask = (1 << WINDOW) - 1
        for row in self.table:
            s = s * row[alpha & mask] % self.n2
            alpha >>= WINDOW
        return s

    def encrypt(self, values) -> list:
        out = []
        for m in values:
            m = gmpy2.mpz(int(m)) % self.n
            out.append((1 + m * self.n) % self.n2 * self.randomiser() % self.n2)
        return out

    def add_plain(self, c, m) -> "gmpy2.mpz":
        return c * ((1 + (gmpy2.mpz(int(m)) % self.n) * self.n) % self.n2) % self.n2

    def matvec(self, ciphertexts: list, matrix: np.ndarray, offset_bits: int) -> list:
        """Enc(M @ v) per row of the int64 matrix M (rows, k) for Enc(v) (k ciphertexts); entries of
        M must lie in [-2^offset_bits, 2^offset_bits): exponents are shifted to be non-negative
        and the shift is divided out once."""
        shift = 1 << offset_bits
        total = gmpy2.mpz(1)
        for c in ciphertexts:
            total = total * c % self.n2
        correction = gmpy2.invert(gmpy2.powmod(total, shift, self.n2), self.n2)
        exponents = (np.asarray(matrix, np.int64) + shift).tolist()
        out = []
        for row in exponents:
            acc = correction
            for c, e in zip(ciphertexts, row):
                if e:
                    acc = acc * gmpy2.powmod(c, e, self.n2) % self.n2
            out.append(acc)
        return out

    def pack(self, ciphertexts: list) -> bytes:
        return b"".join(int(c).to_bytes(self.bytes, "little") for c in ciphertexts)

    def unpack(self, data, count: int, peer=None) -> list:
        data = bytes(data)
        if len(data) != count * self.bytes:
            raise ProtocolError(f"expected {count} ciphertexts of {self.bytes} bytes, got {len(data)} bytes", peer)
        out = []
        for i in range(count):
            c = gmpy2.mpz(int.from_bytes(data[i * self.bytes:(i + 1) * self.bytes], "little"))
            if not 0 < c < self.n2:
                raise ProtocolError("a ciphertext is outside [1, N^2)", peer)
            out.append(c)
        return out

    def signed(self, m) -> int:
        m = gmpy2.mpz(m) % self.n
        return int(m - self.n if m > self.half else m)


def decrypt(private_key, ciphertexts: list, public: PublicKey) -> list:
    """Signed plaintexts of my own ciphertexts (phe's CRT decryption)."""
    return [public.signed(private_key.raw_decrypt(int(c))) for c in ciphertexts]
