/* Reference rate of OpenSSL's RSA private-key operation (header: mpc_openssl_bench.h).
 *
 * What `openssl speed -multi T rsa2048` measures, as one call: a fresh key, T threads each signing
 * with its own EVP_PKEY_CTX, all started together.  Used by `mpc bench psi` to relate the PSI's
 * end-to-end time to the time OpenSSL needs for the same number of private operations. */
#include "mpc_openssl_bench.h"
#include "mpc_common.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#define MAX_THREADS 64
#define SIG_MAX 1024

typedef struct {
    EVP_PKEY_CTX *ctx;
    uint8_t digest[32];
    uint8_t sig[SIG_MAX];
    size_t sig_len;
    size_t ops;
    int rc;
} bench_worker;

static void *sign_loop(void *arg) {
    bench_worker *w = arg;
    for (size_t i = 0; i < w->ops; i++) {
        w->sig_len = sizeof w->sig;
        if (EVP_PKEY_sign(w->ctx, w->sig, &w->sig_len, w->digest, sizeof w->digest) <= 0) {
            w->rc = MPC_ERR_CRYPTO;
            return NULL;
        }
    }
    return NULL;
}

static uint64_t now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int verify_last(EVP_PKEY *pkey, const bench_worker *w) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok = ctx && EVP_PKEY_verify_init(ctx) > 0 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0
             && EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0
             && EVP_PKEY_verify(ctx, w->sig, w->sig_len, w->digest, sizeof w->digest) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok ? MPC_OK : MPC_ERR_VERIFY;
}

int mpc_openssl_bench_rsa_private(unsigned bits, size_t ops_per_thread, unsigned threads,
                                  uint64_t *wall_ns, uint64_t *cpu_ns) {
    if (!wall_ns || !cpu_ns || bits < 1024 || bits > 8192 || threads == 0 || threads > MAX_THREADS
        || ops_per_thread == 0)
        return MPC_ERR_ARGUMENT;
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    if (!pkey) return MPC_ERR_CRYPTO;
    bench_worker workers[MAX_THREADS];
    pthread_t tids[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    memset(workers, 0, sizeof workers);
    int rc = MPC_OK;
    for (unsigned t = 0; t < threads && rc == MPC_OK; t++) {
        bench_worker *w = &workers[t];
        w->ops = ops_per_thread;
        w->ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
        if (!w->ctx || EVP_PKEY_sign_init(w->ctx) <= 0
            || EVP_PKEY_CTX_set_rsa_padding(w->ctx, RSA_PKCS1_PADDING) <= 0
            || EVP_PKEY_CTX_set_signature_md(w->ctx, EVP_sha256()) <= 0
            || RAND_bytes(w->digest, sizeof w->digest) != 1)
            rc = MPC_ERR_CRYPTO;
    }
    if (rc == MPC_OK) {
        uint64_t wall0 = now_ns(CLOCK_MONOTONIC), cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
        for (unsigned t = 1; t < threads; t++)
            started[t] = pthread_create(&tids[t], NULL, sign_loop, &workers[t]) == 0;
        sign_loop(&workers[0]);
        for (unsigned t = 1; t < threads; t++) {
            if (started[t]) pthread_join(tids[t], NULL);
            else workers[t].rc = MPC_ERR_NOMEM;  /* a thread that never ran: the rate would be wrong */
        }
        *wall_ns = now_ns(CLOCK_MONOTONIC) - wall0;
        *cpu_ns = now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
        for (unsigned t = 0; t < threads && rc == MPC_OK; t++) {
            rc = workers[t].rc;
            if (rc == MPC_OK) rc = verify_last(pkey, &workers[t]);
        }
    }
    for (unsigned t = 0; t < threads; t++) EVP_PKEY_CTX_free(workers[t].ctx);
    EVP_PKEY_free(pkey);
    return rc;
}
