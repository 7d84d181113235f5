/* A parallel-for over POSIX threads for the batch kernels of the fast PSI protocols
 * (native/ecdh_psi.c, native/kkrt.c).  Not exported to cffi.  The calling thread takes the first
 * chunk, so `threads` = 1 runs inline; cffi releases the GIL around every kernel call. */
#ifndef MPC_INTERNAL_POOL_H
#define MPC_INTERNAL_POOL_H
#include <stddef.h>

#define POOL_MAX_THREADS 64

/* Work on items [begin, end) of the batch described by ctx: MPC_OK or a negative code. */
typedef int (*pool_fn)(void *ctx, size_t begin, size_t end);

/* Runs fn over [0, count) in `threads` contiguous chunks (0 means 1, at most POOL_MAX_THREADS,
 * never more than count); a thread that cannot be started has its chunk run by the caller.
 * Returns the first failing chunk's code, else MPC_OK. */
int pool_run(pool_fn fn, void *ctx, size_t count, unsigned threads);

#endif
