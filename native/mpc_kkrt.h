/* KKRT16 PSI batch kernels: identifier hashing, 3-way cuckoo hashing, the 1-out-of-N OT
 * extension with a 512-bit pseudorandom code, and the OPRF evaluations (spec: protocols/psi-kkrt.md).
 *
 * A schedule is an expanded AES-128 key of 176 bytes (mpc_ot_expand_keys).  Rows are 64 bytes (512
 * bits, bit i = bit i%8 of byte i/8); a block is 128 consecutive bins.  `first_block` is the global
 * block index of the call's first row, so bin j of the call is global bin 128*first_block + j.
 * Every call taking `threads` splits its batch over that many POSIX threads (0 means 1); cffi
 * releases the GIL.  The OT kernels need AES-NI (mpc_ot_cpu_supported). */
#ifndef MPC_KKRT_H
#define MPC_KKRT_H
#include <stddef.h>
#include <stdint.h>

enum mpc_kkrt_sizes {
    MPC_KKRT_ROW_BYTES = 64,     /* code length / OT-extension width: 512 bits */
    MPC_KKRT_COLUMNS = 512,
    MPC_KKRT_HASHES = 3,         /* cuckoo hash functions */
    MPC_KKRT_CODE_KEYS = 12,     /* 4 AES keys of the code per hash function */
    MPC_KKRT_ITEM_BYTES = 16     /* an empty cuckoo bin holds 0xFFFFFFFF */
};

/* item_i = SHA-256(u32be(|domain|) || domain || 0x01 || x_i)[0..16);
 * with E = AES_bin(item), F = AES_bin(item ^ 1^128): bin_index[3i+k] = floor(w_k * bins / 2^64)
 * for w_0 = low64(E), w_1 = high64(E), w_2 = low64(F).  1 <= bins <= 2^32 - 1. */
int mpc_kkrt_hash_ids(const uint8_t *ids, const uint64_t *offsets, size_t count, const uint8_t *domain,
                      size_t domain_len, const uint8_t *bin_schedule, uint64_t bins, uint8_t *items,
                      uint32_t *bin_index, unsigned threads);

/* Cuckoo insertion of n items with bins bin_index[3i..3i+2] into `bins` bins, no stash: an item
 * takes a free bin among its three, else evicts from one chosen at random (xorshift seeded by
 * `seed`); at most max_evictions evictions per insertion.  table[b] = item index or 0xFFFFFFFF,
 * which[i] = hash function used.  MPC_ERR_VERIFY if an insertion fails. */
int mpc_kkrt_cuckoo(const uint32_t *bin_index, size_t n, uint64_t bins, uint32_t max_evictions,
                    uint64_t seed, uint32_t *table, uint8_t *which);

/* Receiver (client), `blocks` blocks of 128 bins: t0^i = AES_{s0_i}(block), t1^i = AES_{s1_i}(block)
 * for the 512 columns, transposed into rows; u_j = t0_j ^ t1_j ^ C(inputs_j, fn_j) with
 * C(r, k) = AES_{code_{4k}}(r) || ... || AES_{code_{4k+3}}(r); out_j = H(bin, t0_j)[0..out_bytes),
 * H(bin, v) = SHA-256(le64(bin) || v).  inputs: 16 bytes per row, fn: one byte (0..2) per row. */
int mpc_kkrt_receiver_extend(const uint8_t *schedules0, const uint8_t *schedules1, const uint8_t *code_schedules,
                             uint64_t first_block, const uint8_t *inputs, const uint8_t *fn, size_t blocks,
                             uint8_t *u, uint8_t *out, size_t out_bytes, unsigned threads);

/* Sender (server): q_j = g_j ^ (u_j & s), g = the 512 columns AES_{k_i}(block) transposed, with
 * k_i the base-OT key of choice bit s_i; then q_j = t0_j ^ (C(r_j) & s). */
int mpc_kkrt_sender_extend(const uint8_t *schedules, const uint8_t *s64, uint64_t first_block,
                           const uint8_t *u, size_t blocks, uint8_t *q, unsigned threads);

/* Sender: for each item y_i and k < 3, with j = bin_index[3i+k]:
 * out[(3i+k)*out_bytes ..] = H(j, q_j ^ (C(y_i, k) & s))[0..out_bytes).  q holds `bins` rows. */
int mpc_kkrt_sender_eval(const uint8_t *q, uint64_t bins, const uint8_t *s64, const uint8_t *code_schedules,
                         const uint8_t *items, const uint32_t *bin_index, size_t count, uint8_t *out,
                         size_t out_bytes, unsigned threads);

#endif
