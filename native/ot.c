/* IKNP OT-extension kernels: column PRG expansion, 128 x n bit transpose, row hashing.
 * Spec: protocols/ot-iknp.md.  One call per chunk of OTs; no allocation, no globals. */
#include <string.h>

#include "internal_ot.h"
#include "internal_ring128.h"
#include "mpc_ring.h"
#include "mpc_common.h"
#include "mpc_ot.h"

int mpc_ot_cpu_supported(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse4.1") ? 1 : 0;
}

static int cpu_level = -1, level_cap = 2;

int ot_vector_level(void)
{
    if (cpu_level < 0) {  /* a benign race: every thread computes the same value */
        __builtin_cpu_init();
        int avx2 = __builtin_cpu_supports("avx2");
        cpu_level = avx2 ? (__builtin_cpu_supports("vaes") ? 2 : 1) : 0;
    }
    return cpu_level < level_cap ? cpu_level : level_cap;
}

int mpc_ot_vector_level(int cap)
{
    if (cap > 2)
        return MPC_ERR_ARGUMENT;
    if (cap >= 0)
        level_cap = cap;
    return ot_vector_level();
}

OT_TARGET static inline void transpose_block(__m128i col[128], uint8_t *out)
{
    if (ot_vector_level() >= 1)
        ot_transpose_block128_avx2(col, out);
    else
        ot_transpose_block128(col, out);
}

OT_TARGET static void expand_keys(const uint8_t *keys, size_t count, uint8_t *schedules)
{
    for (size_t i = 0; i < count; i++)
        ot_aes_expand(keys + 16 * i, schedules + MPC_OT_SCHEDULE_BYTES * i);
}

int mpc_ot_expand_keys(const uint8_t *keys, size_t count, uint8_t *schedules)
{
    if ((!keys || !schedules) && count)
        return MPC_ERR_ARGUMENT;
    if (!mpc_ot_cpu_supported())
        return MPC_ERR_UNSUPPORTED;
    expand_keys(keys, count, schedules);
    return MPC_OK;
}

/* The 128 column PRG outputs of PRG_GROUP consecutive blocks: out[m * 128 + j] =
 * AES_{schedules_j}(counter + m).  One key at a time, so each schedule is loaded once per group
 * (the 128 schedules of a side, 22.5 KB, would otherwise cycle through L1 for every block). */
OT_TARGET static void columns_prg(const uint8_t *schedules, uint64_t counter, __m128i *out)
{
    if (ot_vector_level() >= 2) {
        ot_columns_prg_vaes(schedules, counter, out);
        return;
    }
    for (int j = 0; j < 128; j++) {
        __m128i rk[11], x[PRG_GROUP];
        for (int r = 0; r < 11; r++)
            rk[r] = _mm_loadu_si128((const __m128i *)(schedules + (size_t)MPC_OT_SCHEDULE_BYTES * j + 16 * r));
        for (int m = 0; m < PRG_GROUP; m++)
            x[m] = _mm_set_epi64x(0, (long long)(counter + (uint64_t)m));
        ot_aes8(rk, x);
        for (int m = 0; m < PRG_GROUP; m++)
            out[128 * m + j] = x[m];
    }
}

OT_TARGET static void receiver_extend(const uint8_t *s0, const uint8_t *s1, uint64_t first_block,
                                      const uint8_t *choices, size_t blocks, uint8_t *u, uint8_t *t)
{
    _Alignas(32) __m128i col[PRG_GROUP * 128], other[PRG_GROUP * 128];
    for (size_t k0 = 0; k0 < blocks; k0 += PRG_GROUP) {
        size_t group = blocks - k0 < PRG_GROUP ? blocks - k0 : PRG_GROUP;  /* the PRG makes 8; the tail uses fewer */
        columns_prg(s0, first_block + k0, col);
        columns_prg(s1, first_block + k0, other);
        for (size_t m = 0; m < group; m++) {
            size_t k = k0 + m;
            __m128i r = _mm_loadu_si128((const __m128i *)(choices + 16 * k));
            uint8_t *u_block = u + 2048 * k;
            for (int j = 0; j < 128; j++)
                _mm_storeu_si128((__m128i *)(u_block + 16 * j),
                                 _mm_xor_si128(_mm_xor_si128(col[128 * m + j], other[128 * m + j]), r));
            transpose_block(col + 128 * m, t + 2048 * k);
        }
    }
}

int mpc_ot_iknp_receiver_extend(const uint8_t *schedules0, const uint8_t *schedules1,
                                uint64_t first_block, const uint8_t *choices_packed, size_t blocks,
                                uint8_t *u, uint8_t *t)
{
    if (!schedules0 || !schedules1 || ((!choices_packed || !u || !t) && blocks))
        return MPC_ERR_ARGUMENT;
    if (!mpc_ot_cpu_supported())
        return MPC_ERR_UNSUPPORTED;
    receiver_extend(schedules0, schedules1, first_block, choices_packed, blocks, u, t);
    return MPC_OK;
}

OT_TARGET static void sender_extend(const uint8_t *schedules, const uint8_t *delta, uint64_t first_block,
                                    const uint8_t *u, size_t blocks, uint8_t *q)
{
    _Alignas(32) __m128i col[PRG_GROUP * 128];
    __m128i select[128];
    for (int j = 0; j < 128; j++) /* all-ones where s_j = 1: q^j = G(k_{s_j}) ^ (s_j ? u^j : 0) */
        select[j] = _mm_set1_epi8((char)-(char)((delta[j / 8] >> (j % 8)) & 1));
    for (size_t k0 = 0; k0 < blocks; k0 += PRG_GROUP) {
        size_t group = blocks - k0 < PRG_GROUP ? blocks - k0 : PRG_GROUP;
        columns_prg(schedules, first_block + k0, col);
        for (size_t m = 0; m < group; m++) {
            size_t k = k0 + m;
            __m128i *c = col + 128 * m;
            const uint8_t *u_block = u + 2048 * k;
            for (int j = 0; j < 128; j++)
                c[j] = _mm_xor_si128(c[j], _mm_and_si128(select[j],
                                     _mm_loadu_si128((const __m128i *)(u_block + 16 * j))));
            transpose_block(c, q + 2048 * k);
        }
    }
}

int mpc_ot_iknp_sender_extend(const uint8_t *schedules, const uint8_t *delta16, uint64_t first_block,
                              const uint8_t *u, size_t blocks, uint8_t *q)
{
    if (!schedules || !delta16 || ((!u || !q) && blocks))
        return MPC_ERR_ARGUMENT;
    if (!mpc_ot_cpu_supported())
        return MPC_ERR_UNSUPPORTED;
    sender_extend(schedules, delta16, first_block, u, blocks, q);
    return MPC_OK;
}

/* Tweak of block m of row `index`: the 128-bit little-endian pair (index, m). */
OT_TARGET static inline __m128i tweak(uint64_t index, uint64_t m)
{
    return _mm_set_epi64x((long long)m, (long long)index);
}

OT_TARGET static void hash_rows(const uint8_t *schedule, uint64_t first_tweak, const uint8_t *rows,
                                size_t n, const uint8_t *offset16, size_t out_len,
                                const uint8_t *mask, uint8_t *out)
{
    __m128i rk[11];
    for (int r = 0; r < 11; r++)
        rk[r] = _mm_loadu_si128((const __m128i *)(schedule + 16 * r));
    __m128i offset = offset16 ? _mm_loadu_si128((const __m128i *)offset16) : _mm_setzero_si128();
    size_t out_blocks = (out_len + 15) / 16;
    size_t i = 0;
    /* Fast path for 16-byte outputs without mask, 8 rows in flight. */
    if (out_len == 16 && !mask) {
        for (; i + 8 <= n; i += 8) {
            __m128i p[8], x[8];
            for (int m = 0; m < 8; m++)
                p[m] = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(rows + 16 * (i + m))), offset);
            ot_aes8(rk, p);
            for (int m = 0; m < 8; m++)
                x[m] = _mm_xor_si128(p[m], tweak(first_tweak + i + m, 0));
            ot_aes8(rk, x);
            for (int m = 0; m < 8; m++)
                _mm_storeu_si128((__m128i *)(out + 16 * (i + m)), _mm_xor_si128(x[m], p[m]));
        }
    }
    for (; i < n; i++) {
        __m128i p = ot_aes1(rk, _mm_xor_si128(_mm_loadu_si128((const __m128i *)(rows + 16 * i)), offset));
        uint8_t *row_out = out + out_len * i;
        const uint8_t *row_mask = mask ? mask + out_len * i : NULL;
        for (size_t m = 0; m < out_blocks; m++) {
            __m128i h = _mm_xor_si128(ot_aes1(rk, _mm_xor_si128(p, tweak(first_tweak + i, m))), p);
            uint8_t block[16];
            _mm_storeu_si128((__m128i *)block, h);
            size_t take = out_len - 16 * m < 16 ? out_len - 16 * m : 16;
            if (row_mask)
                for (size_t b = 0; b < take; b++)
                    block[b] ^= row_mask[16 * m + b];
            memcpy(row_out + 16 * m, block, take);
        }
    }
}

int mpc_ot_hash_rows(const uint8_t *hash_schedule, uint64_t first_tweak, const uint8_t *rows,
                     size_t n, const uint8_t *offset16, size_t out_len, const uint8_t *mask,
                     uint8_t *out)
{
    if (!hash_schedule || out_len == 0 || ((!rows || !out) && n))
        return MPC_ERR_ARGUMENT;
    if (!mpc_ot_cpu_supported())
        return MPC_ERR_UNSUPPORTED;
    hash_rows(hash_schedule, first_tweak, rows, n, offset16, out_len, mask, out);
    return MPC_OK;
}

/* H(i, x) = pi(pi(x) ^ i) ^ pi(x) for the 128 rows of one block in place (rows in L1), with
 * the rows XORed with `offset` first; writes to out (may equal rows). */
OT_TARGET static inline void hash_block(const __m128i rk[11], uint64_t first_index, const uint8_t *rows,
                                        __m128i offset, uint8_t *out)
{
    for (int i = 0; i < 128; i += 8) {
        __m128i p[8], x[8];
        for (int m = 0; m < 8; m++)
            p[m] = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(rows + 16 * (i + m))), offset);
        ot_aes8(rk, p);
        for (int m = 0; m < 8; m++)
            x[m] = _mm_xor_si128(p[m], _mm_set_epi64x(0, (long long)(first_index + i + m)));
        ot_aes8(rk, x);
        for (int m = 0; m < 8; m++)
            _mm_storeu_si128((__m128i *)(out + 16 * (i + m)), _mm_xor_si128(x[m], p[m]));
    }
}

/* hash_block, or its VAES twin where the CPU has it (`schedule` is the same key as `rk`). */
OT_TARGET static inline void hash_block_any(const __m128i rk[11], const uint8_t *schedule, uint64_t first_index,
                                            const uint8_t *rows, const uint8_t *offset16, uint8_t *out)
{
    if (ot_vector_level() >= 2)
        ot_hash_block_vaes(schedule, first_index, rows, offset16, out);
    else
        hash_block(rk, first_index, rows, offset16 ? _mm_loadu_si128((const __m128i *)offset16)
                                                   : _mm_setzero_si128(), out);
}

OT_TARGET static void sender_random(const uint8_t *schedules, const uint8_t *delta, uint64_t first_block,
                                    const uint8_t *u, size_t blocks, const uint8_t *hash_schedule,
                                    uint8_t *m0, uint8_t *m1)
{
    __m128i rk[11];
    for (int r = 0; r < 11; r++)
        rk[r] = _mm_loadu_si128((const __m128i *)(hash_schedule + 16 * r));
    for (size_t k0 = 0; k0 < blocks; k0 += PRG_GROUP) {
        /* q rows of a group land in m0 first, then are hashed from there (still in L1). */
        size_t group = blocks - k0 < PRG_GROUP ? blocks - k0 : PRG_GROUP;
        sender_extend(schedules, delta, first_block + k0, u + 2048 * k0, group, m0 + 2048 * k0);
        for (size_t k = k0; k < k0 + group; k++) {
            uint64_t index = (first_block + k) * 128;
            hash_block_any(rk, hash_schedule, index, m0 + 2048 * k, delta, m1 + 2048 * k);
            hash_block_any(rk, hash_schedule, index, m0 + 2048 * k, NULL, m0 + 2048 * k);
        }
    }
}

int mpc_ot_iknp_sender_random(const uint8_t *schedules, const uint8_t *delta16, uint64_t first_block,
                              const uint8_t *u, size_t blocks, const uint8_t *hash_schedule,
                              uint8_t *m0, uint8_t *m1)
{
    if (!schedules || !delta16 || !hash_schedule || ((!u || !m0 || !m1) && blocks))
        return MPC_ERR_ARGUMENT;
    if (!mpc_ot_cpu_supported())
        return MPC_ERR_UNSUPPORTED;
    sender_random(schedules, delta16, first_block, u, blocks, hash_schedule, m0, m1);
    return MPC_OK;
}

/* The Gilboa sender over Z_2^128 fused with the random-OT sender: block k of the chunk is the 128
 * OTs of product k, so its pads never leave L1 (the same outputs as mpc_ot_iknp_sender_random
 * followed by mpc_ring128_gilboa_sender). */
OT_TARGET static void gilboa128_sender(const uint8_t *schedules, const uint8_t *delta, uint64_t first_block,
                                       const uint8_t *u, size_t blocks, const uint8_t *hash_schedule,
                                       const uint64_t *v, uint64_t *share, uint8_t *corrections)
{
    __m128i rk[11];
    for (int r = 0; r < 11; r++)
        rk[r] = _mm_loadu_si128((const __m128i *)(hash_schedule + 16 * r));
    _Alignas(32) uint8_t q[PRG_GROUP * 2048], pad0[2048], pad1[2048];
    uint8_t *out = corrections, *end = corrections + blocks * (size_t)MPC_RING128_GILBOA_BYTES;
    for (size_t k = 0; k < blocks; k++) {
        if (k % PRG_GROUP == 0)
            sender_extend(schedules, delta, first_block + k, u + 2048 * k,
                          blocks - k < PRG_GROUP ? blocks - k : PRG_GROUP, q);
        const uint8_t *rows = q + 2048 * (k % PRG_GROUP);
        uint64_t index = (first_block + k) * 128;
        hash_block_any(rk, hash_schedule, index, rows, delta, pad1);
        hash_block_any(rk, hash_schedule, index, rows, NULL, pad0);
        ring128_t value = (ring128_t)v[2 * k] | ((ring128_t)v[2 * k + 1] << 64);
        ring128_t mine = ring128_gilboa_send_one(pad0, pad1, value, &out, end);
        share[2 * k] = (uint64_t)mine;
        share[2 * k + 1] = (uint64_t)(mine >> 64);
    }
}

int mpc_ot_iknp_gilboa128_sender(const uint8_t *schedules, const uint8_t *delta16, uint64_t first_block,
                                 const uint8_t *u, size_t blocks, const uint8_t *hash_schedule,
                                 const uint64_t *v, uint64_t *share, uint8_t *corrections)
{
    if (!schedules || !delta16 || !hash_schedule || ((!u || !v || !share || !corrections) && blocks))
        return MPC_ERR_ARGUMENT;
    if (!mpc_ot_cpu_supported())
        return MPC_ERR_UNSUPPORTED;
    gilboa128_sender(schedules, delta16, first_block, u, blocks, hash_schedule, v, share, corrections);
    return MPC_OK;
}

OT_TARGET static void receiver_random(const uint8_t *s0, const uint8_t *s1, uint64_t first_block,
                                      const uint8_t *choices, size_t blocks, const uint8_t *hash_schedule,
                                      uint8_t *u, uint8_t *m)
{
    __m128i rk[11];
    for (int r = 0; r < 11; r++)
        rk[r] = _mm_loadu_si128((const __m128i *)(hash_schedule + 16 * r));
    for (size_t k0 = 0; k0 < blocks; k0 += PRG_GROUP) {
        size_t group = blocks - k0 < PRG_GROUP ? blocks - k0 : PRG_GROUP;
        receiver_extend(s0, s1, first_block + k0, choices + 16 * k0, group, u + 2048 * k0, m + 2048 * k0);
        for (size_t k = k0; k < k0 + group; k++)
            hash_block_any(rk, hash_schedule, (first_block + k) * 128, m + 2048 * k, NULL, m + 2048 * k);
    }
}

int mpc_ot_iknp_receiver_random(const uint8_t *schedules0, const uint8_t *schedules1,
                                uint64_t first_block, const uint8_t *choices_packed, size_t blocks,
                                const uint8_t *hash_schedule, uint8_t *u, uint8_t *m)
{
    if (!schedules0 || !schedules1 || !hash_schedule || ((!choices_packed || !u || !m) && blocks))
        return MPC_ERR_ARGUMENT;
    if (!mpc_ot_cpu_supported())
        return MPC_ERR_UNSUPPORTED;
    receiver_random(schedules0, schedules1, first_block, choices_packed, blocks, hash_schedule, u, m);
    return MPC_OK;
}

/* Generic transpose for any 16-row by 16-column multiple, via the same 16x16 byte transpose
 * and movemask as the IKNP blocks. */
OT_TARGET static void transpose(const uint8_t *in, size_t rows, size_t cols, uint8_t *out)
{
    size_t in_stride = cols / 8, out_stride = rows / 8;
    for (size_t rg = 0; rg < rows; rg += 16) {
        for (size_t cb = 0; cb < in_stride; cb += 16) { /* 16 input rows x 16 bytes */
            __m128i v[16];
            for (int r = 0; r < 16; r++)
                v[r] = _mm_loadu_si128((const __m128i *)(in + (rg + r) * in_stride + cb));
            ot_transpose_bytes16(v);
            for (int c = 0; c < 16; c++) {
                __m128i x = v[c];
                for (int b = 7; b >= 0; b--) {
                    uint16_t mask = (uint16_t)_mm_movemask_epi8(x);
                    memcpy(out + (8 * (cb + c) + b) * out_stride + rg / 8, &mask, 2);
                    x = _mm_add_epi8(x, x);
                }
            }
        }
    }
}

int mpc_ot_transpose(const uint8_t *in, size_t rows, size_t cols, uint8_t *out)
{
    if (!in || !out || rows % 16 || cols % 128)
        return MPC_ERR_ARGUMENT;
    if (!mpc_ot_cpu_supported())
        return MPC_ERR_UNSUPPORTED;
    transpose(in, rows, cols, out);
    return MPC_OK;
}
