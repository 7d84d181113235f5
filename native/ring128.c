/* Arithmetic in Z_2^128 over unsigned __int128 (spec: protocols/ss-additive.md, "Rings").
 * Elements are stored as two little-endian uint64 limbs; loads and stores go through memcpy so
 * the arrays need only 8-byte alignment (numpy's). */
#include <math.h>
#include <string.h>

#include "mpc_common.h"
#include "mpc_ring.h"
#include "internal_ring128.h"

typedef unsigned __int128 u128;
typedef __int128 s128;

static inline u128 load(const uint64_t *p, size_t i)
{
    return (u128)p[2 * i] | ((u128)p[2 * i + 1] << 64);
}

static inline void store(uint64_t *p, size_t i, u128 v)
{
    p[2 * i] = (uint64_t)v;
    p[2 * i + 1] = (uint64_t)(v >> 64);
}

#define CHECK2(a, out, n) do { if ((!(a) || !(out)) && (n)) return MPC_ERR_ARGUMENT; } while (0)
#define CHECK3(a, b, out, n) do { if ((!(a) || !(b) || !(out)) && (n)) return MPC_ERR_ARGUMENT; } while (0)

int mpc_ring128_add(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n)
{
    CHECK3(a, b, out, n);
    for (size_t i = 0; i < n; i++)
        store(out, i, load(a, i) + load(b, i));
    return MPC_OK;
}

int mpc_ring128_sub(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n)
{
    CHECK3(a, b, out, n);
    for (size_t i = 0; i < n; i++)
        store(out, i, load(a, i) - load(b, i));
    return MPC_OK;
}

int mpc_ring128_neg(const uint64_t *a, uint64_t *out, size_t n)
{
    CHECK2(a, out, n);
    for (size_t i = 0; i < n; i++)
        store(out, i, -load(a, i));
    return MPC_OK;
}

int mpc_ring128_mul(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n)
{
    CHECK3(a, b, out, n);
    for (size_t i = 0; i < n; i++)
        store(out, i, load(a, i) * load(b, i));
    return MPC_OK;
}

int mpc_ring128_shl(const uint64_t *a, unsigned bits, uint64_t *out, size_t n)
{
    CHECK2(a, out, n);
    if (bits >= 128)
        return MPC_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++)
        store(out, i, load(a, i) << bits);
    return MPC_OK;
}

int mpc_ring128_shr_arith(const uint64_t *a, unsigned bits, uint64_t *out, size_t n)
{
    CHECK2(a, out, n);
    if (bits >= 128)
        return MPC_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++) /* gcc and clang shift signed __int128 arithmetically */
        store(out, i, (u128)((s128)load(a, i) >> bits));
    return MPC_OK;
}

int mpc_ring128_shr_logical(const uint64_t *a, unsigned bits, uint64_t *out, size_t n)
{
    CHECK2(a, out, n);
    if (bits >= 128)
        return MPC_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++)
        store(out, i, load(a, i) >> bits);
    return MPC_OK;
}

int mpc_ring128_sum_axis(const uint64_t *a, size_t outer, size_t count, size_t inner, uint64_t *out)
{
    if ((!a && outer * count * inner) || (!out && outer * inner))
        return MPC_ERR_ARGUMENT;
    for (size_t o = 0; o < outer; o++) {
        uint64_t *row = out + 2 * o * inner;
        memset(row, 0, 16 * inner);
        for (size_t k = 0; k < count; k++) {
            const uint64_t *src = a + 2 * (o * count + k) * inner;
            for (size_t j = 0; j < inner; j++)
                store(row, j, load(row, j) + load(src, j));
        }
    }
    return MPC_OK;
}

int mpc_ring128_matmul(const uint64_t *a, const uint64_t *b, uint64_t *out,
                       size_t rows, size_t inner, size_t cols)
{
    if ((!a || !b) && rows * inner * cols)
        return MPC_ERR_ARGUMENT;
    if (!out && rows * cols)
        return MPC_ERR_ARGUMENT;
    if (out == a || out == b)
        return MPC_ERR_ARGUMENT;
    memset(out, 0, 16 * rows * cols);
    for (size_t r = 0; r < rows; r++) { /* i-k-j order: rows of b stream through the cache */
        uint64_t *dst = out + 2 * r * cols;
        for (size_t k = 0; k < inner; k++) {
            u128 x = load(a, r * inner + k);
            const uint64_t *src = b + 2 * k * cols;
            for (size_t j = 0; j < cols; j++)
                store(dst, j, load(dst, j) + x * load(src, j));
        }
    }
    return MPC_OK;
}

int mpc_ring128_beaver(const uint64_t *a, const uint64_t *b, const uint64_t *c, const uint64_t *d,
                       const uint64_t *e, int add_de, uint64_t *out, size_t n)
{
    if ((!a || !b || !c || !d || !e || !out) && n)
        return MPC_ERR_ARGUMENT;
    u128 de_on = add_de ? ~(u128)0 : 0;
    for (size_t i = 0; i < n; i++) {
        u128 dv = load(d, i), ev = load(e, i);
        u128 z = load(c, i) + dv * load(b, i) + ev * load(a, i) + ((dv * ev) & de_on);
        store(out, i, z);
    }
    return MPC_OK;
}

int mpc_ring128_from_int64(const int64_t *a, uint64_t *out, size_t n)
{
    CHECK2(a, out, n);
    for (size_t i = n; i-- > 0;) /* backwards: out may start where a does */
        store(out, i, (u128)(s128)a[i]);
    return MPC_OK;
}

int mpc_ring128_encode(const double *v, unsigned frac, unsigned bound_bits, uint64_t *out, size_t n,
                       size_t *bad)
{
    CHECK2(v, out, n);
    if (frac > 120 || bound_bits > 126)
        return MPC_ERR_ARGUMENT;
    double scale = ldexp(1.0, (int)frac), limit = ldexp(1.0, (int)bound_bits);
    for (size_t i = 0; i < n; i++) {
        double x = nearbyint(v[i] * scale); /* exact scaling; round half to even */
        if (!(fabs(x) < limit)) {           /* also catches NaN and infinities */
            if (bad)
                *bad = i;
            return MPC_ERR_INPUT;
        }
        store(out, i, (u128)(s128)x);
    }
    return MPC_OK;
}

int mpc_ring128_decode(const uint64_t *a, unsigned frac, double *out, size_t n)
{
    CHECK2(a, out, n);
    if (frac > 126)
        return MPC_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++) {
        double whole = (double)(s128)load(a, i); /* libgcc's conversion rounds correctly */
        out[i] = ldexp(whole, -(int)frac);
    }
    return MPC_OK;
}

int mpc_ring128_trunc_local(const uint64_t *a, int party, unsigned bits, uint64_t *out, size_t n)
{
    CHECK2(a, out, n);
    if (bits >= 128 || (party != 0 && party != 1))
        return MPC_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++) {
        s128 x = (s128)load(a, i);
        store(out, i, party == 0 ? (u128)(x >> bits) : -(u128)((s128)(-(u128)x) >> bits));
    }
    return MPC_OK;
}

int mpc_ring128_trunc_mask(const uint64_t *share, uint64_t *random_in_mask_out, unsigned mask_bits,
                           int party, unsigned bias, uint64_t *publish, size_t n)
{
    if ((!share || !random_in_mask_out || !publish) && n)
        return MPC_ERR_ARGUMENT;
    if (mask_bits == 0 || mask_bits > 127 || bias > 127)
        return MPC_ERR_ARGUMENT;
    u128 offset = party == 0 ? (u128)1 << bias : 0;
    for (size_t i = 0; i < n; i++) {
        u128 r = load(random_in_mask_out, i) >> (128 - mask_bits);
        store(random_in_mask_out, i, r);
        store(publish, i, load(share, i) + r + offset);
    }
    return MPC_OK;
}

int mpc_ring128_trunc_finish(const uint64_t *opened, const uint64_t *mask, int party, unsigned bias,
                             unsigned bits, uint64_t *out, size_t n)
{
    if ((!opened || !mask || !out) && n)
        return MPC_ERR_ARGUMENT;
    if (bits >= 128 || bias > 127 || bits > bias)
        return MPC_ERR_ARGUMENT;
    u128 unbias = (u128)1 << (bias - bits);
    for (size_t i = 0; i < n; i++) {
        u128 t = -(load(mask, i) >> bits);
        if (party == 0)
            t += (load(opened, i) >> bits) - unbias;
        store(out, i, t);
    }
    return MPC_OK;
}

int mpc_ring128_check_below(const uint64_t *opened, unsigned limit_bits, size_t n, size_t *bad)
{
    if (!opened && n)
        return MPC_ERR_ARGUMENT;
    if (limit_bits > 128)
        return MPC_ERR_ARGUMENT;
    if (limit_bits == 128)
        return MPC_OK;
    for (size_t i = 0; i < n; i++)
        if (load(opened, i) >> limit_bits) {
            if (bad)
                *bad = i;
            return MPC_ERR_INPUT;
        }
    return MPC_OK;
}

int mpc_ring128_gilboa_sender(const uint8_t *m0, const uint8_t *m1, const uint64_t *v, size_t products,
                              uint64_t *share, uint8_t *corrections)
{
    if ((!m0 || !m1 || !v || !share || !corrections) && products)
        return MPC_ERR_ARGUMENT;
    uint8_t *out = corrections, *end = corrections + products * (size_t)MPC_RING128_GILBOA_BYTES;
    for (size_t p = 0; p < products; p++)
        store(share, p, ring128_gilboa_send_one(m0 + 2048 * p, m1 + 2048 * p, load(v, p), &out, end));
    return MPC_OK;
}

int mpc_ring128_gilboa_receiver(const uint8_t *m, const uint64_t *u, const uint8_t *corrections,
                                size_t products, uint64_t *share)
{
    if ((!m || !u || !corrections || !share) && products)
        return MPC_ERR_ARGUMENT;
    const uint8_t *in = corrections, *end = corrections + products * (size_t)MPC_RING128_GILBOA_BYTES;
    for (size_t p = 0; p < products; p++)
        store(share, p, ring128_gilboa_receive_one(m + 2048 * p, load(u, p), &in, end));
    return MPC_OK;
}
