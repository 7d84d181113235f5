/* mpc C core: vectorised arithmetic in the prime field Z_p, p = 2^61 - 1 (a Mersenne prime).
 * For Shamir sharing (protocols/ss-shamir.md).  Elements are uint64_t in [0, p); every kernel
 * works on caller-owned arrays of n elements and returns MPC_OK or a negative code.  Kernels do not
 * check that inputs are reduced (it costs a pass); call mpc_field_check on anything from a peer. */
#ifndef MPC_FIELD_H
#define MPC_FIELD_H
#include <stddef.h>
#include <stdint.h>

/* MPC_OK if every a[i] < p, MPC_ERR_INPUT otherwise. */
int mpc_field_check(const uint64_t *a, size_t n);
/* out[i] = a[i] mod p for arbitrary 64-bit words. */
int mpc_field_reduce(const uint64_t *a, uint64_t *out, size_t n);
/* out[i] = a[i] mod p for two's-complement signed 64-bit values (negative x maps to p - |x|). */
int mpc_field_from_signed(const int64_t *a, uint64_t *out, size_t n);
/* out[i] = centred lift of a[i]: a[i] if a[i] <= (p-1)/2 else a[i] - p, as signed 64-bit. */
int mpc_field_to_signed(const uint64_t *a, int64_t *out, size_t n);
int mpc_field_add(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n);
int mpc_field_sub(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n);
int mpc_field_mul(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n);
int mpc_field_mul_scalar(const uint64_t *a, uint64_t s, uint64_t *out, size_t n);
/* *out = sum_i a[i] b[i] mod p. */
int mpc_field_dot(const uint64_t *a, const uint64_t *b, size_t n, uint64_t *out);
/* out (rows x cols) = a (rows x inner) times b (inner x cols) mod p, row-major. */
int mpc_field_matmul(const uint64_t *a, const uint64_t *b, uint64_t *out,
                     size_t rows, size_t inner, size_t cols);
/* out[j] = sum_i coeffs[i] * vectors[i*n + j] mod p: Lagrange recombination of k share vectors. */
int mpc_field_combine(const uint64_t *vectors, const uint64_t *coeffs, size_t k, size_t n,
                      uint64_t *out);
/* Shamir sharing by Horner: for each point x_j (m of them) and element i,
 * out[j*n + i] = secrets[i] + sum_{d=1..degree} coeffs[(d-1)*n + i] * x_j^d mod p. */
int mpc_field_share(const uint64_t *secrets, const uint64_t *coeffs, size_t degree, size_t n,
                    const uint64_t *points, size_t m, uint64_t *out);
/* Uniform field elements from PRG bytes by rejection: 8 little-endian bytes per candidate, top 3
 * bits cleared, the value p rejected.  Writes n elements and *used = bytes consumed; MPC_ERR_INPUT
 * if `nbytes` ran out first (the caller passes some slack; rejection has probability 2^-61). */
int mpc_field_sample(const uint8_t *bytes, size_t nbytes, uint64_t *out, size_t n, size_t *used);

#endif
