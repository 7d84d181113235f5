/* OPRF kernels: RFC 9497 OPRF mode (0x00), suite P256-SHA256 (spec: protocols/pir.md, "OPRF (RFC 9497, P-256)").
 *
 * HashToGroup is RFC 9380 P256_XMD:SHA-256_SSWU_RO_ with DST "HashToGroup-OPRFV1-\x00-P256-SHA256";
 * elements travel as 33-byte SEC1 compressed points, scalars as 32-byte big-endian integers in
 * [1, order).  Inputs are one byte buffer `ids` plus `count + 1` absolute offsets (input i is
 * ids[offsets[i] .. offsets[i+1]), at most 65535 bytes).  Outputs are 32 bytes:
 * SHA-256(I2OSP(len(input), 2) || input || I2OSP(33, 2) || element || "Finalize").  Every call
 * splits its batch over `threads` POSIX threads (0 means 1); cffi releases the GIL. */
#ifndef MPC_OPRF_H
#define MPC_OPRF_H
#include <stddef.h>
#include <stdint.h>

/* Client: blinded[i] = r_i * HashToGroup(input_i).  With `blinds_in` the r_i are taken from it
 * (known-answer tests); otherwise fresh from OpenSSL's CSPRNG, written to `blinds_out`. */
int mpc_oprf_p256_blind(const uint8_t *ids, const uint64_t *offsets, size_t count,
                        const uint8_t *blinds_in, uint8_t *blinds_out, uint8_t *blinded, unsigned threads);

/* Server: evaluated[i] = key * blinded[i]; MPC_ERR_INPUT when a blinded value is not a point of
 * the group (bad encoding, off the curve, or the identity). */
int mpc_oprf_p256_evaluate(const uint8_t *key, const uint8_t *blinded, size_t count,
                           uint8_t *evaluated, unsigned threads);

/* Client: outputs[i] = Finalize(input_i, r_i^-1 * evaluated[i]); MPC_ERR_INPUT for a bad element. */
int mpc_oprf_p256_finalize(const uint8_t *ids, const uint64_t *offsets, size_t count,
                           const uint8_t *blinds, const uint8_t *evaluated, uint8_t *outputs, unsigned threads);

/* Server: outputs[i] = Finalize(input_i, key * HashToGroup(input_i)), the same value unblinded. */
int mpc_oprf_p256_evaluate_own(const uint8_t *key, const uint8_t *ids, const uint64_t *offsets, size_t count,
                               uint8_t *outputs, unsigned threads);

#endif
