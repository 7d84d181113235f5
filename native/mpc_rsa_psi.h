/* RSA blind-signature PSI batch kernels (spec: protocols/psi-rsa.md).
 *
 * All big numbers are big-endian, fixed width: `modulus_bytes` (k) for values mod n, k/2 for the
 * CRT parts.  Identifiers are one byte buffer `ids` plus `count + 1` absolute offsets: identifier i
 * is ids[offsets[i] .. offsets[i+1]).  `domain` separates hashes of different runs (session id and
 * the run's nonce).  A private key is n || p || q || dp || dq || qinv (k + 5 * k/2 bytes).
 * Every call splits its batch over `threads` POSIX threads (0 means 1); cffi releases the GIL. */
#ifndef MPC_RSA_PSI_H
#define MPC_RSA_PSI_H
#include <stddef.h>
#include <stdint.h>

/* A fresh RSA key of `bits` bits (e = 65537) from OpenSSL's key generation, written as the
 * private-key layout above into `private_key` (exactly k + 5 * k/2 bytes). */
int mpc_rsa_psi_keygen(unsigned bits, uint8_t *private_key, size_t private_key_bytes);

/* Full-domain hash of each identifier into Z_n: MGF1-SHA256 to k + 16 bytes, reduced mod n. */
int mpc_rsa_psi_hash_to_group(const uint8_t *ids, const uint64_t *offsets, size_t count,
                              const uint8_t *domain, size_t domain_len,
                              const uint8_t *modulus, size_t modulus_bytes,
                              uint8_t *out, unsigned threads);

/* Client: blinded[i] = H(x_i) * r_i^e mod n with r_i uniform in Z_n* (OS CSPRNG); factors[i] = r_i. */
int mpc_rsa_psi_blind(const uint8_t *ids, const uint64_t *offsets, size_t count,
                      const uint8_t *domain, size_t domain_len,
                      const uint8_t *modulus, size_t modulus_bytes, uint64_t e,
                      uint8_t *blinded, uint8_t *factors, unsigned threads);

/* Server: signatures[i] = messages[i]^d mod n by CRT with constant-time exponentiation; each
 * message must lie in Z_n* (MPC_ERR_INPUT otherwise); each result is checked with s^e == m. */
int mpc_rsa_psi_sign(const uint8_t *private_key, size_t modulus_bytes, uint64_t e,
                     const uint8_t *messages, size_t count, uint8_t *signatures, unsigned threads);

/* Client: checks each signature (1 <= s < n and s^e == blinded), unblinds with one modular
 * inversion per thread's share of the batch, writes the final hash (hash_bytes <= 32) of each. */
int mpc_rsa_psi_unblind(const uint8_t *modulus, size_t modulus_bytes, uint64_t e,
                        const uint8_t *blinded, const uint8_t *signatures, const uint8_t *factors,
                        size_t count, const uint8_t *domain, size_t domain_len,
                        uint8_t *hashes, size_t hash_bytes, unsigned threads);

/* Server: final hash of the signature of the full-domain hash of each own identifier. */
int mpc_rsa_psi_hash_own(const uint8_t *private_key, size_t modulus_bytes, uint64_t e,
                         const uint8_t *ids, const uint64_t *offsets, size_t count,
                         const uint8_t *domain, size_t domain_len,
                         uint8_t *hashes, size_t hash_bytes, unsigned threads);

#endif
