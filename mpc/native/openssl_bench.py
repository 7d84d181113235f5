"""OpenSSL's own RSA private-key rate (native/openssl_bench.c), the reference for `mpc bench psi`.

Not a protocol kernel: it generates its own RSA key inside OpenSSL, signs in `threads` POSIX threads
without the GIL and returns the timing (spec: protocols/psi-rsa.md, "Measured").
"""
from __future__ import annotations

from mpc.native import check, ffi, lib


def rsa_private_rate(bits: int = 2048, ops_per_thread: int = 2000, threads: int = 1) -> dict:
    """{"ops", "threads", "seconds", "cpu_seconds", "ops_per_s"} of `threads` x `ops_per_thread`
    RSA private-key operations (PKCS#1 v1.5 signatures) under a fresh `bits`-bit key."""
    if ops_per_thread < 1 or threads < 1:
        raise ValueError("ops_per_thread and threads must be positive")
    wall = ffi.new("uint64_t *")
    cpu = ffi.new("uint64_t *")
    check(lib.mpc_openssl_bench_rsa_private(bits, ops_per_thread, threads, wall, cpu),
          "OpenSSL RSA private-key benchmark")
    ops = ops_per_thread * threads
    seconds = wall[0] / 1e9
    return {"ops": ops, "threads": threads, "seconds": seconds, "cpu_seconds": cpu[0] / 1e9,
            "ops_per_s": ops / seconds if seconds > 0 else float("inf")}
