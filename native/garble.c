/* Half-gates garbling and evaluation of a whole circuit (spec: protocols/gc-halfgates.md).
 *
 * Zahur, Rosulek, Evans, "Two Halves Make a Whole" (Eurocrypt 2015), figure 2, with free-XOR and
 * point-and-permute; hash H = TCCR of Guo, Katz, Wang, Yu (S&P 2020) under the per-session AES key.
 * Speed comes from hashing several AND gates together: AND gates are queued while no queued gate's
 * output is needed, then all their hashes go through AES-NI with 8 blocks in flight (an AND gate is
 * 4 hash inputs for the garbler, 2 for the evaluator, each hash two dependent AES passes). */
#include <stdlib.h>
#include <string.h>

#include <immintrin.h>

#include "internal_aes.h"
#include "internal_garble.h"
#include "mpc_garble.h"

#define GARBLE_QUEUE 8   /* AND gates per garbler hash batch: 32 blocks, 8 in flight */
#define EVAL_QUEUE 16    /* AND gates per evaluator hash batch: 32 blocks */

static inline __m128i load_block(const uint8_t *p) { return _mm_loadu_si128((const __m128i *)p); }
static inline void store_block(uint8_t *p, __m128i v) { _mm_storeu_si128((__m128i *)p, v); }

/* All ones when the permute bit (LSB of byte 0) of x is 1, else all zeros: branch-free select. */
static inline __m128i lsb_mask(__m128i x)
{
    __m128i bit = _mm_and_si128(x, _mm_set_epi64x(0, 1));
    bit = _mm_unpacklo_epi64(bit, bit);
    return _mm_sub_epi64(_mm_setzero_si128(), bit);
}

/* A 128-bit filter of the queued AND gates' output wires (bit w mod 128): most AND gates read
 * no queued wire, and the filter says so without scanning the queue. */
static inline int filter_hit(const uint64_t filter[2], uint32_t w)
{
    return (int)((filter[(w >> 6) & 1] >> (w & 63)) & 1);
}

/* Does AND gate w read a wire that a queued AND gate has not written yet?  Only AND gates ask:
 * any other gate flushes the queue first, which costs nothing extra in scheduled order (the AND
 * gates of one level are consecutive, see mpc_garble_schedule) and keeps the check off the XOR
 * path. */
static inline int reads_queued(const uint32_t *w, const uint32_t *queued_out, int queued,
                               const uint64_t filter[2])
{
    if (!filter_hit(filter, w[0]) && !filter_hit(filter, w[1]))
        return 0;
    for (int q = 0; q < queued; q++)
        if (queued_out[q] == w[0] || queued_out[q] == w[1])
            return 1;
    return 0;
}

/* TCCR(x, i) = pi(pi(x) ^ i) ^ pi(x) of n blocks in place (n <= 32), 8 or 4 in flight, short
 * tails padded to 4; must equal aes_hash_tccr_blocks (tested through the portable schedule). */
typedef void (*tccr_fn)(const void *key, __m128i *x, const __m128i *tweak, int n);

/* Called once per batch of AND gates, so the indirect call costs little next to 2 x 16 AES. */
AES_NI_TARGET static void tccr_ni(const void *key, __m128i *x, const __m128i *tweak, int n)
{
    const __m128i *rk = key;
    __m128i u[32];
    int padded = (n + 3) & ~3;
    for (int j = 0; j < n; j++)
        u[j] = x[j];
    for (int j = n; j < padded; j++)
        u[j] = _mm_setzero_si128();
    int j = 0;
    for (; j + 8 <= padded; j += 8)
        aes_ni_encrypt8(rk, u + j);
    if (j < padded)
        aes_ni_encrypt4(rk, u + j);
    for (j = 0; j < padded; j++)
        x[j] = _mm_xor_si128(u[j], j < n ? tweak[j] : _mm_setzero_si128());
    for (j = 0; j + 8 <= padded; j += 8)
        aes_ni_encrypt8(rk, x + j);
    if (j < padded)
        aes_ni_encrypt4(rk, x + j);
    for (j = 0; j < n; j++)
        x[j] = _mm_xor_si128(x[j], u[j]);
}

/* VAES path (AVX2 width): two blocks per aesenc, 16 blocks in flight.  Same function as
 * tccr_ni (tested bit for bit against the portable path on CPUs that have VAES). */
#define VAES_TARGET __attribute__((target("vaes,avx2,aes,sse4.1")))

VAES_TARGET static inline __attribute__((always_inline)) void
vaes_encrypt(__m256i *b, const __m256i *k, const int count)
{
    for (int j = 0; j < count; j++)
        b[j] = _mm256_xor_si256(b[j], k[0]);
    for (int r = 1; r < AES_ROUNDS; r++)
        for (int j = 0; j < count; j++)
            b[j] = _mm256_aesenc_epi128(b[j], k[r]);
    for (int j = 0; j < count; j++)
        b[j] = _mm256_aesenclast_epi128(b[j], k[AES_ROUNDS]);
}

/* pi over `pairs` block pairs (pairs <= 16, any count): 8 pairs at a time, then 4, 2, 1. */
VAES_TARGET static inline __attribute__((always_inline)) void
vaes_encrypt_pairs(__m256i *b, const __m256i *k, int pairs)
{
    int j = 0;
    for (; j + 8 <= pairs; j += 8)
        vaes_encrypt(b + j, k, 8);
    if (j + 4 <= pairs) {
        vaes_encrypt(b + j, k, 4);
        j += 4;
    }
    if (j + 2 <= pairs) {
        vaes_encrypt(b + j, k, 2);
        j += 2;
    }
    if (j < pairs)
        vaes_encrypt(b + j, k, 1);
}

VAES_TARGET static void tccr_vaes(const void *key, __m128i *x, const __m128i *tweak, int n)
{
    const __m128i *rk = key;
    __m256i k[AES_ROUNDS + 1], u[16], v[16];
    for (int r = 0; r <= AES_ROUNDS; r++)
        k[r] = _mm256_broadcastsi128_si256(rk[r]);
    int pairs = (n + 1) / 2;
    for (int j = 0; j < pairs; j++) {
        __m128i hi = 2 * j + 1 < n ? x[2 * j + 1] : _mm_setzero_si128();
        u[j] = _mm256_set_m128i(hi, x[2 * j]);
    }
    vaes_encrypt_pairs(u, k, pairs);                       /* u = pi(x) */
    for (int j = 0; j < pairs; j++) {
        __m128i hi = 2 * j + 1 < n ? tweak[2 * j + 1] : _mm_setzero_si128();
        v[j] = _mm256_xor_si256(u[j], _mm256_set_m128i(hi, tweak[2 * j]));
    }
    vaes_encrypt_pairs(v, k, pairs);                       /* v = pi(pi(x) ^ i) */
    for (int j = 0; j < pairs; j++) {
        __m256i h = _mm256_xor_si256(v[j], u[j]);
        x[2 * j] = _mm256_castsi256_si128(h);
        if (2 * j + 1 < n)
            x[2 * j + 1] = _mm256_extracti128_si256(h, 1);
    }
}

/* VAES is used when the CPU has it and the caller did not pass MPC_GARBLE_NO_VAES (tests do, to
 * check the 128-bit AES-NI path too). */
static int cpu_has_vaes(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("vaes") && __builtin_cpu_supports("avx2");
}

/* The portable path hashes through the dispatching AES (constant-time bitsliced code). */
static void tccr_portable(const void *key, __m128i *x, const __m128i *tweak, int n)
{
    const aes_schedule *s = key;
    uint8_t buf[32 * 16];
    uint64_t t[32];
    for (int j = 0; j < n; j++) {
        store_block(buf + 16 * j, x[j]);
        t[j] = (uint64_t)_mm_cvtsi128_si64(tweak[j]);
    }
    aes_hash_tccr_blocks(s, buf, t, buf, (size_t)n);
    for (int j = 0; j < n; j++)
        x[j] = load_block(buf + 16 * j);
}

typedef struct and_queue {
    int count;
    uint64_t filter[2];
    uint32_t out[EVAL_QUEUE];
    uint64_t gate_id[EVAL_QUEUE];  /* tweak_base + AND index */
    __m128i a[EVAL_QUEUE], b[EVAL_QUEUE];
} and_queue;

/* Queue AND gate w (inputs w[0], w[1], output w[2]) for the next hash batch; returns the queue
 * length.  Shared by garbler and evaluator, which differ only in what a flush computes. */
static inline int and_queue_push(and_queue *q, const uint32_t *w, const uint8_t *labels,
                                 uint64_t gate_id)
{
    q->out[q->count] = w[2];
    q->filter[(w[2] >> 6) & 1] |= (uint64_t)1 << (w[2] & 63);
    q->gate_id[q->count] = gate_id;
    q->a[q->count] = load_block(labels + 16 * (size_t)w[0]);
    q->b[q->count] = load_block(labels + 16 * (size_t)w[1]);
    return ++q->count;
}

/* ---- garbler --------------------------------------------------------------------------------- */

static inline void garble_flush(tccr_fn hash, const void *key, __m128i delta,
                                and_queue *q, uint8_t *labels, uint8_t *tables, uint64_t tweak_base)
{
    __m128i h[4 * GARBLE_QUEUE], t[4 * GARBLE_QUEUE];
    int n = q->count;
    for (int k = 0; k < n; k++) {
        __m128i j0 = aes_tweak_block(2 * q->gate_id[k]), j1 = aes_tweak_block(2 * q->gate_id[k] + 1);
        h[4 * k + 0] = q->a[k];
        h[4 * k + 1] = _mm_xor_si128(q->a[k], delta);
        h[4 * k + 2] = q->b[k];
        h[4 * k + 3] = _mm_xor_si128(q->b[k], delta);
        t[4 * k + 0] = t[4 * k + 1] = j0;
        t[4 * k + 2] = t[4 * k + 3] = j1;
    }
    hash(key, h, t, 4 * n);
    for (int k = 0; k < n; k++) {
        __m128i a0 = q->a[k], b0 = q->b[k];
        __m128i pa = lsb_mask(a0), pb = lsb_mask(b0);
        __m128i ha0 = h[4 * k], ha1 = h[4 * k + 1], hb0 = h[4 * k + 2], hb1 = h[4 * k + 3];
        /* generator half: TG = H(A0) ^ H(A1) ^ pb*delta, WG0 = H(A0) ^ pa*TG */
        __m128i tg = _mm_xor_si128(_mm_xor_si128(ha0, ha1), _mm_and_si128(pb, delta));
        __m128i wg0 = _mm_xor_si128(ha0, _mm_and_si128(pa, tg));
        /* evaluator half: TE = H(B0) ^ H(B1) ^ A0, WE0 = H(B0) ^ pb*(TE ^ A0) */
        __m128i te = _mm_xor_si128(_mm_xor_si128(hb0, hb1), a0);
        __m128i we0 = _mm_xor_si128(hb0, _mm_and_si128(pb, _mm_xor_si128(te, a0)));
        uint8_t *table = tables + 32 * (q->gate_id[k] - tweak_base);
        store_block(table, tg);
        store_block(table + 16, te);
        store_block(labels + 16 * (size_t)q->out[k], _mm_xor_si128(wg0, we0));
    }
    q->count = 0;
    q->filter[0] = q->filter[1] = 0;
}

static inline int garble_run(tccr_fn hash, const void *key,
                             const uint8_t *kinds, const uint32_t *wires, size_t gate_count,
                             __m128i delta, uint64_t tweak_base, uint8_t *labels, uint8_t *tables)
{
    and_queue q;
    q.count = 0;
    q.filter[0] = q.filter[1] = 0;
    uint64_t and_index = 0;
    __m128i ones = _mm_set1_epi32(-1), zero = _mm_setzero_si128();
    const __m128i xor_mask[MPC_GATE_CONST + 1] = {ones, zero, zero, zero, zero};
    const __m128i inv_mask[MPC_GATE_CONST + 1] = {zero, zero, delta, zero, zero};
    for (size_t g = 0; g < gate_count; g++) {
        const uint32_t *w = wires + 3 * g;
        uint8_t kind = kinds[g];
        if (q.count && (kind != MPC_GATE_AND || reads_queued(w, q.out, q.count, q.filter)))
            garble_flush(hash, key, delta, &q, labels, tables, tweak_base);
        uint8_t *out = labels + 16 * (size_t)w[2];
        if (kind == MPC_GATE_AND) {
            if (and_queue_push(&q, w, labels, tweak_base + and_index++) == GARBLE_QUEUE)
                garble_flush(hash, key, delta, &q, labels, tables, tweak_base);
        } else if (kind != MPC_GATE_CONST) {
            /* XOR: a ^ b; INV: a ^ delta (the zero-label of NOT a is the one-label of a); COPY: a.
             * Branch-free on the kind, so mixed XOR/INV runs cost no mispredictions. */
            __m128i a = load_block(labels + 16 * (size_t)w[0]);
            __m128i b = load_block(labels + 16 * (size_t)w[1]);
            store_block(out, _mm_xor_si128(_mm_xor_si128(a, _mm_and_si128(b, xor_mask[kind])),
                                           inv_mask[kind]));
        } else { /* the evaluator holds the all-zero label, which means w[0] */
            store_block(out, w[0] ? delta : _mm_setzero_si128());
        }
    }
    if (q.count)
        garble_flush(hash, key, delta, &q, labels, tables, tweak_base);
    return MPC_OK;
}

AES_NI_TARGET static int garble_ni(const aes_schedule *s, const uint8_t *kinds, const uint32_t *wires,
                                   size_t gate_count, __m128i delta, uint64_t tweak_base,
                                   uint8_t *labels, uint8_t *tables, int use_vaes)
{
    __m128i rk[AES_ROUNDS + 1];
    aes_ni_load_keys(s, rk);
    return garble_run(use_vaes ? tccr_vaes : tccr_ni, rk, kinds, wires, gate_count, delta, tweak_base, labels, tables);
}

int mpc_garble_circuit(const uint8_t *kinds, const uint32_t *wires, size_t gate_count,
                       size_t wire_count, size_t input_count, const uint8_t *schedule,
                       const uint8_t *delta, uint64_t tweak_base, uint8_t *labels,
                       uint8_t *tables, size_t and_count, int flags)
{
    aes_schedule s;
    if ((!kinds || !wires) && gate_count)
        return MPC_ERR_ARGUMENT;
    if (!schedule || !delta || !labels || (!tables && and_count) || (delta[0] & 1) == 0)
        return MPC_ERR_ARGUMENT;
    if (tweak_base > (UINT64_MAX >> 1) - and_count)
        return MPC_ERR_ARGUMENT;
    if (aes_schedule_import(&s, schedule) != MPC_OK)
        return MPC_ERR_ARGUMENT;
    int rc = garble_check_circuit(kinds, wires, gate_count, wire_count, input_count, and_count);
    if (rc != MPC_OK)
        return rc;
    __m128i d = load_block(delta);
    if (s.impl == MPC_AES_NI)
        return garble_ni(&s, kinds, wires, gate_count, d, tweak_base, labels, tables,
                         !(flags & MPC_GARBLE_NO_VAES) && cpu_has_vaes());
    return garble_run(tccr_portable, &s, kinds, wires, gate_count, d, tweak_base, labels, tables);
}

/* ---- evaluator ------------------------------------------------------------------------------- */

static inline void evaluate_flush(tccr_fn hash, const void *key, and_queue *q,
                                  uint8_t *labels, const uint8_t *tables, uint64_t tweak_base)
{
    __m128i h[2 * EVAL_QUEUE], t[2 * EVAL_QUEUE];
    int n = q->count;
    for (int k = 0; k < n; k++) {
        h[2 * k] = q->a[k];
        h[2 * k + 1] = q->b[k];
        t[2 * k] = aes_tweak_block(2 * q->gate_id[k]);
        t[2 * k + 1] = aes_tweak_block(2 * q->gate_id[k] + 1);
    }
    hash(key, h, t, 2 * n);
    for (int k = 0; k < n; k++) {
        const uint8_t *table = tables + 32 * (q->gate_id[k] - tweak_base);
        __m128i a = q->a[k], b = q->b[k];
        __m128i tg = load_block(table), te = load_block(table + 16);
        __m128i wg = _mm_xor_si128(h[2 * k], _mm_and_si128(lsb_mask(a), tg));
        __m128i we = _mm_xor_si128(h[2 * k + 1], _mm_and_si128(lsb_mask(b), _mm_xor_si128(te, a)));
        store_block(labels + 16 * (size_t)q->out[k], _mm_xor_si128(wg, we));
    }
    q->count = 0;
    q->filter[0] = q->filter[1] = 0;
}

static inline int evaluate_run(tccr_fn hash, const void *key,
                               const uint8_t *kinds, const uint32_t *wires, size_t gate_count,
                               uint64_t tweak_base, uint8_t *labels, const uint8_t *tables)
{
    and_queue q;
    q.count = 0;
    q.filter[0] = q.filter[1] = 0;
    uint64_t and_index = 0;
    __m128i ones = _mm_set1_epi32(-1), zero = _mm_setzero_si128();
    const __m128i xor_mask[MPC_GATE_CONST + 1] = {ones, zero, zero, zero, zero};
    for (size_t g = 0; g < gate_count; g++) {
        const uint32_t *w = wires + 3 * g;
        uint8_t kind = kinds[g];
        if (q.count && (kind != MPC_GATE_AND || reads_queued(w, q.out, q.count, q.filter)))
            evaluate_flush(hash, key, &q, labels, tables, tweak_base);
        uint8_t *out = labels + 16 * (size_t)w[2];
        if (kind == MPC_GATE_AND) {
            if (and_queue_push(&q, w, labels, tweak_base + and_index++) == EVAL_QUEUE)
                evaluate_flush(hash, key, &q, labels, tables, tweak_base);
        } else if (kind != MPC_GATE_CONST) {
            /* XOR: a ^ b; INV and COPY keep the active label (the garbler swapped the meaning) */
            __m128i a = load_block(labels + 16 * (size_t)w[0]);
            __m128i b = load_block(labels + 16 * (size_t)w[1]);
            store_block(out, _mm_xor_si128(a, _mm_and_si128(b, xor_mask[kind])));
        } else {
            store_block(out, _mm_setzero_si128());
        }
    }
    if (q.count)
        evaluate_flush(hash, key, &q, labels, tables, tweak_base);
    return MPC_OK;
}

AES_NI_TARGET static int evaluate_ni(const aes_schedule *s, const uint8_t *kinds,
                                     const uint32_t *wires, size_t gate_count, uint64_t tweak_base,
                                     uint8_t *labels, const uint8_t *tables, int use_vaes)
{
    __m128i rk[AES_ROUNDS + 1];
    aes_ni_load_keys(s, rk);
    return evaluate_run(use_vaes ? tccr_vaes : tccr_ni, rk, kinds, wires, gate_count, tweak_base, labels, tables);
}

int mpc_garble_evaluate(const uint8_t *kinds, const uint32_t *wires, size_t gate_count,
                        size_t wire_count, size_t input_count, const uint8_t *schedule,
                        uint64_t tweak_base, uint8_t *labels, const uint8_t *tables,
                        size_t and_count, int flags)
{
    aes_schedule s;
    if ((!kinds || !wires) && gate_count)
        return MPC_ERR_ARGUMENT;
    if (!schedule || !labels || (!tables && and_count))
        return MPC_ERR_ARGUMENT;
    if (tweak_base > (UINT64_MAX >> 1) - and_count)
        return MPC_ERR_ARGUMENT;
    if (aes_schedule_import(&s, schedule) != MPC_OK)
        return MPC_ERR_ARGUMENT;
    int rc = garble_check_circuit(kinds, wires, gate_count, wire_count, input_count, and_count);
    if (rc != MPC_OK)
        return rc;
    if (s.impl == MPC_AES_NI)
        return evaluate_ni(&s, kinds, wires, gate_count, tweak_base, labels, tables,
                           !(flags & MPC_GARBLE_NO_VAES) && cpu_has_vaes());
    return evaluate_run(tccr_portable, &s, kinds, wires, gate_count, tweak_base, labels, tables);
}
