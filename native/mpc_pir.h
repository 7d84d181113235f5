/* SimplePIR server kernel: a uint8 matrix times uint32 query vectors mod 2^32 (spec: protocols/pir.md).
 *
 * `matrix` is rows x cols bytes, row-major.  Each query vector of `cols` elements of Z_{2^32} comes
 * split as q = lo + 2^16 * hi (mod 2^32) with lo, hi signed 16-bit (mpc/native/pir.py makes the
 * split), so the AVX2 path multiplies with 16-bit multiply-adds; both paths give the same exact
 * result.  out[q * rows + i] = sum_j matrix[i * cols + j] * query_q[j] mod 2^32.  The rows are split
 * over `threads` POSIX threads (0 means 1); cffi releases the GIL.  `impl`: 0 = best available,
 * 1 = portable C, 2 = AVX2 (MPC_ERR_UNSUPPORTED where the CPU lacks it). */
#ifndef MPC_PIR_H
#define MPC_PIR_H
#include <stddef.h>
#include <stdint.h>

int mpc_pir_matmul(const uint8_t *matrix, size_t rows, size_t cols,
                   const int16_t *query_lo, const int16_t *query_hi, size_t queries,
                   uint32_t *out, unsigned threads, int impl);

/* 1 when the AVX2 path can run on this CPU, else 0. */
int mpc_pir_has_avx2(void);

#endif
