/* mpc C core, ring area: arithmetic in Z_2^128 for fixed-point secret shares (protocols/ss-additive.md).
 * An element is two little-endian uint64 limbs (low word first), so an array of n elements is 2n
 * uint64_t words; numpy holds it as the structured dtype [("lo", "<u8"), ("hi", "<u8")].  Every
 * kernel works on caller-owned arrays (out may equal an input where noted), allocates nothing and
 * returns MPC_OK or a negative code.  Signed values are two's complement. */
#ifndef MPC_RING_H
#define MPC_RING_H
#include <stddef.h>
#include <stdint.h>

/* out[i] = a[i] + b[i], a[i] - b[i], -a[i], a[i] * b[i] mod 2^128 (out may alias a or b). */
int mpc_ring128_add(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n);
int mpc_ring128_sub(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n);
int mpc_ring128_neg(const uint64_t *a, uint64_t *out, size_t n);
int mpc_ring128_mul(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n);
/* out[i] = a[i] << bits (0 <= bits < 128); shr_arith: arithmetic (sign-filling) right shift;
 * shr_logical: zero-filling right shift. */
int mpc_ring128_shl(const uint64_t *a, unsigned bits, uint64_t *out, size_t n);
int mpc_ring128_shr_arith(const uint64_t *a, unsigned bits, uint64_t *out, size_t n);
int mpc_ring128_shr_logical(const uint64_t *a, unsigned bits, uint64_t *out, size_t n);
/* out[o, j] = sum_k a[o, k, j] for an array of shape (outer, count, inner): a sum over one axis. */
int mpc_ring128_sum_axis(const uint64_t *a, size_t outer, size_t count, size_t inner, uint64_t *out);
/* out (rows x cols) = a (rows x inner) times b (inner x cols) mod 2^128, row-major. */
int mpc_ring128_matmul(const uint64_t *a, const uint64_t *b, uint64_t *out,
                       size_t rows, size_t inner, size_t cols);
/* Beaver combination: out[i] = c[i] + d[i] b[i] + e[i] a[i] (+ d[i] e[i] if add_de). */
int mpc_ring128_beaver(const uint64_t *a, const uint64_t *b, const uint64_t *c, const uint64_t *d,
                       const uint64_t *e, int add_de, uint64_t *out, size_t n);
/* Sign-extend int64 to Z_2^128; and the low limb back (two's complement, wraps mod 2^64). */
int mpc_ring128_from_int64(const int64_t *a, uint64_t *out, size_t n);
/* Fixed point: out[i] = round-half-even(v[i] * 2^frac) for finite |v[i] * 2^frac| < 2^bound_bits
 * (bound_bits <= 126); MPC_ERR_INPUT (nothing promised about out) if some value is outside, and
 * then *bad = the index of the first one. */
int mpc_ring128_encode(const double *v, unsigned frac, unsigned bound_bits, uint64_t *out, size_t n,
                       size_t *bad);
/* out[i] = signed(a[i]) / 2^frac as the nearest double. */
int mpc_ring128_decode(const uint64_t *a, unsigned frac, double *out, size_t n);
/* SecureML local truncation of two-party shares by `bits`: party 0 shifts arithmetically,
 * party 1 negates, shifts and negates. */
int mpc_ring128_trunc_local(const uint64_t *a, int party, unsigned bits, uint64_t *out, size_t n);
/* Masked-opening truncation (n >= 3 parties, or n = 2 on request), see protocols/ss-additive.md:
 * mask: r[i] = random[i] >> (128 - mask_bits); publish[i] = share[i] + r[i] (+ 2^bias at party 0);
 * finish: out[i] = -(r[i] >> bits) (+ (opened[i] >> bits) - 2^(bias - bits) at party 0), the
 * opened value read as unsigned. */
int mpc_ring128_trunc_mask(const uint64_t *share, uint64_t *random_in_mask_out, unsigned mask_bits,
                           int party, unsigned bias, uint64_t *publish, size_t n);
int mpc_ring128_trunc_finish(const uint64_t *opened, const uint64_t *mask, int party, unsigned bias,
                             unsigned bits, uint64_t *out, size_t n);
/* MPC_OK if every opened[i] < 2^limit_bits as unsigned, else MPC_ERR_INPUT (*bad = first index). */
int mpc_ring128_check_below(const uint64_t *opened, unsigned limit_bits, size_t n, size_t *bad);

/* Gilboa product sharing over Z_2^128 from 128 random OTs per product (protocols/ss-additive.md,
 * "Offline phase").  OT t of product p (row 128 p + t of the 16-byte pads) has sender pads m0, m1
 * and receiver pad m_b, b = bit t of the receiver's u[p].  Sender: x_t = m0 << t, correction
 * (m0 + v[p] - m1) mod 2^(128 - t) packed little-endian in 16 - t/8 bytes (MPC_RING128_GILBOA_BYTES
 * per product, OT order), share[p] = -sum_t x_t.  Receiver: y_t = (m_b + b correction_t) << t,
 * share[p] = sum_t y_t.  The two shares add up to u[p] v[p]. */
enum mpc_ring_sizes { MPC_RING128_GILBOA_BYTES = 1088 };
int mpc_ring128_gilboa_sender(const uint8_t *m0, const uint8_t *m1, const uint64_t *v, size_t products,
                              uint64_t *share, uint8_t *corrections);
int mpc_ring128_gilboa_receiver(const uint8_t *m, const uint64_t *u, const uint8_t *corrections,
                                size_t products, uint64_t *share);

#endif
