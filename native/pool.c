/* The parallel-for of the fast PSI kernels (see internal_pool.h). */
#include "internal_pool.h"
#include "mpc_common.h"

#include <pthread.h>

typedef struct {
    pool_fn fn;
    void *ctx;
    size_t begin, end;
    int rc;
} pool_chunk;

static void *pool_main(void *arg)
{
    pool_chunk *c = arg;
    c->rc = c->fn(c->ctx, c->begin, c->end);
    return NULL;
}

int pool_run(pool_fn fn, void *ctx, size_t count, unsigned threads)
{
    if (threads == 0) threads = 1;
    if (threads > POOL_MAX_THREADS) threads = POOL_MAX_THREADS;
    if ((size_t)threads > count) threads = count ? (unsigned)count : 1;
    pool_chunk chunks[POOL_MAX_THREADS];
    pthread_t tids[POOL_MAX_THREADS];
    int started[POOL_MAX_THREADS] = {0};
    for (unsigned t = 0; t < threads; t++) {
        chunks[t] = (pool_chunk){fn, ctx, count * t / threads, count * (t + 1) / threads, MPC_OK};
    }
    for (unsigned t = 1; t < threads; t++)
        started[t] = pthread_create(&tids[t], NULL, pool_main, &chunks[t]) == 0;
    pool_main(&chunks[0]);
    int rc = chunks[0].rc;
    for (unsigned t = 1; t < threads; t++) {
        if (started[t]) pthread_join(tids[t], NULL);
        else pool_main(&chunks[t]);
        if (rc == MPC_OK) rc = chunks[t].rc;
    }
    return rc;
}
