/* mpc C core, area "aes": fixed-key AES-128, the AES-CTR PRG and the correlation-robust hashes of
 * Guo-Katz-Wang-Yu (IEEE S&P 2020).  Spec: protocols/primitives.md.
 *
 * A key schedule is an opaque caller-owned buffer of MPC_AES_SCHEDULE_BYTES bytes (any alignment),
 * filled by mpc_aes_schedule_init; it records which implementation (AES-NI or the constant-time
 * portable code) every later call on it uses, so there is no global state.
 * Blocks are 16 bytes in FIPS-197 byte order.  All functions return MPC_OK or a negative
 * MPC_ERR_* code (mpc_common.h); in and out may be the same buffer (not partially overlapping). */
#ifndef MPC_AES_H
#define MPC_AES_H
#include <stddef.h>
#include <stdint.h>
#include "mpc_common.h"

enum mpc_aes_constants {
    MPC_AES_SCHEDULE_BYTES = 192,
    MPC_AES_BLOCK_BYTES = 16,
    MPC_AES_KEY_BYTES = 16,
    MPC_AES_AUTO = 0,       /* AES-NI when the CPU has it, else portable */
    MPC_AES_NI = 1,         /* AES-NI; MPC_ERR_UNSUPPORTED when the CPU lacks it */
    MPC_AES_PORTABLE = 2    /* plain C, bitsliced, constant-time */
};

/* 1 when this CPU has the AES-NI instructions, else 0. */
int mpc_aes_has_ni(void);

/* Expand key16 into schedule; impl is MPC_AES_AUTO / MPC_AES_NI / MPC_AES_PORTABLE. */
int mpc_aes_schedule_init(uint8_t *schedule, const uint8_t *key16, int impl);

/* Which implementation an initialised schedule uses (MPC_AES_NI or MPC_AES_PORTABLE), or <0. */
int mpc_aes_schedule_impl(const uint8_t *schedule);

/* ECB: out[i] = AES_k(in[i]) for nblocks 16-byte blocks. */
int mpc_aes_encrypt_blocks(const uint8_t *schedule, const uint8_t *in, uint8_t *out, size_t nblocks);

/* AES-CTR keystream: the first nbytes of AES_k(C(counter)) || AES_k(C(counter+1)) || ...
 * where the counter block C(c) is 8 zero bytes followed by c as a big-endian uint64 (standard
 * AES-CTR with initial counter block 0^64 || counter).  MPC_ERR_ARGUMENT if counter + blocks
 * would pass 2^64 (the caller must never reuse a counter value under one key). */
int mpc_prg_fill(const uint8_t *schedule, uint64_t counter, uint8_t *out, size_t nbytes);

/* Hashes of Guo-Katz-Wang-Yu (IEEE S&P 2020, eprint 2019/074, section 7) over nblocks 16-byte
 * blocks, pi = AES_k under the (per-session) schedule:
 *   cr:   H(x)    = pi(x) ^ x                      correlation robust (section 7.2)
 *   ccr:  H(x)    = pi(sigma(x)) ^ sigma(x)        circular correlation robust (section 7.3)
 *   tccr: H(x, i) = pi(pi(x) ^ i) ^ pi(x)          tweakable circular correlation robust (7.4)
 * sigma(xL || xR) = (xL ^ xR) || xL with xL the high 64 bits (bytes 8..15) and xR the low 64 bits
 * (bytes 0..7) of the block read as a little-endian 128-bit integer.  The uint64 tweak i is the
 * block with i little-endian in bytes 0..7 and zero bytes 8..15; tweaks holds nblocks values. */
int mpc_hash_cr(const uint8_t *schedule, const uint8_t *in, uint8_t *out, size_t nblocks);
int mpc_hash_ccr(const uint8_t *schedule, const uint8_t *in, uint8_t *out, size_t nblocks);
int mpc_hash_tccr(const uint8_t *schedule, const uint8_t *in, const uint64_t *tweaks, uint8_t *out,
                  size_t nblocks);
/* Self-check of the AES-NI inline helpers of internal_aes.h (used by OT extension and garbling):
 * on nblocks <= 64 blocks, every helper (encrypt 1/4/8/many, CR/CCR/TCCR many, TCCR 2/4) must match
 * the portable implementation under the same key.  MPC_OK, MPC_ERR_VERIFY on a mismatch,
 * MPC_ERR_UNSUPPORTED without AES-NI (or for a portable schedule). */
int mpc_aes_selfcheck(const uint8_t *schedule, const uint8_t *in, const uint64_t *tweaks,
                      size_t nblocks);

#endif
