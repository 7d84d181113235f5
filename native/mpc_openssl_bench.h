/* mpc C core: a reference measurement of OpenSSL's own RSA private-key operation, for `mpc bench psi`
 * (spec: protocols/psi-rsa.md, "Measured").  Not part of any protocol. */
#ifndef MPC_OPENSSL_BENCH_H
#define MPC_OPENSSL_BENCH_H
#include <stddef.h>
#include <stdint.h>

/* Generates a fresh RSA key of `bits` (e = 65537, OpenSSL's key generation, OS-seeded), then runs
 * `ops_per_thread` RSA private-key operations (EVP_PKEY_sign, PKCS#1 v1.5 over a random SHA-256
 * digest: OpenSSL's CRT exponentiation with blinding and its fault check) in each of `threads`
 * POSIX threads at once, each with its own EVP_PKEY_CTX.  Writes the wall-clock nanoseconds from the
 * common start to the last thread's end (key generation and context set-up excluded) and the
 * process CPU nanoseconds of the same interval; the last signature of every thread is verified. */
int mpc_openssl_bench_rsa_private(unsigned bits, size_t ops_per_thread, unsigned threads,
                                  uint64_t *wall_ns, uint64_t *cpu_ns);

#endif
