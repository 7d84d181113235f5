/* Private helpers of the OT kernels (native/ot.c): AES-128 with AES-NI and the 16-column
 * bit transpose.  Not exported to cffi.  Every function that uses AES-NI/SSE4.1 carries a target
 * attribute; callers check mpc_ot_cpu_supported() first (no -march=native for the core). */
#ifndef MPC_INTERNAL_OT_H
#define MPC_INTERNAL_OT_H
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define OT_TARGET __attribute__((target("aes,sse4.1,ssse3")))
#define OT_TARGET_AVX2 __attribute__((target("aes,sse4.1,ssse3,avx2")))
#define OT_TARGET_VAES __attribute__((target("aes,sse4.1,ssse3,avx2,vaes")))

/* Vector units the IKNP kernels use: 0 SSE4.1 + AES-NI, 1 also AVX2 (the transpose), 2 also VAES
 * (the row hash).  ot_vector_level() is what the CPU has, capped by mpc_ot_vector_level(). */
int ot_vector_level(void);
#define PRG_GROUP 8  /* blocks whose column PRG outputs are made together, one key at a time */
void ot_columns_prg_vaes(const uint8_t *schedules, uint64_t counter, __m128i *out);
void ot_transpose_block128_avx2(const __m128i *col, uint8_t *out);
void ot_hash_block_vaes(const uint8_t *schedule, uint64_t first_index, const uint8_t *rows,
                        const uint8_t *offset16, uint8_t *out);

OT_TARGET static inline __m128i ot_expand_step(__m128i key, __m128i assist)
{
    assist = _mm_shuffle_epi32(assist, 0xff);
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    return _mm_xor_si128(key, assist);
}

/* AES-128 key schedule: 11 round keys, stored unaligned in 176 bytes. */
OT_TARGET static inline void ot_aes_expand(const uint8_t key[16], uint8_t out[176])
{
    __m128i k[11];
    k[0] = _mm_loadu_si128((const __m128i *)key);
    k[1] = ot_expand_step(k[0], _mm_aeskeygenassist_si128(k[0], 0x01));
    k[2] = ot_expand_step(k[1], _mm_aeskeygenassist_si128(k[1], 0x02));
    k[3] = ot_expand_step(k[2], _mm_aeskeygenassist_si128(k[2], 0x04));
    k[4] = ot_expand_step(k[3], _mm_aeskeygenassist_si128(k[3], 0x08));
    k[5] = ot_expand_step(k[4], _mm_aeskeygenassist_si128(k[4], 0x10));
    k[6] = ot_expand_step(k[5], _mm_aeskeygenassist_si128(k[5], 0x20));
    k[7] = ot_expand_step(k[6], _mm_aeskeygenassist_si128(k[6], 0x40));
    k[8] = ot_expand_step(k[7], _mm_aeskeygenassist_si128(k[7], 0x80));
    k[9] = ot_expand_step(k[8], _mm_aeskeygenassist_si128(k[8], 0x1b));
    k[10] = ot_expand_step(k[9], _mm_aeskeygenassist_si128(k[9], 0x36));
    for (int r = 0; r < 11; r++)
        _mm_storeu_si128((__m128i *)(out + 16 * r), k[r]);
}

/* Encrypt 8 blocks, block m under its own schedule keys[m] (the IKNP columns). */
OT_TARGET static inline void ot_aes8_multikey(const uint8_t *const keys[8], __m128i x[8])
{
    for (int m = 0; m < 8; m++)
        x[m] = _mm_xor_si128(x[m], _mm_loadu_si128((const __m128i *)keys[m]));
    for (int r = 1; r < 10; r++)
        for (int m = 0; m < 8; m++)
            x[m] = _mm_aesenc_si128(x[m], _mm_loadu_si128((const __m128i *)(keys[m] + 16 * r)));
    for (int m = 0; m < 8; m++)
        x[m] = _mm_aesenclast_si128(x[m], _mm_loadu_si128((const __m128i *)(keys[m] + 160)));
}

/* Encrypt 8 blocks under one schedule already loaded into registers. */
OT_TARGET static inline void ot_aes8(const __m128i rk[11], __m128i x[8])
{
    for (int m = 0; m < 8; m++)
        x[m] = _mm_xor_si128(x[m], rk[0]);
    for (int r = 1; r < 10; r++)
        for (int m = 0; m < 8; m++)
            x[m] = _mm_aesenc_si128(x[m], rk[r]);
    for (int m = 0; m < 8; m++)
        x[m] = _mm_aesenclast_si128(x[m], rk[10]);
}

OT_TARGET static inline __m128i ot_aes1(const __m128i rk[11], __m128i x)
{
    x = _mm_xor_si128(x, rk[0]);
    for (int r = 1; r < 10; r++)
        x = _mm_aesenc_si128(x, rk[r]);
    return _mm_aesenclast_si128(x, rk[10]);
}

/* Transpose a 16x16 byte matrix held in 16 registers: a[r].byte[c] -> a[c].byte[r].
 * Four rounds of interleaving rows i and i+8 rotate the 8-bit (row, column) index left by one
 * bit each, so four rounds swap the row and column halves. */
OT_TARGET static inline void ot_transpose_bytes16(__m128i a[16])
{
    __m128i b[16];
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 8; i++) {
            b[2 * i] = _mm_unpacklo_epi8(a[i], a[i + 8]);
            b[2 * i + 1] = _mm_unpackhi_epi8(a[i], a[i + 8]);
        }
        memcpy(a, b, sizeof(b));
    }
}

/* Transpose one 128x128 bit block: col[j] holds 128 bits of column j (bit i = row i); row i of
 * the result (16 bytes at out + 16 i) holds bit j = col[j] bit i. */
OT_TARGET static inline void ot_transpose_block128(__m128i col[128], uint8_t *out)
{
    for (int g = 0; g < 8; g++) {
        __m128i v[16];
        memcpy(v, col + 16 * g, sizeof(v));
        ot_transpose_bytes16(v); /* v[c].byte[jj] = column (16 g + jj), byte c */
        for (int c = 0; c < 16; c++) {
            __m128i x = v[c];
            for (int b = 7; b >= 0; b--) {
                uint16_t mask = (uint16_t)_mm_movemask_epi8(x);
                memcpy(out + 16 * (8 * c + b) + 2 * g, &mask, 2);
                x = _mm_add_epi8(x, x);
            }
        }
    }
}

#endif
