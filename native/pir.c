/* SimplePIR matrix kernel: dispatch, threads and the portable path (spec: protocols/pir.md).
 *
 * The server's answer (database times query), the hint (database times the public matrix A) and the
 * client's products (A times s, hint times s, through byte planes) are all this one kernel. */
#include <pthread.h>
#include <string.h>

#include "internal_pir.h"
#include "mpc_common.h"
#include "mpc_pir.h"

#define MAX_THREADS 64

typedef void (*block_fn)(const pir_task *t, size_t row_begin, size_t row_end, size_t col_begin, size_t col_end);

typedef struct {
    const pir_task *task;
    block_fn fn;
    size_t row_begin, row_end;
} pir_worker;

/* Portable C: the same exact sum, q = lo + 2^16 hi taken mod 2^32. */
void pir_block_portable(const pir_task *t, size_t row_begin, size_t row_end, size_t col_begin, size_t col_end) {
    for (size_t q = 0; q < t->queries; q++) {
        const int16_t *lo = t->lo + q * t->cols;
        const int16_t *hi = t->hi + q * t->cols;
        uint32_t *out = t->out + q * t->rows;
        for (size_t i = row_begin; i < row_end; i++) {
            const uint8_t *row = t->matrix + i * t->cols;
            uint32_t acc_lo = 0, acc_hi = 0;
            for (size_t j = col_begin; j < col_end; j++) {
                acc_lo += (uint32_t)row[j] * (uint32_t)(int32_t)lo[j];
                acc_hi += (uint32_t)row[j] * (uint32_t)(int32_t)hi[j];
            }
            out[i] += acc_lo + (acc_hi << 16);
        }
    }
}

static void run_rows(const pir_task *t, block_fn fn, size_t row_begin, size_t row_end) {
    for (size_t c = 0; c < t->cols; c += PIR_CHUNK_COLS) {
        size_t c_end = c + PIR_CHUNK_COLS < t->cols ? c + PIR_CHUNK_COLS : t->cols;
        fn(t, row_begin, row_end, c, c_end);
    }
}

static void *worker_main(void *arg) {
    pir_worker *w = arg;
    run_rows(w->task, w->fn, w->row_begin, w->row_end);
    return NULL;
}

int mpc_pir_has_avx2(void) {
    return pir_cpu_has_avx2();
}

int mpc_pir_matmul(const uint8_t *matrix, size_t rows, size_t cols,
                   const int16_t *query_lo, const int16_t *query_hi, size_t queries,
                   uint32_t *out, unsigned threads, int impl) {
    if (impl < 0 || impl > 2) return MPC_ERR_ARGUMENT;
    if (rows == 0 || queries == 0) return MPC_OK;
    if (!out) return MPC_ERR_ARGUMENT;
    memset(out, 0, rows * queries * sizeof(uint32_t));
    if (cols == 0) return MPC_OK;
    if (!matrix || !query_lo || !query_hi) return MPC_ERR_ARGUMENT;
    block_fn fn = pir_block_portable;
    if (impl == 2 || impl == 0) {
        if (pir_cpu_has_avx2()) fn = pir_block_avx2;
        else if (impl == 2) return MPC_ERR_UNSUPPORTED;
    }
    pir_task task = {matrix, rows, cols, query_lo, query_hi, queries, out};
    if (threads == 0) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    size_t blocks = (rows + 3) / 4;   /* threads take whole blocks of 4 rows */
    if (threads > blocks) threads = (unsigned)blocks;
    pir_worker workers[MAX_THREADS];
    pthread_t ids[MAX_THREADS];
    unsigned started = 0;
    for (unsigned k = 0; k < threads; k++) {
        size_t b0 = blocks * k / threads, b1 = blocks * (k + 1) / threads;
        workers[k].task = &task;
        workers[k].fn = fn;
        workers[k].row_begin = b0 * 4;
        workers[k].row_end = b1 * 4 < rows ? b1 * 4 : rows;
    }
    for (unsigned k = 1; k < threads; k++) {
        if (pthread_create(&ids[k], NULL, worker_main, &workers[k]) != 0) break;
        started = k;
    }
    /* Any worker whose thread could not start runs here, after the calling thread's own share. */
    run_rows(&task, fn, workers[0].row_begin, workers[0].row_end);
    for (unsigned k = started + 1; k < threads; k++) run_rows(&task, fn, workers[k].row_begin, workers[k].row_end);
    for (unsigned k = 1; k <= started; k++) pthread_join(ids[k], NULL);
    return MPC_OK;
}
