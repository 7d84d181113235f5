/* mpc C core, OT area: base OT over P-256 (protocols/ot-base.md) and IKNP OT-extension kernels
 * (protocols/ot-iknp.md).  Every buffer is caller-owned; randomness comes in as bytes from the
 * caller (os.urandom or the AES-CTR PRG), so nothing here draws its own.
 *
 * Bit order everywhere: bit i of a bit string is bit (i % 8) of byte (i / 8) (LSB first).
 * An AES-128 key schedule is an opaque MPC_OT_SCHEDULE_BYTES-byte buffer. */
#ifndef MPC_OT_H
#define MPC_OT_H
#include <stddef.h>
#include <stdint.h>

enum mpc_ot_sizes {
    MPC_OT_SCHEDULE_BYTES = 176,     /* one expanded AES-128 key */
    MPC_OT_POINT_BYTES = 33,         /* a compressed P-256 point */
    MPC_OT_SCALAR_RANDOM_BYTES = 48, /* random bytes reduced mod the group order (bias < 2^-128) */
    MPC_OT_SCALAR_BYTES = 32,
    MPC_OT_KAPPA = 128               /* IKNP columns = base OTs = bits per row */
};

/* --- base OT (Bellare–Micali / Naor–Pinkas over P-256), see protocols/ot-base.md ----------- */

/* Base-OT sender, step 1: from 96 random bytes draw c and r; message = C || R = cG || rG
 * (2 * 33 bytes), secret = r (32 bytes, big-endian). */
int mpc_ot_base_sender_setup(const uint8_t *random96, uint8_t *secret32, uint8_t *message66);

/* Base-OT receiver, step 1: for each of `count` choice bits (bytes 0/1) draw k_i from 48 random
 * bytes; reply_i = PK0_i (33 bytes) where PK_{b_i} = k_i G and PK0 + PK1 = C; secrets_i = k_i
 * (32 bytes).  Returns MPC_ERR_INPUT if C or R is not a valid non-identity P-256 point. */
int mpc_ot_base_receiver_choose(const uint8_t *message66, const uint8_t *choices, size_t count,
                                const uint8_t *random, uint8_t *reply, uint8_t *secrets);

/* Base-OT receiver, step 2 (after the reply is on its way): shared_i = k_i R (33 bytes). */
int mpc_ot_base_receiver_keys(const uint8_t *message66, const uint8_t *secrets, size_t count,
                              uint8_t *shared);

/* Base-OT sender, step 2: shared0_i = r PK0_i, shared1_i = r C - r PK0_i (33 bytes each).
 * Returns MPC_ERR_INPUT if a reply point is invalid or the identity. */
int mpc_ot_base_sender_keys(const uint8_t *secret32, const uint8_t *message66, const uint8_t *reply,
                            size_t count, uint8_t *shared0, uint8_t *shared1);

/* --- IKNP extension kernels, see protocols/ot-iknp.md ------------------------------------- */

/* Expand `count` 16-byte AES keys into count * 176 bytes of schedules. */
int mpc_ot_expand_keys(const uint8_t *keys, size_t count, uint8_t *schedules);

/* IKNP receiver, one chunk of blocks * 128 OTs starting at PRG block `first_block`:
 * t^j = AES_{k0_j}(ctr), u^j = t^j ^ AES_{k1_j}(ctr) ^ r for the 128 columns j;
 * u (blocks * 128 * 16 bytes) is block-major: u[(k * 128 + j) * 16 ..] is column j of block k;
 * t (blocks * 128 rows of 16 bytes) is the transposed t matrix, row i = OT i. */
int mpc_ot_iknp_receiver_extend(const uint8_t *schedules0, const uint8_t *schedules1,
                                uint64_t first_block, const uint8_t *choices_packed, size_t blocks,
                                uint8_t *u, uint8_t *t);

/* IKNP sender, the same chunk: q^j = AES_{k_{s_j}}(ctr) ^ s_j u^j, transposed into rows q
 * (blocks * 128 rows of 16 bytes); q_i = t_i ^ r_i * s. */
int mpc_ot_iknp_sender_extend(const uint8_t *schedules, const uint8_t *delta16, uint64_t first_block,
                              const uint8_t *u, size_t blocks, uint8_t *q);

/* Random OT in one pass per 128-OT block (rows hashed while in L1): the sender's
 * m0_i = H(i, q_i), m1_i = H(i, q_i ^ delta) and the receiver's m_i = H(i, t_i), i = global OT
 * index = first_block * 128 + row, H as in mpc_ot_hash_rows with 16-byte output.  m0, m1, m are
 * blocks * 128 rows of 16 bytes; u as above. */
int mpc_ot_iknp_sender_random(const uint8_t *schedules, const uint8_t *delta16, uint64_t first_block,
                              const uint8_t *u, size_t blocks, const uint8_t *hash_schedule,
                              uint8_t *m0, uint8_t *m1);
int mpc_ot_iknp_receiver_random(const uint8_t *schedules0, const uint8_t *schedules1,
                                uint64_t first_block, const uint8_t *choices_packed, size_t blocks,
                                const uint8_t *hash_schedule, uint8_t *u, uint8_t *m);

/* The Gilboa sender over Z_2^128 (mpc_ring128_gilboa_sender in mpc_ring.h) on the random OTs of
 * mpc_ot_iknp_sender_random, in one pass: block k of the chunk is product k (v, share: `blocks`
 * elements of two uint64 limbs; corrections: blocks * MPC_RING128_GILBOA_BYTES bytes). */
int mpc_ot_iknp_gilboa128_sender(const uint8_t *schedules, const uint8_t *delta16, uint64_t first_block,
                                 const uint8_t *u, size_t blocks, const uint8_t *hash_schedule,
                                 const uint64_t *v, uint64_t *share, uint8_t *corrections);

/* Tweakable correlation-robust hash of rows, expanded to out_len bytes per row:
 * x = rows_i ^ offset (offset may be NULL), p = AES_h(x), block m of row i is
 * AES_h(p ^ (first_tweak + i, m)) ^ p, truncated to out_len; if mask is not NULL the output is
 * XORed with mask (n * out_len bytes).  out is n * out_len bytes. */
int mpc_ot_hash_rows(const uint8_t *hash_schedule, uint64_t first_tweak, const uint8_t *rows,
                     size_t n, const uint8_t *offset16, size_t out_len, const uint8_t *mask,
                     uint8_t *out);

/* Bit-matrix transpose: in is `rows` rows of `cols` bits (cols / 8 bytes each), out is `cols`
 * rows of `rows` bits.  rows must be a multiple of 16 and cols a multiple of 128. */
int mpc_ot_transpose(const uint8_t *in, size_t rows, size_t cols, uint8_t *out);

/* 1 if this CPU has AES-NI and SSE4.1 (the IKNP kernels need them), else 0. */
int mpc_ot_cpu_supported(void);

/* The vector units the IKNP kernels use: 0 SSE4.1 + AES-NI, 1 also AVX2, 2 also VAES (same outputs).
 * cap >= 0 caps it for the whole process (tests compare the levels); cap < 0 only asks.  Returns
 * the level now in use, or MPC_ERR_ARGUMENT for cap > 2. */
int mpc_ot_vector_level(int cap);

#endif
