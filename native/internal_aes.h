/* Private AES-128 API of the mpc C core, for other C files (OT extension, half-gates garbling).
 * Spec: protocols/primitives.md.  Exported (Python) surface: mpc_aes.h.
 *
 * Use:
 *   aes_schedule s;
 *   if (aes_schedule_import(&s, schedule_bytes) != MPC_OK) return MPC_ERR_ARGUMENT;  // from Python
 *   // or aes_schedule_init(&s, key16, MPC_AES_AUTO);
 *   if (s.impl == MPC_AES_NI) {            // the NI check: ONLY then call aes_ni_* helpers
 *       my_kernel_ni(&s, ...);               // a function with AES_NI_TARGET that uses them
 *   } else {
 *       aes_encrypt_blocks(&s, in, out, n);  // dispatching, works for both implementations
 *       aes_hash_tccr_blocks(&s, in, tweaks, out, n);
 *   }
 *
 * Which functions need the NI check:
 *   - every static inline aes_ni_* function below executes AES-NI instructions: call them only when
 *     schedule->impl == MPC_AES_NI (aes_schedule_init refuses MPC_AES_NI on a CPU without it, so
 *     impl == MPC_AES_NI implies the CPU has it), and only from functions that are themselves
 *     marked AES_NI_TARGET (GCC needs the target attribute on the caller to inline them);
 *   - gkwy_sigma / aes_tweak_block need only SSE2 (baseline on x86-64): callable anywhere;
 *   - aes_schedule_init/import, aes_encrypt_blocks and aes_hash_*_blocks dispatch on
 *     schedule->impl themselves: callable anywhere, any CPU.
 *
 * Block conventions (same as mpc_aes.h): a block is 16 bytes in FIPS-197 order, loaded into an
 * __m128i with _mm_loadu_si128 (byte 0 = least significant byte).  Tweak i = i in the low 64 bits.
 * sigma(xL || xR) = (xL ^ xR) || xL, xL = high 64 bits.  Hashes (GKWY 2020 section 7), pi = AES_k:
 *   CR(x) = pi(x) ^ x;  CCR(x) = pi(sigma(x)) ^ sigma(x);  TCCR(x,i) = pi(pi(x) ^ i) ^ pi(x).
 * (TCCR needs no sigma: the inner pi(x) already breaks the linear correlation, section 7.4.)
 */
#ifndef MPC_INTERNAL_AES_H
#define MPC_INTERNAL_AES_H

#include <stddef.h>
#include <stdint.h>
#include <emmintrin.h>
#include <wmmintrin.h>
#include <smmintrin.h>

#include "mpc_aes.h"

#define AES_NI_TARGET __attribute__((target("aes,sse4.1")))
#define AES_ROUNDS 10

typedef struct aes_schedule {
    _Alignas(16) uint8_t round_keys[AES_ROUNDS + 1][16]; /* FIPS-197 expanded key, w[0..43] */
    uint32_t impl;   /* MPC_AES_NI or MPC_AES_PORTABLE, never MPC_AES_AUTO once initialised */
    uint32_t magic;  /* AES_SCHEDULE_MAGIC: rejects uninitialised buffers coming from Python */
    uint8_t reserved[8];
} aes_schedule;

#define AES_SCHEDULE_MAGIC 0x41455331u /* "AES1" */

_Static_assert(sizeof(aes_schedule) <= MPC_AES_SCHEDULE_BYTES, "MPC_AES_SCHEDULE_BYTES too small");

/* ---- dispatching functions (aes.c), any CPU ------------------------------------------------ */

/* Expand key16; impl MPC_AES_AUTO / MPC_AES_NI / MPC_AES_PORTABLE.  MPC_ERR_UNSUPPORTED when
 * MPC_AES_NI is asked on a CPU without it, MPC_ERR_ARGUMENT for another impl value. */
int aes_schedule_init(aes_schedule *schedule, const uint8_t key16[16], int impl);
/* Copy an exported schedule buffer (any alignment) into an aligned struct and validate it. */
int aes_schedule_import(aes_schedule *schedule, const uint8_t *schedule_bytes);
/* 1 if the CPU has AES-NI. */
int aes_cpu_has_ni(void);

/* out[j] = AES_k(in[j]), n blocks; in == out allowed.  NI: 8 blocks in flight. */
void aes_encrypt_blocks(const aes_schedule *schedule, const uint8_t *in, uint8_t *out, size_t n);
/* n blocks of the GKWY hashes; in == out allowed.  tweaks: n uint64 values, one per block. */
void aes_hash_cr_blocks(const aes_schedule *schedule, const uint8_t *in, uint8_t *out, size_t n);
void aes_hash_ccr_blocks(const aes_schedule *schedule, const uint8_t *in, uint8_t *out, size_t n);
void aes_hash_tccr_blocks(const aes_schedule *schedule, const uint8_t *in, const uint64_t *tweaks,
                          uint8_t *out, size_t n);
/* Keystream blocks AES_k(0^64 || be64(counter + j)), j < n; caller checks counter + n <= 2^64. */
void aes_ctr_blocks(const aes_schedule *schedule, uint64_t counter, uint8_t *out, size_t n);

/* The constant-time portable implementation (aes_portable.c), used by the dispatchers. */
void aes_portable_expand_key(const uint8_t key16[16], uint8_t round_keys[AES_ROUNDS + 1][16]);
void aes_portable_encrypt_blocks(const aes_schedule *schedule, const uint8_t *in, uint8_t *out,
                                 size_t n);

/* ---- inline helpers needing no AES-NI --------------------------------------------------------- */

/* GKWY orthomorphism sigma(xL || xR) = (xL ^ xR) || xL, xL = high 64 bits. */
static inline __m128i gkwy_sigma(__m128i x)
{
    __m128i swapped = _mm_shuffle_epi32(x, 0x4E);             /* (xR || xL) */
    __m128i high_only = _mm_and_si128(x, _mm_set_epi64x(-1, 0)); /* (xL || 0)  */
    return _mm_xor_si128(swapped, high_only);                  /* (xR^xL || xL) */
}

/* The tweak block of uint64 tweak i: i in the low 64 bits, zero high 64 bits. */
static inline __m128i aes_tweak_block(uint64_t tweak)
{
    return _mm_set_epi64x(0, (long long)tweak);
}

/* ---- AES-NI inline helpers: ONLY when schedule->impl == MPC_AES_NI, from AES_NI_TARGET code --- */

/* Load the 11 round keys into a local array (keep it in registers across a loop). */
static inline void aes_ni_load_keys(const aes_schedule *schedule, __m128i rk[AES_ROUNDS + 1])
{
    for (int r = 0; r <= AES_ROUNDS; r++)
        rk[r] = _mm_load_si128((const __m128i *)schedule->round_keys[r]);
}

AES_NI_TARGET static inline __m128i aes_ni_encrypt1(const __m128i rk[AES_ROUNDS + 1], __m128i b)
{
    b = _mm_xor_si128(b, rk[0]);
    for (int r = 1; r < AES_ROUNDS; r++)
        b = _mm_aesenc_si128(b, rk[r]);
    return _mm_aesenclast_si128(b, rk[AES_ROUNDS]);
}

/* Encrypt blocks b[0..3] in place, 4 in flight. */
AES_NI_TARGET static inline void aes_ni_encrypt4(const __m128i rk[AES_ROUNDS + 1], __m128i b[4])
{
    for (int j = 0; j < 4; j++)
        b[j] = _mm_xor_si128(b[j], rk[0]);
    for (int r = 1; r < AES_ROUNDS; r++)
        for (int j = 0; j < 4; j++)
            b[j] = _mm_aesenc_si128(b[j], rk[r]);
    for (int j = 0; j < 4; j++)
        b[j] = _mm_aesenclast_si128(b[j], rk[AES_ROUNDS]);
}

/* Encrypt blocks b[0..7] in place, 8 in flight (hides the aesenc latency). */
AES_NI_TARGET static inline void aes_ni_encrypt8(const __m128i rk[AES_ROUNDS + 1], __m128i b[8])
{
    for (int j = 0; j < 8; j++)
        b[j] = _mm_xor_si128(b[j], rk[0]);
    for (int r = 1; r < AES_ROUNDS; r++)
        for (int j = 0; j < 8; j++)
            b[j] = _mm_aesenc_si128(b[j], rk[r]);
    for (int j = 0; j < 8; j++)
        b[j] = _mm_aesenclast_si128(b[j], rk[AES_ROUNDS]);
}

/* Encrypt n blocks in place, 8 at a time, then the tail. */
AES_NI_TARGET static inline void aes_ni_encrypt_many(const __m128i rk[AES_ROUNDS + 1], __m128i *b,
                                                     size_t n)
{
    size_t full = n & ~(size_t)7;
    for (size_t j = 0; j < full; j += 8)
        aes_ni_encrypt8(rk, b + j);
    for (size_t t = 0; t < (n & 7); t++)
        b[full + t] = aes_ni_encrypt1(rk, b[full + t]);
}

/* TCCR(x[j], tweak[j]) for j < 4 in place (half-gates garbling: 4 hashes per AND gate).
 * Tweaks are full blocks (use aes_tweak_block). */
AES_NI_TARGET static inline void aes_ni_tccr4(const __m128i rk[AES_ROUNDS + 1], __m128i x[4],
                                              const __m128i tweak[4])
{
    __m128i u[4];
    for (int j = 0; j < 4; j++)
        u[j] = x[j];
    aes_ni_encrypt4(rk, u);                          /* u = pi(x) */
    for (int j = 0; j < 4; j++)
        x[j] = _mm_xor_si128(u[j], tweak[j]);
    aes_ni_encrypt4(rk, x);                          /* x = pi(pi(x) ^ i) */
    for (int j = 0; j < 4; j++)
        x[j] = _mm_xor_si128(x[j], u[j]);
}

/* TCCR of two blocks in place (half-gates evaluator: 2 hashes per AND gate). */
AES_NI_TARGET static inline void aes_ni_tccr2(const __m128i rk[AES_ROUNDS + 1], __m128i x[2],
                                              const __m128i tweak[2])
{
    __m128i u0 = aes_ni_encrypt1(rk, x[0]);  /* independent chains: they interleave once inlined */
    __m128i u1 = aes_ni_encrypt1(rk, x[1]);
    x[0] = _mm_xor_si128(aes_ni_encrypt1(rk, _mm_xor_si128(u0, tweak[0])), u0);
    x[1] = _mm_xor_si128(aes_ni_encrypt1(rk, _mm_xor_si128(u1, tweak[1])), u1);
}

/* TCCR of n blocks in place with per-block tweak blocks, 8 at a time. */
AES_NI_TARGET static inline void aes_ni_tccr_many(const __m128i rk[AES_ROUNDS + 1], __m128i *x,
                                                  const __m128i *tweak, size_t n)
{
    for (size_t j = 0; j < n; j += 8) {
        size_t m = n - j < 8 ? n - j : 8;
        __m128i u[8], v[8];
        for (size_t t = 0; t < m; t++)
            u[t] = x[j + t];
        for (size_t t = m; t < 8; t++)
            u[t] = _mm_setzero_si128();
        aes_ni_encrypt8(rk, u);
        for (size_t t = 0; t < 8; t++)
            v[t] = t < m ? _mm_xor_si128(u[t], tweak[j + t]) : u[t];
        aes_ni_encrypt8(rk, v);
        for (size_t t = 0; t < m; t++)
            x[j + t] = _mm_xor_si128(v[t], u[t]);
    }
}

/* CR(x) = pi(x) ^ x (ccr = 0) or CCR(x) = pi(sigma(x)) ^ sigma(x) (ccr = 1) of n blocks in place,
 * 8 at a time. */
AES_NI_TARGET static inline void aes_ni_cr_or_ccr_many(const __m128i rk[AES_ROUNDS + 1], __m128i *x,
                                                       size_t n, int ccr)
{
    for (size_t j = 0; j < n; j += 8) {
        size_t m = n - j < 8 ? n - j : 8;
        __m128i in[8], u[8];
        for (size_t t = 0; t < 8; t++) {
            in[t] = t < m ? x[j + t] : _mm_setzero_si128();
            if (ccr)
                in[t] = gkwy_sigma(in[t]);
            u[t] = in[t];
        }
        aes_ni_encrypt8(rk, u);
        for (size_t t = 0; t < m; t++)
            x[j + t] = _mm_xor_si128(u[t], in[t]);
    }
}

/* CR of n blocks in place (OT-extension rows). */
AES_NI_TARGET static inline void aes_ni_cr_many(const __m128i rk[AES_ROUNDS + 1], __m128i *x, size_t n)
{
    aes_ni_cr_or_ccr_many(rk, x, n, 0);
}

/* CCR of n blocks in place. */
AES_NI_TARGET static inline void aes_ni_ccr_many(const __m128i rk[AES_ROUNDS + 1], __m128i *x, size_t n)
{
    aes_ni_cr_or_ccr_many(rk, x, n, 1);
}

#endif
