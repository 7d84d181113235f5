/* Key loading and the thread pool of the RSA-PSI kernels (spec: protocols/psi-rsa.md; the
 * kernels themselves are in native/rsa_psi.c).  Each kernel call splits its batch over POSIX
 * threads; the key's Montgomery contexts are built once per call and only read by the threads. */
#include "internal_rsa_psi.h"
#include "mpc_common.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <string.h>

void rsa_key_free(rsa_key *key) {
    BN_free(key->n); BN_free(key->e); BN_clear_free(key->p); BN_clear_free(key->q);
    BN_clear_free(key->dp); BN_clear_free(key->dq); BN_clear_free(key->qinv_mont);
    BN_MONT_CTX_free(key->mont_n); BN_MONT_CTX_free(key->mont_p); BN_MONT_CTX_free(key->mont_q);
    OPENSSL_cleanse(key, sizeof *key);
}

int rsa_key_load(rsa_key *key, const uint8_t *modulus, const uint8_t *private_blob, size_t k, uint64_t e) {
    memset(key, 0, sizeof *key);
    if (k < 64 || k > MAX_MODULUS_BYTES || (k & 1) || e < 3 || !(e & 1)) return MPC_ERR_ARGUMENT;
    key->k = k;
    int rc = MPC_ERR_NOMEM;
    BN_CTX *ctx = BN_CTX_new();
    key->n = BN_bin2bn(modulus, (int)k, NULL);
    key->e = BN_new();
    key->mont_n = BN_MONT_CTX_new();
    if (!ctx || !key->n || !key->e || !key->mont_n || !BN_set_word(key->e, (BN_ULONG)e)) goto done;
    if (!BN_is_odd(key->n) || BN_num_bytes(key->n) != (int)k) { rc = MPC_ERR_ARGUMENT; goto done; }
    if (!BN_MONT_CTX_set(key->mont_n, key->n, ctx)) { rc = MPC_ERR_CRYPTO; goto done; }
    if (private_blob) {
        size_t h = k / 2;
        BIGNUM *qinv = BN_bin2bn(private_blob + k + 4 * h, (int)h, NULL);
        key->p = BN_bin2bn(private_blob + k, (int)h, NULL);
        key->q = BN_bin2bn(private_blob + k + h, (int)h, NULL);
        key->dp = BN_bin2bn(private_blob + k + 2 * h, (int)h, NULL);
        key->dq = BN_bin2bn(private_blob + k + 3 * h, (int)h, NULL);
        key->qinv_mont = BN_new();
        key->mont_p = BN_MONT_CTX_new();
        key->mont_q = BN_MONT_CTX_new();
        if (!qinv || !key->p || !key->q || !key->dp || !key->dq || !key->qinv_mont || !key->mont_p || !key->mont_q) {
            BN_clear_free(qinv);
            goto done;
        }
        int odd = BN_is_odd(key->p) & BN_is_odd(key->q);  /* & not &&: no branch on p */
        MPC_CT_PUBLIC(&odd, sizeof odd);  /* true of every RSA key: learning it reveals nothing */
        if (memcmp(private_blob, modulus, k) != 0 || !odd) {
            BN_clear_free(qinv);
            rc = MPC_ERR_ARGUMENT;
            goto done;
        }
        BN_set_flags(key->p, BN_FLG_CONSTTIME); BN_set_flags(key->q, BN_FLG_CONSTTIME);
        BN_set_flags(key->dp, BN_FLG_CONSTTIME); BN_set_flags(key->dq, BN_FLG_CONSTTIME);
        /* qinv in Montgomery form, so Garner's step is one Montgomery multiplication */
        BN_set_flags(qinv, BN_FLG_CONSTTIME);
        int ok = BN_MONT_CTX_set(key->mont_p, key->p, ctx) && BN_MONT_CTX_set(key->mont_q, key->q, ctx)
                 && BN_to_montgomery(key->qinv_mont, qinv, key->mont_p, ctx)
                 && rsa_ct_setup(key, qinv, ctx) == MPC_OK;
        BN_clear_free(qinv);
        if (!ok) { rc = MPC_ERR_CRYPTO; goto done; }
        MPC_CT_PUBLIC_TOP(key->p); MPC_CT_PUBLIC_TOP(key->q); MPC_CT_PUBLIC_TOP(key->dp);
        MPC_CT_PUBLIC_TOP(key->dq); MPC_CT_PUBLIC_TOP(key->qinv_mont);
        MPC_CT_PUBLIC_MONT(key->mont_p); MPC_CT_PUBLIC_MONT(key->mont_q);
    }
    rc = MPC_OK;
done:
    BN_CTX_free(ctx);
    if (rc != MPC_OK) rsa_key_free(key);
    return rc;
}

typedef struct {
    const job *jb;
    size_t begin, end;
    int rc;
} chunk;

static void *chunk_main(void *arg) {
    chunk *c = arg;
    c->rc = c->jb->fn(c->jb, c->begin, c->end);
    return NULL;
}

int rsa_run_parallel(job *jb, size_t count, unsigned threads) {
    if (threads == 0) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if ((size_t)threads > count) threads = count ? (unsigned)count : 1;
    jb->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!jb->sha256) return MPC_ERR_CRYPTO;
    chunk chunks[MAX_THREADS];
    pthread_t tids[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (unsigned t = 0; t < threads; t++) {
        chunks[t].jb = jb;
        chunks[t].begin = count * t / threads;
        chunks[t].end = count * (t + 1) / threads;
        chunks[t].rc = MPC_OK;
    }
    for (unsigned t = 1; t < threads; t++)
        started[t] = pthread_create(&tids[t], NULL, chunk_main, &chunks[t]) == 0;
    chunk_main(&chunks[0]);
    int rc = chunks[0].rc;
    for (unsigned t = 1; t < threads; t++) {
        if (started[t]) pthread_join(tids[t], NULL);
        else chunks[t].rc = jb->fn(jb, chunks[t].begin, chunks[t].end);  /* no thread: do it here */
        if (rc == MPC_OK) rc = chunks[t].rc;
    }
    EVP_MD_free((EVP_MD *)jb->sha256);
    return rc;
}

