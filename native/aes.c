/* Fixed-key AES-128 (AES-NI path + dispatch to the constant-time portable path), the AES-CTR PRG
 * and the Guo-Katz-Wang-Yu hashes.  Spec: protocols/primitives.md.  API: mpc_aes.h (exported),
 * internal_aes.h (for other C files).  The implementation choice lives in each key schedule. */
#include <string.h>

#include "internal_aes.h"

/* Hash kernels work through a stack buffer of this many blocks so that in == out is safe and the
 * portable path (64 blocks per bitsliced batch) runs on full batches. */
#define HASH_CHUNK_BLOCKS 256

int aes_cpu_has_ni(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse4.1");
#else
    return 0;
#endif
}

/* ---- AES-NI ---------------------------------------------------------------------------------- */

AES_NI_TARGET static __m128i expand_step(__m128i key, __m128i assist)
{
    /* assist holds RotWord(SubWord(w3)) ^ rcon in every 32-bit lane after the shuffle; the
     * shifted XORs form w0, w0^w1, w0^w1^w2, w0^w1^w2^w3 of the previous round key. */
    assist = _mm_shuffle_epi32(assist, 0xFF);
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    return _mm_xor_si128(key, assist);
}

AES_NI_TARGET static void ni_expand_key(const uint8_t key16[16], uint8_t round_keys[AES_ROUNDS + 1][16])
{
    __m128i rk[AES_ROUNDS + 1];
    rk[0] = _mm_loadu_si128((const __m128i *)key16);
    /* aeskeygenassist needs its round constant as an immediate, hence the unrolled steps. */
    rk[1] = expand_step(rk[0], _mm_aeskeygenassist_si128(rk[0], 0x01));
    rk[2] = expand_step(rk[1], _mm_aeskeygenassist_si128(rk[1], 0x02));
    rk[3] = expand_step(rk[2], _mm_aeskeygenassist_si128(rk[2], 0x04));
    rk[4] = expand_step(rk[3], _mm_aeskeygenassist_si128(rk[3], 0x08));
    rk[5] = expand_step(rk[4], _mm_aeskeygenassist_si128(rk[4], 0x10));
    rk[6] = expand_step(rk[5], _mm_aeskeygenassist_si128(rk[5], 0x20));
    rk[7] = expand_step(rk[6], _mm_aeskeygenassist_si128(rk[6], 0x40));
    rk[8] = expand_step(rk[7], _mm_aeskeygenassist_si128(rk[7], 0x80));
    rk[9] = expand_step(rk[8], _mm_aeskeygenassist_si128(rk[8], 0x1B));
    rk[10] = expand_step(rk[9], _mm_aeskeygenassist_si128(rk[9], 0x36));
    for (int r = 0; r <= AES_ROUNDS; r++)
        _mm_storeu_si128((__m128i *)round_keys[r], rk[r]);
}

AES_NI_TARGET static void ni_encrypt_blocks(const aes_schedule *s, const uint8_t *in, uint8_t *out,
                                            size_t n)
{
    __m128i rk[AES_ROUNDS + 1];
    aes_ni_load_keys(s, rk);
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m128i b[8];
        for (int t = 0; t < 8; t++)
            b[t] = _mm_loadu_si128((const __m128i *)(in + 16 * (j + t)));
        aes_ni_encrypt8(rk, b);
        for (int t = 0; t < 8; t++)
            _mm_storeu_si128((__m128i *)(out + 16 * (j + t)), b[t]);
    }
    for (; j < n; j++) {
        __m128i b = _mm_loadu_si128((const __m128i *)(in + 16 * j));
        _mm_storeu_si128((__m128i *)(out + 16 * j), aes_ni_encrypt1(rk, b));
    }
}

static inline uint64_t be64(uint64_t x) { return __builtin_bswap64(x); }

AES_NI_TARGET static void ni_ctr_blocks(const aes_schedule *s, uint64_t counter, uint8_t *out, size_t n)
{
    __m128i rk[AES_ROUNDS + 1];
    aes_ni_load_keys(s, rk);
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m128i b[8];
        for (int t = 0; t < 8; t++) /* bytes 0..7 zero, bytes 8..15 big-endian counter */
            b[t] = _mm_set_epi64x((long long)be64(counter + j + t), 0);
        aes_ni_encrypt8(rk, b);
        for (int t = 0; t < 8; t++)
            _mm_storeu_si128((__m128i *)(out + 16 * (j + t)), b[t]);
    }
    for (; j < n; j++) {
        __m128i b = _mm_set_epi64x((long long)be64(counter + j), 0);
        _mm_storeu_si128((__m128i *)(out + 16 * j), aes_ni_encrypt1(rk, b));
    }
}

enum hash_kind { HASH_CR, HASH_CCR, HASH_TCCR };

/* One group of up to 8 blocks (8 in flight).  Inlined into a loop per hash kind so that the
 * kind and the full-group case are compile-time constants in the hot loop (measured: a generic loop
 * with run-time flags, or 64-block chunks per AES layer, ran 10-40% slower on Zen). */
AES_NI_TARGET static inline void ni_hash_group(const __m128i rk[AES_ROUNDS + 1], enum hash_kind kind,
                                               const uint8_t *in, const uint64_t *tweaks, uint8_t *out,
                                               size_t m)
{
    __m128i x[8], u[8];
    for (size_t t = 0; t < 8; t++) {
        x[t] = t < m ? _mm_loadu_si128((const __m128i *)(in + 16 * t)) : _mm_setzero_si128();
        if (kind == HASH_CCR)
            x[t] = gkwy_sigma(x[t]);
        u[t] = x[t];
    }
    aes_ni_encrypt8(rk, u); /* u = pi(x') with x' = x or sigma(x) */
    if (kind == HASH_TCCR) {
        for (size_t t = 0; t < 8; t++)
            x[t] = _mm_xor_si128(u[t], aes_tweak_block(t < m ? tweaks[t] : 0));
        aes_ni_encrypt8(rk, x); /* x = pi(pi(x) ^ i) */
    }
    for (size_t t = 0; t < m; t++)
        _mm_storeu_si128((__m128i *)(out + 16 * t), _mm_xor_si128(x[t], u[t]));
}

AES_NI_TARGET static void ni_hash_blocks(const aes_schedule *s, enum hash_kind kind, const uint8_t *in,
                                         const uint64_t *tweaks, uint8_t *out, size_t n)
{
    __m128i rk[AES_ROUNDS + 1];
    aes_ni_load_keys(s, rk);
    size_t full = n & ~(size_t)7;
    switch (kind) {
    case HASH_CR:
        for (size_t j = 0; j < full; j += 8)
            ni_hash_group(rk, HASH_CR, in + 16 * j, NULL, out + 16 * j, 8);
        break;
    case HASH_CCR:
        for (size_t j = 0; j < full; j += 8)
            ni_hash_group(rk, HASH_CCR, in + 16 * j, NULL, out + 16 * j, 8);
        break;
    case HASH_TCCR:
        for (size_t j = 0; j < full; j += 8)
            ni_hash_group(rk, HASH_TCCR, in + 16 * j, tweaks + j, out + 16 * j, 8);
        break;
    }
    if (full < n)
        ni_hash_group(rk, kind, in + 16 * full, tweaks ? tweaks + full : NULL, out + 16 * full, n - full);
}

/* ---- dispatch ---------------------------------------------------------------------------------- */

int aes_schedule_init(aes_schedule *s, const uint8_t key16[16], int impl)
{
    if (s == NULL || key16 == NULL)
        return MPC_ERR_ARGUMENT;
    int has_ni = aes_cpu_has_ni();
    if (impl == MPC_AES_AUTO)
        impl = has_ni ? MPC_AES_NI : MPC_AES_PORTABLE;
    else if (impl == MPC_AES_NI && !has_ni)
        return MPC_ERR_UNSUPPORTED;
    else if (impl != MPC_AES_NI && impl != MPC_AES_PORTABLE)
        return MPC_ERR_ARGUMENT;
    memset(s, 0, sizeof *s);
    if (impl == MPC_AES_NI)
        ni_expand_key(key16, s->round_keys);
    else
        aes_portable_expand_key(key16, s->round_keys);
    s->impl = (uint32_t)impl;
    s->magic = AES_SCHEDULE_MAGIC;
    return MPC_OK;
}

int aes_schedule_import(aes_schedule *s, const uint8_t *schedule_bytes)
{
    if (s == NULL || schedule_bytes == NULL)
        return MPC_ERR_ARGUMENT;
    memcpy(s, schedule_bytes, sizeof *s);
    if (s->magic != AES_SCHEDULE_MAGIC)
        return MPC_ERR_ARGUMENT;
    if (s->impl == MPC_AES_NI) {
        /* A schedule made on another machine (or forged) must not run NI code on a CPU without. */
        if (!aes_cpu_has_ni())
            return MPC_ERR_UNSUPPORTED;
    } else if (s->impl != MPC_AES_PORTABLE) {
        return MPC_ERR_ARGUMENT;
    }
    return MPC_OK;
}

void aes_encrypt_blocks(const aes_schedule *s, const uint8_t *in, uint8_t *out, size_t n)
{
    if (s->impl == MPC_AES_NI)
        ni_encrypt_blocks(s, in, out, n);
    else
        aes_portable_encrypt_blocks(s, in, out, n);
}

void aes_ctr_blocks(const aes_schedule *s, uint64_t counter, uint8_t *out, size_t n)
{
    if (s->impl == MPC_AES_NI) {
        ni_ctr_blocks(s, counter, out, n);
        return;
    }
    for (size_t j = 0; j < n; j++) {
        memset(out + 16 * j, 0, 8);
        uint64_t c = be64(counter + j);
        memcpy(out + 16 * j + 8, &c, 8);
    }
    aes_portable_encrypt_blocks(s, out, out, n);
}

static void load_le64x2(const uint8_t *p, uint64_t *lo, uint64_t *hi)
{
    memcpy(lo, p, 8);
    memcpy(hi, p + 8, 8);
}

static void store_le64x2(uint8_t *p, uint64_t lo, uint64_t hi)
{
    memcpy(p, &lo, 8);
    memcpy(p + 8, &hi, 8);
}

static void xor_blocks(uint8_t *dst, const uint8_t *src, size_t nbytes)
{
    for (size_t k = 0; k < nbytes; k++)
        dst[k] ^= src[k];
}

/* Portable hashes, chunked through stack buffers (no malloc): same formulas as ni_hash_blocks. */
static void portable_hash_blocks(const aes_schedule *s, enum hash_kind kind, const uint8_t *in,
                                 const uint64_t *tweaks, uint8_t *out, size_t n)
{
    uint8_t x[HASH_CHUNK_BLOCKS * 16], u[HASH_CHUNK_BLOCKS * 16];
    int use_sigma = kind == HASH_CCR;
    int tweakable = kind == HASH_TCCR;
    for (size_t j = 0; j < n; j += HASH_CHUNK_BLOCKS) {
        size_t m = n - j < HASH_CHUNK_BLOCKS ? n - j : HASH_CHUNK_BLOCKS;
        memcpy(x, in + 16 * j, 16 * m);
        if (use_sigma) {
            for (size_t t = 0; t < m; t++) {
                uint64_t lo, hi;  /* sigma(hi || lo) = (hi ^ lo) || hi */
                load_le64x2(x + 16 * t, &lo, &hi);
                store_le64x2(x + 16 * t, hi, hi ^ lo);
            }
        }
        aes_portable_encrypt_blocks(s, x, u, m);  /* u = pi(x') */
        if (tweakable) {
            memcpy(x, u, 16 * m);
            for (size_t t = 0; t < m; t++) {
                uint64_t lo, hi;
                load_le64x2(x + 16 * t, &lo, &hi);
                store_le64x2(x + 16 * t, lo ^ tweaks[j + t], hi);
            }
            aes_portable_encrypt_blocks(s, x, x, m);  /* x = pi(pi(x') ^ i) */
        }
        xor_blocks(x, u, 16 * m);
        memcpy(out + 16 * j, x, 16 * m);
    }
}

static void hash_blocks(const aes_schedule *s, enum hash_kind kind, const uint8_t *in,
                        const uint64_t *tweaks, uint8_t *out, size_t n)
{
    if (s->impl == MPC_AES_NI)
        ni_hash_blocks(s, kind, in, tweaks, out, n);
    else
        portable_hash_blocks(s, kind, in, tweaks, out, n);
}

void aes_hash_cr_blocks(const aes_schedule *s, const uint8_t *in, uint8_t *out, size_t n)
{
    hash_blocks(s, HASH_CR, in, NULL, out, n);
}

void aes_hash_ccr_blocks(const aes_schedule *s, const uint8_t *in, uint8_t *out, size_t n)
{
    hash_blocks(s, HASH_CCR, in, NULL, out, n);
}

void aes_hash_tccr_blocks(const aes_schedule *s, const uint8_t *in, const uint64_t *tweaks,
                          uint8_t *out, size_t n)
{
    hash_blocks(s, HASH_TCCR, in, tweaks, out, n);
}

/* ---- exported kernels (mpc_aes.h) ------------------------------------------------------------ */

int mpc_aes_has_ni(void) { return aes_cpu_has_ni(); }

int mpc_aes_schedule_init(uint8_t *schedule, const uint8_t *key16, int impl)
{
    if (schedule == NULL || key16 == NULL)
        return MPC_ERR_ARGUMENT;
    aes_schedule s;
    int rc = aes_schedule_init(&s, key16, impl);
    if (rc != MPC_OK)
        return rc;
    memset(schedule, 0, MPC_AES_SCHEDULE_BYTES);
    memcpy(schedule, &s, sizeof s);
    return MPC_OK;
}

int mpc_aes_schedule_impl(const uint8_t *schedule)
{
    aes_schedule s;
    int rc = aes_schedule_import(&s, schedule);
    return rc != MPC_OK ? rc : (int)s.impl;
}

int mpc_aes_encrypt_blocks(const uint8_t *schedule, const uint8_t *in, uint8_t *out, size_t nblocks)
{
    aes_schedule s;
    int rc = aes_schedule_import(&s, schedule);
    if (rc != MPC_OK)
        return rc;
    if (nblocks > 0 && (in == NULL || out == NULL))
        return MPC_ERR_ARGUMENT;
    aes_encrypt_blocks(&s, in, out, nblocks);
    return MPC_OK;
}

int mpc_prg_fill(const uint8_t *schedule, uint64_t counter, uint8_t *out, size_t nbytes)
{
    aes_schedule s;
    int rc = aes_schedule_import(&s, schedule);
    if (rc != MPC_OK)
        return rc;
    if (nbytes == 0)
        return MPC_OK;
    if (out == NULL)
        return MPC_ERR_ARGUMENT;
    size_t full = nbytes / 16, tail = nbytes % 16;
    uint64_t blocks = (uint64_t)full + (tail != 0);
    /* counter + blocks <= 2^64: no counter value is used twice under one key. */
    if (blocks - 1 > UINT64_MAX - counter)
        return MPC_ERR_ARGUMENT;
    aes_ctr_blocks(&s, counter, out, full);
    if (tail) {
        uint8_t last[16];
        aes_ctr_blocks(&s, counter + full, last, 1);
        memcpy(out + 16 * full, last, tail);
    }
    return MPC_OK;
}

static int hash_entry(const uint8_t *schedule, enum hash_kind kind, const uint8_t *in,
                      const uint64_t *tweaks, uint8_t *out, size_t nblocks)
{
    aes_schedule s;
    int rc = aes_schedule_import(&s, schedule);
    if (rc != MPC_OK)
        return rc;
    if (nblocks == 0)
        return MPC_OK;
    if (in == NULL || out == NULL || ((kind == HASH_TCCR) && tweaks == NULL))
        return MPC_ERR_ARGUMENT;
    hash_blocks(&s, kind, in, tweaks, out, nblocks);
    return MPC_OK;
}

int mpc_hash_cr(const uint8_t *schedule, const uint8_t *in, uint8_t *out, size_t nblocks)
{
    return hash_entry(schedule, HASH_CR, in, NULL, out, nblocks);
}

int mpc_hash_ccr(const uint8_t *schedule, const uint8_t *in, uint8_t *out, size_t nblocks)
{
    return hash_entry(schedule, HASH_CCR, in, NULL, out, nblocks);
}

int mpc_hash_tccr(const uint8_t *schedule, const uint8_t *in, const uint64_t *tweaks, uint8_t *out,
                  size_t nblocks)
{
    return hash_entry(schedule, HASH_TCCR, in, tweaks, out, nblocks);
}
