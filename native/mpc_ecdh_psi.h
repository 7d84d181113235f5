/* ECDH-PSI batch kernels on ristretto255 from libsodium (spec: protocols/psi-ecdh.md).
 *
 * A point is its 32-byte canonical ristretto255 encoding, a scalar 32 bytes little-endian mod the
 * group order l.  Identifiers are one byte buffer `ids` plus `count + 1` absolute offsets
 * (identifier i is ids[offsets[i] .. offsets[i+1])).  `domain` separates the hashes of different
 * runs.  Every call splits its batch over `threads` POSIX threads (0 means 1); cffi releases the
 * GIL.  Scalar multiplication is libsodium's constant-time crypto_scalarmult_ristretto255. */
#ifndef MPC_ECDH_PSI_H
#define MPC_ECDH_PSI_H
#include <stddef.h>
#include <stdint.h>

enum mpc_ecdh_psi_sizes {
    MPC_ECDH_PSI_POINT_BYTES = 32,
    MPC_ECDH_PSI_SCALAR_BYTES = 32,
    MPC_ECDH_PSI_SCALAR_RANDOM_BYTES = 64  /* reduced mod l: bias < 2^-260 */
};

/* scalar = random64 mod l (little-endian); MPC_ERR_INPUT if that is 0. */
int mpc_ecdh_psi_scalar(const uint8_t *random64, uint8_t *scalar32);

/* points[i] = H(x_i): ristretto255 from_hash(SHA-512(u32be(|domain|) || domain || 0x01 || x_i)). */
int mpc_ecdh_psi_hash_to_group(const uint8_t *ids, const uint64_t *offsets, size_t count,
                               const uint8_t *domain, size_t domain_len, uint8_t *points,
                               unsigned threads);

/* points[i] = scalar * H(x_i) (hash and multiply in one pass). */
int mpc_ecdh_psi_hash_mul(const uint8_t *ids, const uint64_t *offsets, size_t count,
                          const uint8_t *domain, size_t domain_len, const uint8_t *scalar32,
                          uint8_t *points, unsigned threads);

/* out[i] = scalar * in[i]; MPC_ERR_INPUT if an input is not a canonical encoding of a point
 * other than the identity (then `out` is unspecified). */
int mpc_ecdh_psi_mul(const uint8_t *in, size_t count, const uint8_t *scalar32, uint8_t *out,
                     unsigned threads);

/* keys[i] = SHA-256(u32be(|domain|) || domain || 0x02 || scalar * in[i])[0 .. key_bytes),
 * key_bytes <= 32; MPC_ERR_INPUT as for mpc_ecdh_psi_mul. */
int mpc_ecdh_psi_mul_key(const uint8_t *in, size_t count, const uint8_t *scalar32,
                         const uint8_t *domain, size_t domain_len, uint8_t *keys, size_t key_bytes,
                         unsigned threads);

#endif
