/* SimplePIR matrix kernel, AVX2 path (spec: protocols/pir.md).  Compiled with per-function target
 * attributes and chosen at run time (native/pir.c), so the core still runs on any x86-64.
 *
 * 16 matrix bytes are widened to 16-bit lanes; _mm256_madd_epi16 multiplies them with 16 signed
 * 16-bit query halves and adds neighbouring pairs into 8 int32 lanes (each pair sum is below 2^31
 * in size: 2 * 255 * 32768).  int32 lane additions wrap, which is addition mod 2^32, so the lanes
 * hold exact partial sums of lo and hi; the result is sum_lo + 2^16 * sum_hi mod 2^32.  Four rows
 * share each query load. */
#include "internal_pir.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AVX2_TARGET __attribute__((target("avx2")))

int pir_cpu_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

AVX2_TARGET static inline uint32_t hsum(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return (uint32_t)_mm_cvtsi128_si32(s);
}

AVX2_TARGET static inline __m256i widen(const uint8_t *p) {
    return _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)p));
}

AVX2_TARGET static void four_rows(const pir_task *t, size_t i, size_t c0, size_t c1) {
    const size_t cols = t->cols;
    const uint8_t *r0 = t->matrix + i * cols, *r1 = r0 + cols, *r2 = r1 + cols, *r3 = r2 + cols;
    const size_t vec_end = c0 + ((c1 - c0) & ~(size_t)15);
    for (size_t q = 0; q < t->queries; q++) {
        const int16_t *lo = t->lo + q * cols, *hi = t->hi + q * cols;
        __m256i l0 = _mm256_setzero_si256(), l1 = l0, l2 = l0, l3 = l0;
        __m256i h0 = l0, h1 = l0, h2 = l0, h3 = l0;
        for (size_t j = c0; j < vec_end; j += 16) {
            __m256i ql = _mm256_loadu_si256((const __m256i *)(lo + j));
            __m256i qh = _mm256_loadu_si256((const __m256i *)(hi + j));
            __m256i d0 = widen(r0 + j), d1 = widen(r1 + j), d2 = widen(r2 + j), d3 = widen(r3 + j);
            l0 = _mm256_add_epi32(l0, _mm256_madd_epi16(d0, ql));
            h0 = _mm256_add_epi32(h0, _mm256_madd_epi16(d0, qh));
            l1 = _mm256_add_epi32(l1, _mm256_madd_epi16(d1, ql));
            h1 = _mm256_add_epi32(h1, _mm256_madd_epi16(d1, qh));
            l2 = _mm256_add_epi32(l2, _mm256_madd_epi16(d2, ql));
            h2 = _mm256_add_epi32(h2, _mm256_madd_epi16(d2, qh));
            l3 = _mm256_add_epi32(l3, _mm256_madd_epi16(d3, ql));
            h3 = _mm256_add_epi32(h3, _mm256_madd_epi16(d3, qh));
        }
        uint32_t s_lo[4] = {hsum(l0), hsum(l1), hsum(l2), hsum(l3)};
        uint32_t s_hi[4] = {hsum(h0), hsum(h1), hsum(h2), hsum(h3)};
        const uint8_t *rows[4] = {r0, r1, r2, r3};
        for (size_t j = vec_end; j < c1; j++) {
            uint32_t ql = (uint32_t)(int32_t)lo[j], qh = (uint32_t)(int32_t)hi[j];
            for (int k = 0; k < 4; k++) {
                s_lo[k] += (uint32_t)rows[k][j] * ql;
                s_hi[k] += (uint32_t)rows[k][j] * qh;
            }
        }
        uint32_t *out = t->out + q * t->rows + i;
        for (int k = 0; k < 4; k++) out[k] += s_lo[k] + (s_hi[k] << 16);
    }
}

AVX2_TARGET void pir_block_avx2(const pir_task *t, size_t row_begin, size_t row_end, size_t c0, size_t c1) {
    size_t i = row_begin;
    for (; i + 4 <= row_end; i += 4) four_rows(t, i, c0, c1);
    if (i < row_end) pir_block_portable(t, i, row_end, c0, c1);
}

#else
int pir_cpu_has_avx2(void) { return 0; }
void pir_block_avx2(const pir_task *t, size_t row_begin, size_t row_end, size_t c0, size_t c1) {
    pir_block_portable(t, row_begin, row_end, c0, c1);
}
#endif
