/* Vectorised arithmetic modulo the Mersenne prime p = 2^61 - 1 (spec: protocols/ss-shamir.md).
 * Reduction uses 2^61 = 1 mod p: a 122-bit product splits into its low 61 bits plus the rest. */
#include <string.h>

#include "mpc_common.h"
#include "mpc_field.h"

#define FIELD_P ((uint64_t)0x1FFFFFFFFFFFFFFFULL)

static inline uint64_t reduce_once(uint64_t x) { return x >= FIELD_P ? x - FIELD_P : x; }

static inline uint64_t reduce64(uint64_t x) { return reduce_once((x & FIELD_P) + (x >> 61)); }

static inline uint64_t reduce128(unsigned __int128 z) {
    /* z < 2^125 here: low 61 bits + middle 61 bits + top bits, each < p after one fold. */
    uint64_t lo = (uint64_t)z & FIELD_P;
    unsigned __int128 rest = z >> 61;
    uint64_t mid = (uint64_t)rest & FIELD_P;
    uint64_t hi = (uint64_t)(rest >> 61);
    return reduce64(lo + mid + hi);
}

static inline uint64_t mulmod(uint64_t a, uint64_t b) {
    unsigned __int128 z = (unsigned __int128)a * b;
    return reduce_once(((uint64_t)z & FIELD_P) + (uint64_t)(z >> 61));
}

int mpc_field_check(const uint64_t *a, size_t n) {
    if (!a && n) return MPC_ERR_ARGUMENT;
    uint64_t bad = 0;
    for (size_t i = 0; i < n; i++) bad |= (uint64_t)(a[i] >= FIELD_P);
    return bad ? MPC_ERR_INPUT : MPC_OK;
}

int mpc_field_reduce(const uint64_t *a, uint64_t *out, size_t n) {
    if ((!a || !out) && n) return MPC_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++) out[i] = reduce64(a[i]);
    return MPC_OK;
}

int mpc_field_from_signed(const int64_t *a, uint64_t *out, size_t n) {
    if ((!a || !out) && n) return MPC_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++) {
        int64_t v = a[i];
        /* |v| may be up to 2^63: reduce the magnitude first, then negate in the field. */
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        uint64_t r = reduce64(mag);
        out[i] = (v < 0 && r) ? FIELD_P - r : r;
    }
    return MPC_OK;
}

int mpc_field_to_signed(const uint64_t *a, int64_t *out, size_t n) {
    if ((!a || !out) && n) return MPC_ERR_ARGUMENT;
    const uint64_t half = FIELD_P >> 1;
    for (size_t i = 0; i < n; i++) out[i] = a[i] > half ? (int64_t)a[i] - (int64_t)FIELD_P : (int64_t)a[i];
    return MPC_OK;
}

int mpc_field_add(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n) {
    if ((!a || !b || !out) && n) return MPC_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++) out[i] = reduce_once(a[i] + b[i]);
    return MPC_OK;
}

int mpc_field_sub(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n) {
    if ((!a || !b || !out) && n) return MPC_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++) out[i] = reduce_once(a[i] + FIELD_P - b[i]);
    return MPC_OK;
}

int mpc_field_mul(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n) {
    if ((!a || !b || !out) && n) return MPC_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++) out[i] = mulmod(a[i], b[i]);
    return MPC_OK;
}

int mpc_field_mul_scalar(const uint64_t *a, uint64_t s, uint64_t *out, size_t n) {
    if ((!a || !out) && n) return MPC_ERR_ARGUMENT;
    if (s >= FIELD_P) return MPC_ERR_ARGUMENT;
    for (size_t i = 0; i < n; i++) out[i] = mulmod(a[i], s);
    return MPC_OK;
}

/* Products are < 2^122; eight of them sum below 2^125, so fold every 8 terms. */
int mpc_field_dot(const uint64_t *a, const uint64_t *b, size_t n, uint64_t *out) {
    if ((!a || !b) && n) return MPC_ERR_ARGUMENT;
    if (!out) return MPC_ERR_ARGUMENT;
    uint64_t total = 0;
    size_t i = 0;
    while (i < n) {
        unsigned __int128 acc = total;
        size_t stop = i + 7 < n ? i + 7 : n;
        for (; i < stop; i++) acc += (unsigned __int128)a[i] * b[i];
        total = reduce128(acc);
    }
    *out = total;
    return MPC_OK;
}

int mpc_field_matmul(const uint64_t *a, const uint64_t *b, uint64_t *out,
                     size_t rows, size_t inner, size_t cols) {
    if (!a || !b || !out) return MPC_ERR_ARGUMENT;
    if (inner && cols > SIZE_MAX / inner) return MPC_ERR_ARGUMENT;
    /* Accumulate one output row in 128-bit lanes over blocks of 7 inner terms (i-k-j order keeps
     * the b rows streaming), folding each lane after every block. */
    for (size_t r = 0; r < rows; r++) {
        uint64_t *row = out + r * cols;
        memset(row, 0, cols * sizeof(uint64_t));
        for (size_t k0 = 0; k0 < inner; k0 += 7) {
            size_t k1 = k0 + 7 < inner ? k0 + 7 : inner;
            for (size_t c = 0; c < cols; c++) {
                unsigned __int128 acc = row[c];
                for (size_t k = k0; k < k1; k++)
                    acc += (unsigned __int128)a[r * inner + k] * b[k * cols + c];
                row[c] = reduce128(acc);
            }
        }
    }
    return MPC_OK;
}

int mpc_field_combine(const uint64_t *vectors, const uint64_t *coeffs, size_t k, size_t n,
                      uint64_t *out) {
    if ((!vectors || !coeffs) && k && n) return MPC_ERR_ARGUMENT;
    if (!out && n) return MPC_ERR_ARGUMENT;
    for (size_t i = 0; i < k; i++)
        if (coeffs[i] >= FIELD_P) return MPC_ERR_ARGUMENT;
    for (size_t j = 0; j < n; j++) {
        unsigned __int128 acc = 0;
        uint64_t total = 0;
        for (size_t i = 0; i < k; i++) {
            acc += (unsigned __int128)coeffs[i] * vectors[i * n + j];
            if ((i & 7) == 6) { total = reduce128(acc + total); acc = 0; }
        }
        out[j] = reduce128(acc + total);
    }
    return MPC_OK;
}

int mpc_field_share(const uint64_t *secrets, const uint64_t *coeffs, size_t degree, size_t n,
                    const uint64_t *points, size_t m, uint64_t *out) {
    if ((!secrets || !out || !points) && n && m) return MPC_ERR_ARGUMENT;
    if (!coeffs && degree && n) return MPC_ERR_ARGUMENT;
    for (size_t j = 0; j < m; j++)
        if (points[j] >= FIELD_P) return MPC_ERR_ARGUMENT;
    for (size_t j = 0; j < m; j++) {
        uint64_t x = points[j];
        uint64_t *dst = out + j * n;
        if (degree == 0) { memcpy(dst, secrets, n * sizeof(uint64_t)); continue; }
        /* Horner from the top coefficient down: ((c_t x + c_{t-1}) x + ... + c_1) x + s. */
        for (size_t i = 0; i < n; i++) {
            uint64_t acc = coeffs[(degree - 1) * n + i];
            for (size_t d = degree - 1; d >= 1; d--)
                acc = reduce_once(mulmod(acc, x) + coeffs[(d - 1) * n + i]);
            dst[i] = reduce_once(mulmod(acc, x) + secrets[i]);
        }
    }
    return MPC_OK;
}

int mpc_field_sample(const uint8_t *bytes, size_t nbytes, uint64_t *out, size_t n, size_t *used) {
    if ((!bytes && nbytes) || (!out && n) || !used) return MPC_ERR_ARGUMENT;
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        for (;;) {
            if (pos + 8 > nbytes) { *used = pos; return MPC_ERR_INPUT; }
            uint64_t word;
            memcpy(&word, bytes + pos, 8);
            pos += 8;
            word &= FIELD_P;
            if (word != FIELD_P) { out[i] = word; break; }
        }
    }
    *used = pos;
    return MPC_OK;
}
