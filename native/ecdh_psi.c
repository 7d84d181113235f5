/* ECDH-PSI kernels on ristretto255 (libsodium), spec: protocols/psi-ecdh.md.
 *
 * ristretto255 is a prime-order group (order l = 2^252 + 27742317777372353535851937790883648493)
 * built on Curve25519, so there is no cofactor to clear and no small-subgroup point to reject
 * beyond the identity; crypto_scalarmult_ristretto255 decodes (rejecting non-canonical
 * encodings), multiplies in constant time and refuses an identity result.  Every call splits its
 * batch over POSIX threads (native/pool.c); per thread only stack state, no allocation. */
#include "mpc_ecdh_psi.h"
#include "internal_pool.h"
#include "mpc_common.h"

#include <sodium.h>
#include <string.h>

#define TAG_TO_GROUP 0x01
#define TAG_KEY 0x02

typedef struct {
    const uint8_t *ids;
    const uint64_t *offsets;
    const uint8_t *in;
    const uint8_t *scalar;
    uint8_t *out;
    size_t key_bytes;
    int multiply;
    crypto_hash_sha512_state prefix512;  /* after u32be(|domain|) || domain || 0x01 */
    crypto_hash_sha256_state prefix256;  /* after u32be(|domain|) || domain || 0x02 */
} ecdh_job;

static int ready(void)
{
    return sodium_init() >= 0 ? MPC_OK : MPC_ERR_CRYPTO;  /* idempotent and thread-safe */
}

static void domain_prefixes(ecdh_job *jb, const uint8_t *domain, size_t domain_len)
{
    uint8_t len[4] = {(uint8_t)(domain_len >> 24), (uint8_t)(domain_len >> 16),
                      (uint8_t)(domain_len >> 8), (uint8_t)domain_len};
    uint8_t tag_group = TAG_TO_GROUP, tag_key = TAG_KEY;
    crypto_hash_sha512_init(&jb->prefix512);
    crypto_hash_sha512_update(&jb->prefix512, len, 4);
    if (domain_len) crypto_hash_sha512_update(&jb->prefix512, domain, domain_len);
    crypto_hash_sha512_update(&jb->prefix512, &tag_group, 1);
    crypto_hash_sha256_init(&jb->prefix256);
    crypto_hash_sha256_update(&jb->prefix256, len, 4);
    if (domain_len) crypto_hash_sha256_update(&jb->prefix256, domain, domain_len);
    crypto_hash_sha256_update(&jb->prefix256, &tag_key, 1);
}

int mpc_ecdh_psi_scalar(const uint8_t *random64, uint8_t *scalar32)
{
    if (!random64 || !scalar32) return MPC_ERR_ARGUMENT;
    if (ready() != MPC_OK) return MPC_ERR_CRYPTO;
    crypto_core_ristretto255_scalar_reduce(scalar32, random64);
    return sodium_is_zero(scalar32, 32) ? MPC_ERR_INPUT : MPC_OK;
}

static int hash_chunk(void *arg, size_t begin, size_t end)
{
    ecdh_job *jb = arg;
    uint8_t digest[64], point[32];
    for (size_t i = begin; i < end; i++) {
        uint64_t from = jb->offsets[i], to = jb->offsets[i + 1];
        if (to < from) return MPC_ERR_ARGUMENT;
        crypto_hash_sha512_state st = jb->prefix512;
        crypto_hash_sha512_update(&st, jb->ids + from, (unsigned long long)(to - from));
        crypto_hash_sha512_final(&st, digest);
        if (crypto_core_ristretto255_from_hash(point, digest) != 0) return MPC_ERR_CRYPTO;
        if (jb->multiply) {
            if (crypto_scalarmult_ristretto255(jb->out + 32 * i, jb->scalar, point) != 0)
                return MPC_ERR_CRYPTO;  /* identity: probability 2^-252 for a random point */
        } else {
            memcpy(jb->out + 32 * i, point, 32);
        }
    }
    sodium_memzero(digest, sizeof digest);
    return MPC_OK;
}

static int check_ids(const uint8_t *ids, const uint64_t *offsets, size_t count, const uint8_t *domain,
                     size_t domain_len, const uint8_t *out)
{
    if (count && (!offsets || !out)) return MPC_ERR_ARGUMENT;
    if (count && !ids && offsets[count] != offsets[0]) return MPC_ERR_ARGUMENT;
    if (domain_len && !domain) return MPC_ERR_ARGUMENT;
    return MPC_OK;
}

static int run_hash(const uint8_t *ids, const uint64_t *offsets, size_t count, const uint8_t *domain,
                    size_t domain_len, const uint8_t *scalar32, uint8_t *points, unsigned threads)
{
    int rc = check_ids(ids, offsets, count, domain, domain_len, points);
    if (rc != MPC_OK) return rc;
    if (ready() != MPC_OK) return MPC_ERR_CRYPTO;
    if (count == 0) return MPC_OK;
    ecdh_job jb;
    memset(&jb, 0, sizeof jb);
    jb.ids = ids; jb.offsets = offsets; jb.scalar = scalar32; jb.out = points;
    jb.multiply = scalar32 != NULL;
    domain_prefixes(&jb, domain, domain_len);
    return pool_run(hash_chunk, &jb, count, threads);
}

int mpc_ecdh_psi_hash_to_group(const uint8_t *ids, const uint64_t *offsets, size_t count,
                               const uint8_t *domain, size_t domain_len, uint8_t *points,
                               unsigned threads)
{
    return run_hash(ids, offsets, count, domain, domain_len, NULL, points, threads);
}

int mpc_ecdh_psi_hash_mul(const uint8_t *ids, const uint64_t *offsets, size_t count,
                          const uint8_t *domain, size_t domain_len, const uint8_t *scalar32,
                          uint8_t *points, unsigned threads)
{
    if (!scalar32) return MPC_ERR_ARGUMENT;
    return run_hash(ids, offsets, count, domain, domain_len, scalar32, points, threads);
}

static int mul_chunk(void *arg, size_t begin, size_t end)
{
    ecdh_job *jb = arg;
    uint8_t point[32], digest[32];
    for (size_t i = begin; i < end; i++) {
        uint8_t *dst = jb->key_bytes ? point : jb->out + 32 * i;
        if (crypto_scalarmult_ristretto255(dst, jb->scalar, jb->in + 32 * i) != 0)
            return MPC_ERR_INPUT;  /* not a canonical encoding, or the identity */
        if (jb->key_bytes) {
            crypto_hash_sha256_state st = jb->prefix256;
            crypto_hash_sha256_update(&st, point, 32);
            crypto_hash_sha256_final(&st, digest);
            memcpy(jb->out + jb->key_bytes * i, digest, jb->key_bytes);
        }
    }
    return MPC_OK;
}

static int run_mul(const uint8_t *in, size_t count, const uint8_t *scalar32, const uint8_t *domain,
                   size_t domain_len, uint8_t *out, size_t key_bytes, unsigned threads)
{
    if (!scalar32 || (count && (!in || !out)) || (domain_len && !domain) || key_bytes > 32)
        return MPC_ERR_ARGUMENT;
    if (ready() != MPC_OK) return MPC_ERR_CRYPTO;
    if (count == 0) return MPC_OK;
    ecdh_job jb;
    memset(&jb, 0, sizeof jb);
    jb.in = in; jb.scalar = scalar32; jb.out = out; jb.key_bytes = key_bytes;
    if (key_bytes) domain_prefixes(&jb, domain, domain_len);
    return pool_run(mul_chunk, &jb, count, threads);
}

int mpc_ecdh_psi_mul(const uint8_t *in, size_t count, const uint8_t *scalar32, uint8_t *out,
                     unsigned threads)
{
    return run_mul(in, count, scalar32, NULL, 0, out, 0, threads);
}

int mpc_ecdh_psi_mul_key(const uint8_t *in, size_t count, const uint8_t *scalar32,
                         const uint8_t *domain, size_t domain_len, uint8_t *keys, size_t key_bytes,
                         unsigned threads)
{
    if (key_bytes == 0) return MPC_ERR_ARGUMENT;
    return run_mul(in, count, scalar32, domain, domain_len, keys, key_bytes, threads);
}
