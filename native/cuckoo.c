/* KKRT-PSI identifier hashing and 3-way cuckoo hashing (spec: protocols/psi-kkrt.md, "Parameters").
 * Hashing runs on the thread pool; cuckoo insertion is one sequential pass (random walk with a
 * bounded number of evictions per insertion, no stash). */
#include "internal_kkrt.h"
#include "internal_pool.h"
#include "mpc_common.h"
#include "mpc_kkrt.h"
#include "mpc_ot.h"

#include <string.h>

#define EMPTY_BIN 0xFFFFFFFFu

typedef struct {
    const uint8_t *ids;
    const uint64_t *offsets;
    SHA256_CTX prefix;            /* after u32be(|domain|) || domain || 0x01 */
    const uint8_t *bin_schedule;
    uint64_t bins;
    uint8_t *items;
    uint32_t *bin_index;
} hash_job;

static inline uint32_t scale(uint64_t w, uint64_t bins)
{
    return (uint32_t)(((unsigned __int128)w * bins) >> 64);  /* floor(w * bins / 2^64) < bins */
}

OT_TARGET static int hash_chunk(void *arg, size_t begin, size_t end)
{
    hash_job *jb = arg;
    __m128i rk[11];
    for (int r = 0; r < 11; r++)
        rk[r] = _mm_loadu_si128((const __m128i *)(jb->bin_schedule + 16 * r));
    const __m128i ones = _mm_set1_epi8((char)0xff);
    for (size_t i = begin; i < end; i++) {
        uint64_t from = jb->offsets[i], to = jb->offsets[i + 1];
        if (to < from) return MPC_ERR_ARGUMENT;
        SHA256_CTX ctx = jb->prefix;
        uint8_t digest[32];
        SHA256_Update(&ctx, jb->ids + from, (size_t)(to - from));
        SHA256_Final(digest, &ctx);
        memcpy(jb->items + 16 * i, digest, 16);
        __m128i item = _mm_loadu_si128((const __m128i *)digest);
        uint64_t w[4];
        _mm_storeu_si128((__m128i *)w, ot_aes1(rk, item));
        _mm_storeu_si128((__m128i *)(w + 2), ot_aes1(rk, _mm_xor_si128(item, ones)));
        for (int k = 0; k < 3; k++)
            jb->bin_index[3 * i + k] = scale(w[k], jb->bins);
    }
    return MPC_OK;
}

int mpc_kkrt_hash_ids(const uint8_t *ids, const uint64_t *offsets, size_t count, const uint8_t *domain,
                      size_t domain_len, const uint8_t *bin_schedule, uint64_t bins, uint8_t *items,
                      uint32_t *bin_index, unsigned threads)
{
    if (!bin_schedule || bins == 0 || bins >= EMPTY_BIN || (domain_len && !domain)
        || (count && (!offsets || !items || !bin_index)) || (count && !ids && offsets[count] != offsets[0]))
        return MPC_ERR_ARGUMENT;
    if (!mpc_ot_cpu_supported())
        return MPC_ERR_UNSUPPORTED;
    if (count == 0)
        return MPC_OK;
    hash_job jb = {.ids = ids, .offsets = offsets, .bin_schedule = bin_schedule, .bins = bins,
                   .items = items, .bin_index = bin_index};
    uint8_t len[4] = {(uint8_t)(domain_len >> 24), (uint8_t)(domain_len >> 16), (uint8_t)(domain_len >> 8),
                      (uint8_t)domain_len};
    uint8_t tag = 0x01;
    SHA256_Init(&jb.prefix);
    SHA256_Update(&jb.prefix, len, 4);
    if (domain_len) SHA256_Update(&jb.prefix, domain, domain_len);
    SHA256_Update(&jb.prefix, &tag, 1);
    return pool_run(hash_chunk, &jb, count, threads);
}

static inline uint64_t xorshift(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Place `item` into a free bin among its three; 1 if placed. */
static inline int place_free(const uint32_t *bin_index, uint32_t item, uint32_t *table, uint8_t *which)
{
    for (int k = 0; k < 3; k++) {
        uint32_t b = bin_index[3 * (size_t)item + k];
        if (table[b] == EMPTY_BIN) {
            table[b] = item;
            which[item] = (uint8_t)k;
            return 1;
        }
    }
    return 0;
}

int mpc_kkrt_cuckoo(const uint32_t *bin_index, size_t n, uint64_t bins, uint32_t max_evictions,
                    uint64_t seed, uint32_t *table, uint8_t *which)
{
    if (!table || bins == 0 || bins >= EMPTY_BIN || n >= EMPTY_BIN || (n && (!bin_index || !which)))
        return MPC_ERR_ARGUMENT;
    for (size_t i = 0; i < 3 * n; i++)
        if (bin_index[i] >= bins) return MPC_ERR_ARGUMENT;
    for (uint64_t b = 0; b < bins; b++)
        table[b] = EMPTY_BIN;
    uint64_t state = seed | 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t item = (uint32_t)i;
        if (place_free(bin_index, item, table, which))
            continue;
        int k = (int)(xorshift(&state) % 3);
        for (uint32_t evictions = 0;; evictions++) {
            if (evictions >= max_evictions)
                return MPC_ERR_VERIFY;
            uint32_t b = bin_index[3 * (size_t)item + k];
            uint32_t victim = table[b];
            table[b] = item;
            which[item] = (uint8_t)k;
            item = victim;
            if (place_free(bin_index, item, table, which))
                break;
            /* evict from one of the victim's two other bins, chosen at random */
            k = (int)((which[item] + 1 + xorshift(&state) % 2) % 3);
        }
    }
    return MPC_OK;
}
