/* AVX2 and VAES variants of the IKNP inner loops (native/ot.c chooses them at run time when the
 * CPU has them; the outputs are the same bit for bit, tests/test_ot_native.py compares the two).
 * Spec: protocols/ot-iknp.md.  Built for every x86-64 CPU: only these functions carry the
 * AVX2/VAES target, and nothing calls them unless ot_vector_level() says the CPU has it. */
#include <string.h>

#include "internal_ot.h"

/* The 128 x 128 bit transpose of ot_transpose_block128 with two 16-column groups per 256-bit
 * register: the byte transpose works lane by lane, so lane 0 carries group g and lane 1 group
 * g + 1, and one 32-bit movemask gives both groups' 16-bit row pieces, adjacent in the output. */
OT_TARGET_AVX2 void ot_transpose_block128_avx2(const __m128i *col, uint8_t *out)
{
    for (int g = 0; g < 8; g += 2) {
        __m256i a[16], b[16];
        for (int i = 0; i < 16; i++)
            a[i] = _mm256_set_m128i(_mm_loadu_si128(col + 16 * (g + 1) + i), _mm_loadu_si128(col + 16 * g + i));
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 8; i++) {
                b[2 * i] = _mm256_unpacklo_epi8(a[i], a[i + 8]);
                b[2 * i + 1] = _mm256_unpackhi_epi8(a[i], a[i + 8]);
            }
            memcpy(a, b, sizeof(b));
        }
        for (int c = 0; c < 16; c++) {
            __m256i x = a[c];
            for (int bit = 7; bit >= 0; bit--) {
                uint32_t mask = (uint32_t)_mm256_movemask_epi8(x);
                memcpy(out + 16 * (8 * c + bit) + 2 * g, &mask, 4);
                x = _mm256_add_epi8(x, x);
            }
        }
    }
}

/* hash_block of native/ot.c with two rows per VAES instruction: for the 128 rows of one block,
 * out_i = pi(pi(x_i) ^ i) ^ pi(x_i), x_i = rows_i ^ offset, i = first_index + row. */
OT_TARGET_VAES void ot_hash_block_vaes(const uint8_t *schedule, uint64_t first_index, const uint8_t *rows,
                                       const uint8_t *offset16, uint8_t *out)
{
    __m256i rk[11];
    for (int r = 0; r < 11; r++)
        rk[r] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(schedule + 16 * r)));
    __m256i offset = offset16 ? _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)offset16))
                              : _mm256_setzero_si256();
    for (int i = 0; i < 128; i += 16) {
        __m256i p[8], x[8];
        for (int m = 0; m < 8; m++)
            p[m] = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(rows + 16 * (i + 2 * m))), offset);
        for (int m = 0; m < 8; m++)
            p[m] = _mm256_xor_si256(p[m], rk[0]);
        for (int r = 1; r < 10; r++)
            for (int m = 0; m < 8; m++)
                p[m] = _mm256_aesenc_epi128(p[m], rk[r]);
        for (int m = 0; m < 8; m++)
            p[m] = _mm256_aesenclast_epi128(p[m], rk[10]);
        for (int m = 0; m < 8; m++) {
            uint64_t index = first_index + (uint64_t)(i + 2 * m);
            x[m] = _mm256_xor_si256(p[m], _mm256_set_epi64x(0, (long long)(index + 1), 0, (long long)index));
            x[m] = _mm256_xor_si256(x[m], rk[0]);
        }
        for (int r = 1; r < 10; r++)
            for (int m = 0; m < 8; m++)
                x[m] = _mm256_aesenc_epi128(x[m], rk[r]);
        for (int m = 0; m < 8; m++) {
            x[m] = _mm256_aesenclast_epi128(x[m], rk[10]);
            _mm256_storeu_si256((__m256i *)(out + 16 * (i + 2 * m)), _mm256_xor_si256(x[m], p[m]));
        }
    }
}

/* columns_prg of native/ot.c (the column PRG outputs of PRG_GROUP = 8 blocks, out[m * 128 + j] =
 * AES_{schedules_j}(counter + m)) with two counters per VAES instruction and two columns in
 * flight, so that eight independent encryptions hide the instruction latency. */
OT_TARGET_VAES void ot_columns_prg_vaes(const uint8_t *schedules, uint64_t counter, __m128i *out)
{
    __m256i ctr[4];
    for (int m = 0; m < 4; m++)
        ctr[m] = _mm256_set_epi64x(0, (long long)(counter + 2 * (uint64_t)m + 1), 0,
                                   (long long)(counter + 2 * (uint64_t)m));
    for (int j = 0; j < 128; j += 2) {
        const uint8_t *k0 = schedules + 176 * (size_t)j, *k1 = k0 + 176;
        __m256i x[8];
        __m256i a = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)k0));
        __m256i b = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)k1));
        for (int m = 0; m < 4; m++) {
            x[m] = _mm256_xor_si256(ctr[m], a);
            x[4 + m] = _mm256_xor_si256(ctr[m], b);
        }
        for (int r = 1; r < 10; r++) {
            a = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(k0 + 16 * r)));
            b = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(k1 + 16 * r)));
            for (int m = 0; m < 4; m++) {
                x[m] = _mm256_aesenc_epi128(x[m], a);
                x[4 + m] = _mm256_aesenc_epi128(x[4 + m], b);
            }
        }
        a = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(k0 + 160)));
        b = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(k1 + 160)));
        for (int m = 0; m < 4; m++) {
            x[m] = _mm256_aesenclast_epi128(x[m], a);
            x[4 + m] = _mm256_aesenclast_epi128(x[4 + m], b);
        }
        for (int m = 0; m < 4; m++) {
            _mm_storeu_si128(out + 128 * (2 * m) + j, _mm256_castsi256_si128(x[m]));
            _mm_storeu_si128(out + 128 * (2 * m + 1) + j, _mm256_extracti128_si256(x[m], 1));
            _mm_storeu_si128(out + 128 * (2 * m) + j + 1, _mm256_castsi256_si128(x[4 + m]));
            _mm_storeu_si128(out + 128 * (2 * m + 1) + j + 1, _mm256_extracti128_si256(x[4 + m], 1));
        }
    }
}
