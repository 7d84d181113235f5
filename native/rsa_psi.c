/* RSA blind-signature PSI kernels on OpenSSL BIGNUM (spec: protocols/psi-rsa.md).
 *
 * OpenSSL rather than GMP for the private-key work: BN_mod_exp_mont_consttime_x2 runs both CRT
 * halves of an RSA-2048 signature together (AVX-512 IFMA where present, constant-time ladder
 * otherwise), which is what OpenSSL's own RSA uses; GMP 6.2's mpz_powm_sec measured at about half
 * that rate on the project machine.  Each call splits its batch over POSIX threads (key loading and
 * the pool: native/rsa_psi_pool.c); every thread has its own BN_CTX, digest contexts and
 * temporaries, allocated once per call. */
#include "mpc_rsa_psi.h"
#include "internal_rsa_psi.h"
#include "mpc_common.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#define FDH_EXTRA_BYTES 16  /* 128 extra bits before reduction mod n: statistical distance < 2^-128 */
#define TAG_FDH 0x01
#define TAG_FINAL 0x02

/* ---- hashing -------------------------------------------------------------------------------- */

/* Digest state after u32be(len(domain)) || domain || tag, copied for every identifier. */
static EVP_MD_CTX *domain_prefix(const job *jb, uint8_t tag) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    uint8_t len[4] = {(uint8_t)(jb->domain_len >> 24), (uint8_t)(jb->domain_len >> 16),
                      (uint8_t)(jb->domain_len >> 8), (uint8_t)jb->domain_len};
    if (!ctx || !EVP_DigestInit_ex(ctx, jb->sha256, NULL) || !EVP_DigestUpdate(ctx, len, 4)
        || !EVP_DigestUpdate(ctx, jb->domain, jb->domain_len) || !EVP_DigestUpdate(ctx, &tag, 1)) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* MGF1-SHA256(prefix || id, k + 16) into `buf`, then h = OS2IP(buf) mod n. */
static int fdh_one(const job *jb, EVP_MD_CTX *prefix, EVP_MD_CTX *seed, EVP_MD_CTX *work, size_t i,
                   uint8_t *buf, BIGNUM *h, BN_CTX *ctx) {
    size_t k = jb->key->k, length = k + FDH_EXTRA_BYTES;
    uint64_t from = jb->offsets[i], to = jb->offsets[i + 1];
    if (to < from) return MPC_ERR_ARGUMENT;
    if (!EVP_MD_CTX_copy_ex(seed, prefix) || !EVP_DigestUpdate(seed, jb->ids + from, (size_t)(to - from)))
        return MPC_ERR_CRYPTO;
    uint8_t block[32];
    for (uint32_t counter = 0; (size_t)counter * 32 < length; counter++) {
        uint8_t c[4] = {(uint8_t)(counter >> 24), (uint8_t)(counter >> 16), (uint8_t)(counter >> 8), (uint8_t)counter};
        unsigned int got = 0;
        if (!EVP_MD_CTX_copy_ex(work, seed) || !EVP_DigestUpdate(work, c, 4) || !EVP_DigestFinal_ex(work, block, &got))
            return MPC_ERR_CRYPTO;
        size_t at = (size_t)counter * 32, take = length - at < 32 ? length - at : 32;
        memcpy(buf + at, block, take);
    }
    if (!BN_bin2bn(buf, (int)length, h) || !BN_nnmod(h, h, jb->key->n, ctx)) return MPC_ERR_CRYPTO;
    return MPC_OK;
}

/* Final hash: SHA-256(u32be(len(domain)) || domain || 0x02 || I2OSP(s, k)) truncated. */
static int final_hash(const job *jb, EVP_MD_CTX *prefix, EVP_MD_CTX *work, const BIGNUM *s,
                      uint8_t *scratch, uint8_t *out) {
    uint8_t digest[32];
    unsigned int got = 0;
    if (BN_bn2binpad(s, scratch, (int)jb->key->k) < 0) return MPC_ERR_CRYPTO;
    if (!EVP_MD_CTX_copy_ex(work, prefix) || !EVP_DigestUpdate(work, scratch, jb->key->k)
        || !EVP_DigestFinal_ex(work, digest, &got))
        return MPC_ERR_CRYPTO;
    memcpy(out, digest, jb->hash_bytes);
    return MPC_OK;
}

/* ---- the private-key operation -------------------------------------------------------------- */

typedef struct {
    BN_CTX *ctx;
    EVP_MD_CTX *fdh_prefix, *final_prefix, *seed, *work;
    uint8_t *buf;
    BIGNUM *t[8];
    BIGNUM *blind_a, *blind_ai;  /* r^e and r^-1 mod n, in Montgomery form (private-key kernels) */
} worker;

/* s = m^d mod n as OpenSSL's RSA computes it: base blinding (m r^e, later times r^-1, with the
 * pair (r^e, r^-1) squared after every use), m r^e mod p and mod q, both halves in one
 * constant-time BN_mod_exp_mont_consttime_x2, Garner's recombination on fixed-width limbs
 * (native/rsa_psi_ct.c), then the fault check s^e == m, so that a computation error can never
 * hand out a value that would leak p or q. */
static int crt_sign(const rsa_key *key, worker *w, const BIGNUM *m, BIGNUM *s) {
    BN_CTX *ctx = w->ctx;
    BIGNUM *mb = w->t[2], *mp = w->t[3], *mq = w->t[4], *sp = w->t[5], *sq = w->t[6];
    uint8_t *half_p = w->buf, *half_q = w->buf + MAX_MODULUS_BYTES / 2, *whole = w->buf + MAX_MODULUS_BYTES;
    const int half = (int)(8 * key->limbs);
    BN_set_flags(mb, BN_FLG_CONSTTIME);
    if (!BN_mod_mul_montgomery(mb, m, w->blind_a, key->mont_n, ctx)) return MPC_ERR_CRYPTO;
    MPC_CT_PUBLIC_TOP(mb);
    if (!BN_nnmod(mp, mb, key->p, ctx) || !BN_nnmod(mq, mb, key->q, ctx)) return MPC_ERR_CRYPTO;
    MPC_CT_PUBLIC_TOP(mp); MPC_CT_PUBLIC_TOP(mq);
    if (!BN_mod_exp_mont_consttime_x2(sp, mp, key->dp, key->p, key->mont_p,
                                      sq, mq, key->dq, key->q, key->mont_q, ctx))
        return MPC_ERR_CRYPTO;
    if (BN_bn2lebinpad(sp, half_p, half) < 0 || BN_bn2lebinpad(sq, half_q, half) < 0) return MPC_ERR_CRYPTO;
    rsa_ct_recombine(key, half_p, half_q, whole);
    int ok = BN_lebin2bn(whole, 2 * half, mb) != NULL;
    MPC_CT_PUBLIC_TOP(mb);
    ok = ok && BN_mod_mul_montgomery(s, mb, w->blind_ai, key->mont_n, ctx)
         && BN_mod_mul_montgomery(w->blind_a, w->blind_a, w->blind_a, key->mont_n, ctx)
         && BN_mod_mul_montgomery(w->blind_ai, w->blind_ai, w->blind_ai, key->mont_n, ctx);
    MPC_CT_PUBLIC_TOP(w->blind_a); MPC_CT_PUBLIC_TOP(w->blind_ai); MPC_CT_PUBLIC_TOP(s);
    ok = ok && BN_mod_exp_mont(mp, s, key->e, key->n, ctx, key->mont_n);
    OPENSSL_cleanse(w->buf, 2 * MAX_MODULUS_BYTES);
    if (!ok) return MPC_ERR_CRYPTO;
    int same = BN_cmp(mp, m) == 0;
    MPC_CT_PUBLIC(&same, sizeof same);  /* s is about to leave (or only a fault differs) */
    return same ? MPC_OK : MPC_ERR_VERIFY;
}

/* ---- kernels: one chunk each ------------------------------------------------------------------ */

static void worker_free(worker *w) {
    BN_CTX_free(w->ctx);
    EVP_MD_CTX_free(w->fdh_prefix); EVP_MD_CTX_free(w->final_prefix);
    EVP_MD_CTX_free(w->seed); EVP_MD_CTX_free(w->work);
    for (int i = 0; i < 8; i++) BN_clear_free(w->t[i]);
    BN_clear_free(w->blind_a); BN_clear_free(w->blind_ai);
    if (w->buf) { OPENSSL_cleanse(w->buf, 2 * MAX_MODULUS_BYTES); free(w->buf); }
}

static int worker_init(worker *w, const job *jb) {
    memset(w, 0, sizeof *w);
    w->ctx = BN_CTX_new();
    w->fdh_prefix = domain_prefix(jb, TAG_FDH);
    w->final_prefix = domain_prefix(jb, TAG_FINAL);
    w->seed = EVP_MD_CTX_new();
    w->work = EVP_MD_CTX_new();
    w->buf = malloc(2 * MAX_MODULUS_BYTES);
    int ok = w->ctx && w->fdh_prefix && w->final_prefix && w->seed && w->work && w->buf;
    for (int i = 0; i < 8; i++) ok = ok && (w->t[i] = BN_new()) != NULL;
    if (!ok) { worker_free(w); return MPC_ERR_NOMEM; }
    return MPC_OK;
}

static int random_residue(const rsa_key *key, uint8_t *buf, BIGNUM *r, BIGNUM *g, BN_CTX *ctx);

/* The blinding pair of a private-key chunk: r uniform in Z_n* (secret), r^e and r^-1 (inverse
 * with BN_FLG_CONSTTIME: OpenSSL's branch-free inversion), both in Montgomery form. */
static int blinding_init(worker *w, const rsa_key *key) {
    BIGNUM *r = w->t[0];
    w->blind_a = BN_new();
    w->blind_ai = BN_new();
    if (!w->blind_a || !w->blind_ai) return MPC_ERR_NOMEM;
    BN_set_flags(r, BN_FLG_CONSTTIME);
    /* no gcd test (BN_gcd is not constant time): r is a unit but with probability < 2^-1000, and
     * then the inversion fails and so does the call */
    int rc = random_residue(key, w->buf, r, NULL, w->ctx);
    if (rc) return rc;
    if (!BN_mod_exp_mont(w->blind_a, r, key->e, key->n, w->ctx, key->mont_n)
        || !BN_mod_inverse(w->blind_ai, r, key->n, w->ctx))
        return MPC_ERR_CRYPTO;
    MPC_CT_PUBLIC_TOP(w->blind_a); MPC_CT_PUBLIC_TOP(w->blind_ai);
    if (!BN_to_montgomery(w->blind_a, w->blind_a, key->mont_n, w->ctx)
        || !BN_to_montgomery(w->blind_ai, w->blind_ai, key->mont_n, w->ctx))
        return MPC_ERR_CRYPTO;
    MPC_CT_PUBLIC_TOP(w->blind_a); MPC_CT_PUBLIC_TOP(w->blind_ai);
    BN_clear(r);
    return MPC_OK;
}

static int hash_to_group_chunk(const job *jb, size_t begin, size_t end) {
    worker w;
    int rc = worker_init(&w, jb);
    if (rc) return rc;
    size_t k = jb->key->k;
    for (size_t i = begin; i < end && rc == MPC_OK; i++) {
        rc = fdh_one(jb, w.fdh_prefix, w.seed, w.work, i, w.buf, w.t[0], w.ctx);
        if (rc == MPC_OK && BN_bn2binpad(w.t[0], jb->out_a + i * k, (int)k) < 0) rc = MPC_ERR_CRYPTO;
    }
    worker_free(&w);
    return rc;
}

/* r uniform in Z_n: k + 16 random bytes reduced mod n (bias < 2^-128), nonzero.  With `g` given,
 * also rejected unless gcd(r, n) = 1 (the slow path; see blind_chunk). */
static int random_residue(const rsa_key *key, uint8_t *buf, BIGNUM *r, BIGNUM *g, BN_CTX *ctx) {
    for (int attempt = 0; attempt < 64; attempt++) {
        if (RAND_bytes(buf, (int)(key->k + FDH_EXTRA_BYTES)) != 1) return MPC_ERR_CRYPTO;
        MPC_CT_SECRET(buf, key->k + FDH_EXTRA_BYTES);
        if (!BN_bin2bn(buf, (int)(key->k + FDH_EXTRA_BYTES), r) || !BN_nnmod(r, r, key->n, ctx)) return MPC_ERR_CRYPTO;
        OPENSSL_cleanse(buf, key->k + FDH_EXTRA_BYTES);
        MPC_CT_PUBLIC_TOP(r);
        int zero = BN_is_zero(r);
        MPC_CT_PUBLIC(&zero, sizeof zero);  /* rejection sampling: a redraw says nothing about r */
        if (zero) continue;
        if (!g) return MPC_OK;
        if (!BN_gcd(g, r, key->n, ctx)) return MPC_ERR_CRYPTO;
        int unit = BN_is_one(g);
        MPC_CT_PUBLIC(&unit, sizeof unit);
        if (unit) return MPC_OK;
    }
    return MPC_ERR_CRYPTO;
}

/* The gcd check runs once on the product of the chunk's r (a prime factor of n divides the product
 * mod n iff it divides some r); only if that fails (probability about 2^-1000) is the chunk redone
 * with a gcd per element, which keeps r uniform in Z_n* without paying a gcd per identifier. */
static int blind_chunk(const job *jb, size_t begin, size_t end) {
    worker w;
    int rc = worker_init(&w, jb);
    if (rc) return rc;
    const rsa_key *key = jb->key;
    size_t k = key->k;
    BIGNUM *h = w.t[0], *r = w.t[1], *re = w.t[2], *g = w.t[3], *prod = w.t[4];
    for (int per_element = 0; per_element < 2; per_element++) {
        if (!BN_one(prod)) { rc = MPC_ERR_CRYPTO; break; }
        for (size_t i = begin; i < end && rc == MPC_OK; i++) {
            rc = fdh_one(jb, w.fdh_prefix, w.seed, w.work, i, w.buf, h, w.ctx);
            if (rc == MPC_OK) rc = random_residue(key, w.buf, r, per_element ? g : NULL, w.ctx);
            if (rc != MPC_OK) break;
            if (!BN_mod_exp_mont(re, r, key->e, key->n, w.ctx, key->mont_n) || !BN_mod_mul(h, h, re, key->n, w.ctx)
                || !BN_mod_mul(prod, prod, r, key->n, w.ctx)
                || BN_bn2binpad(h, jb->out_a + i * k, (int)k) < 0 || BN_bn2binpad(r, jb->out_b + i * k, (int)k) < 0)
                rc = MPC_ERR_CRYPTO;
        }
        if (rc != MPC_OK || per_element) break;
        if (!BN_gcd(g, prod, key->n, w.ctx)) { rc = MPC_ERR_CRYPTO; break; }
        if (BN_is_one(g)) break;
    }
    worker_free(&w);
    return rc;
}

/* Peer values: 1 <= m < n.  Membership in Z_n* is checked once per chunk on the product of the
 * messages (p or q divides the product mod n iff it divides one of them). */
static int sign_chunk(const job *jb, size_t begin, size_t end) {
    worker w;
    int rc = worker_init(&w, jb);
    if (rc) return rc;
    const rsa_key *key = jb->key;
    size_t k = key->k;
    BIGNUM *m = w.t[0], *s = w.t[1], *prod = w.t[7];
    rc = blinding_init(&w, key);
    if (rc == MPC_OK && !BN_one(prod)) rc = MPC_ERR_CRYPTO;
    for (size_t i = begin; i < end && rc == MPC_OK; i++) {
        if (!BN_bin2bn(jb->in_a + i * k, (int)k, m)) { rc = MPC_ERR_CRYPTO; break; }
        if (BN_is_zero(m) || BN_cmp(m, key->n) >= 0) { rc = MPC_ERR_INPUT; break; }
        if (!BN_mod_mul(prod, prod, m, key->n, w.ctx)) { rc = MPC_ERR_CRYPTO; break; }
        rc = crt_sign(key, &w, m, s);
        if (rc == MPC_OK && BN_bn2binpad(s, jb->out_a + i * k, (int)k) < 0) rc = MPC_ERR_CRYPTO;
        MPC_CT_PUBLIC(jb->out_a + i * k, k);  /* the signature is what the client receives */
    }
    if (rc == MPC_OK) {
        if (!BN_gcd(w.t[6], prod, key->n, w.ctx)) rc = MPC_ERR_CRYPTO;
        else if (!BN_is_one(w.t[6])) rc = MPC_ERR_INPUT;
    }
    if (rc != MPC_OK) memset(jb->out_a + begin * k, 0, (end - begin) * k);  /* nothing half-signed leaves */
    worker_free(&w);
    return rc;
}

static int hash_own_chunk(const job *jb, size_t begin, size_t end) {
    worker w;
    int rc = worker_init(&w, jb);
    if (rc) return rc;
    BIGNUM *h = w.t[0], *s = w.t[1];
    rc = blinding_init(&w, jb->key);
    for (size_t i = begin; i < end && rc == MPC_OK; i++) {
        rc = fdh_one(jb, w.fdh_prefix, w.seed, w.work, i, w.buf, h, w.ctx);
        if (rc == MPC_OK) rc = crt_sign(jb->key, &w, h, s);
        if (rc == MPC_OK) rc = final_hash(jb, w.final_prefix, w.work, s, w.buf, jb->out_a + i * jb->hash_bytes);
        MPC_CT_PUBLIC(jb->out_a + i * jb->hash_bytes, jb->hash_bytes);  /* sent to the client */
    }
    worker_free(&w);
    return rc;
}

/* Montgomery's trick: prefix products of the r_i, one inversion, then a backward walk gives every
 * r_i^-1 with three multiplications each. */
static int unblind_chunk(const job *jb, size_t begin, size_t end) {
    worker w;
    int rc = worker_init(&w, jb);
    if (rc) return rc;
    const rsa_key *key = jb->key;
    size_t k = key->k, count = end - begin;
    BIGNUM *s = w.t[0], *m = w.t[1], *check = w.t[2], *inv = w.t[3], *r = w.t[4], *rinv = w.t[5];
    BIGNUM **prefix = calloc(count ? count : 1, sizeof *prefix);
    if (!prefix) { worker_free(&w); return MPC_ERR_NOMEM; }
    for (size_t j = 0; j < count && rc == MPC_OK; j++) {
        size_t i = begin + j;
        if (!(prefix[j] = BN_new()) || !BN_bin2bn(jb->in_c + i * k, (int)k, r)) { rc = MPC_ERR_NOMEM; break; }
        if (!(j == 0 ? BN_copy(prefix[j], r) != NULL : BN_mod_mul(prefix[j], prefix[j - 1], r, key->n, w.ctx)))
            rc = MPC_ERR_CRYPTO;
    }
    if (rc == MPC_OK && count > 0) {
        BN_set_flags(prefix[count - 1], BN_FLG_CONSTTIME);  /* the r_i are the client's secrets */
        BIGNUM *got = BN_mod_inverse(inv, prefix[count - 1], key->n, w.ctx);
        if (!got) rc = MPC_ERR_INPUT;  /* some factor is not a unit: cannot come from blind() */
    }
    for (size_t j = count; j-- > 0 && rc == MPC_OK;) {
        size_t i = begin + j;
        if (!BN_bin2bn(jb->in_b + i * k, (int)k, s) || !BN_bin2bn(jb->in_a + i * k, (int)k, m)
            || !BN_bin2bn(jb->in_c + i * k, (int)k, r)) { rc = MPC_ERR_CRYPTO; break; }
        if (BN_is_zero(s) || BN_cmp(s, key->n) >= 0) { rc = MPC_ERR_INPUT; break; }
        /* the server's answer must be the signature of what was sent */
        if (!BN_mod_exp_mont(check, s, key->e, key->n, w.ctx, key->mont_n)) { rc = MPC_ERR_CRYPTO; break; }
        if (BN_cmp(check, m) != 0) { rc = MPC_ERR_INPUT; break; }
        if (j > 0) {
            if (!BN_mod_mul(rinv, inv, prefix[j - 1], key->n, w.ctx) || !BN_mod_mul(inv, inv, r, key->n, w.ctx)) {
                rc = MPC_ERR_CRYPTO; break;
            }
        } else if (!BN_copy(rinv, inv)) { rc = MPC_ERR_CRYPTO; break; }
        if (!BN_mod_mul(s, s, rinv, key->n, w.ctx)) { rc = MPC_ERR_CRYPTO; break; }
        rc = final_hash(jb, w.final_prefix, w.work, s, w.buf, jb->out_a + i * jb->hash_bytes);
    }
    for (size_t j = 0; j < count; j++) BN_clear_free(prefix[j]);
    free(prefix);
    worker_free(&w);
    return rc;
}

/* ---- exported entry points -------------------------------------------------------------------- */

static int check_ids(const uint8_t *ids, const uint64_t *offsets, size_t count) {
    if (!offsets || (count > 0 && !ids && offsets[count] != offsets[0])) return MPC_ERR_ARGUMENT;
    for (size_t i = 0; i < count; i++)
        if (offsets[i + 1] < offsets[i]) return MPC_ERR_ARGUMENT;
    return MPC_OK;
}

static int check_domain(const uint8_t *domain, size_t domain_len) {
    return (domain || domain_len == 0) && domain_len <= 0xFFFFFFFFu ? MPC_OK : MPC_ERR_ARGUMENT;
}

int mpc_rsa_psi_hash_to_group(const uint8_t *ids, const uint64_t *offsets, size_t count,
                              const uint8_t *domain, size_t domain_len,
                              const uint8_t *modulus, size_t modulus_bytes,
                              uint8_t *out, unsigned threads) {
    if (!modulus || (count && !out) || check_ids(ids, offsets, count) || check_domain(domain, domain_len))
        return MPC_ERR_ARGUMENT;
    rsa_key key;
    int rc = rsa_key_load(&key, modulus, NULL, modulus_bytes, 65537);
    if (rc) return rc;
    job jb = {.key = &key, .ids = ids, .offsets = offsets, .domain = domain, .domain_len = domain_len,
              .out_a = out, .fn = hash_to_group_chunk};
    rc = rsa_run_parallel(&jb, count, threads);
    rsa_key_free(&key);
    return rc;
}

int mpc_rsa_psi_blind(const uint8_t *ids, const uint64_t *offsets, size_t count,
                      const uint8_t *domain, size_t domain_len,
                      const uint8_t *modulus, size_t modulus_bytes, uint64_t e,
                      uint8_t *blinded, uint8_t *factors, unsigned threads) {
    if (!modulus || (count && (!blinded || !factors)) || check_ids(ids, offsets, count)
        || check_domain(domain, domain_len))
        return MPC_ERR_ARGUMENT;
    rsa_key key;
    int rc = rsa_key_load(&key, modulus, NULL, modulus_bytes, e);
    if (rc) return rc;
    job jb = {.key = &key, .ids = ids, .offsets = offsets, .domain = domain, .domain_len = domain_len,
              .out_a = blinded, .out_b = factors, .fn = blind_chunk};
    rc = rsa_run_parallel(&jb, count, threads);
    rsa_key_free(&key);
    return rc;
}

int mpc_rsa_psi_sign(const uint8_t *private_key, size_t modulus_bytes, uint64_t e,
                     const uint8_t *messages, size_t count, uint8_t *signatures, unsigned threads) {
    if (!private_key || (count && (!messages || !signatures))) return MPC_ERR_ARGUMENT;
    rsa_key key;
    int rc = rsa_key_load(&key, private_key, private_key, modulus_bytes, e);
    if (rc) return rc;
    job jb = {.key = &key, .in_a = messages, .out_a = signatures, .fn = sign_chunk};
    rc = rsa_run_parallel(&jb, count, threads);
    rsa_key_free(&key);
    return rc;
}

int mpc_rsa_psi_unblind(const uint8_t *modulus, size_t modulus_bytes, uint64_t e,
                        const uint8_t *blinded, const uint8_t *signatures, const uint8_t *factors,
                        size_t count, const uint8_t *domain, size_t domain_len,
                        uint8_t *hashes, size_t hash_bytes, unsigned threads) {
    if (!modulus || (count && (!blinded || !signatures || !factors || !hashes)) || hash_bytes == 0
        || hash_bytes > 32 || check_domain(domain, domain_len))
        return MPC_ERR_ARGUMENT;
    rsa_key key;
    int rc = rsa_key_load(&key, modulus, NULL, modulus_bytes, e);
    if (rc) return rc;
    job jb = {.key = &key, .domain = domain, .domain_len = domain_len, .in_a = blinded, .in_b = signatures,
              .in_c = factors, .out_a = hashes, .hash_bytes = hash_bytes, .fn = unblind_chunk};
    rc = rsa_run_parallel(&jb, count, threads);
    rsa_key_free(&key);
    return rc;
}

int mpc_rsa_psi_hash_own(const uint8_t *private_key, size_t modulus_bytes, uint64_t e,
                         const uint8_t *ids, const uint64_t *offsets, size_t count,
                         const uint8_t *domain, size_t domain_len,
                         uint8_t *hashes, size_t hash_bytes, unsigned threads) {
    if (!private_key || (count && !hashes) || hash_bytes == 0 || hash_bytes > 32
        || check_ids(ids, offsets, count) || check_domain(domain, domain_len))
        return MPC_ERR_ARGUMENT;
    rsa_key key;
    int rc = rsa_key_load(&key, private_key, private_key, modulus_bytes, e);
    if (rc) return rc;
    job jb = {.key = &key, .ids = ids, .offsets = offsets, .domain = domain, .domain_len = domain_len,
              .out_a = hashes, .hash_bytes = hash_bytes, .fn = hash_own_chunk};
    rc = rsa_run_parallel(&jb, count, threads);
    rsa_key_free(&key);
    return rc;
}
