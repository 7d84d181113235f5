/* Private parts of the SimplePIR kernel shared by native/pir.c (dispatch, threads, portable path)
 * and native/pir_avx2.c (the AVX2 path).  Not exported to cffi. */
#ifndef MPC_INTERNAL_PIR_H
#define MPC_INTERNAL_PIR_H
#include <stddef.h>
#include <stdint.h>

/* Column chunk: a block of 4 matrix rows of this width (16 KiB) stays in L1 while every query of
 * the batch passes over it; partial sums are added into `out` (mod 2^32 addition is associative). */
#define PIR_CHUNK_COLS 4096

typedef struct {
    const uint8_t *matrix;
    size_t rows, cols;
    const int16_t *lo, *hi;
    size_t queries;
    uint32_t *out;
} pir_task;

/* Adds the products of rows [row_begin, row_end) and columns [col_begin, col_end) into out. */
void pir_block_portable(const pir_task *t, size_t row_begin, size_t row_end, size_t col_begin, size_t col_end);
void pir_block_avx2(const pir_task *t, size_t row_begin, size_t row_end, size_t col_begin, size_t col_end);
int pir_cpu_has_avx2(void);

#endif
