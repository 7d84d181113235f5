/* Constant-time CRT recombination of the RSA-PSI signing kernels (spec: protocols/psi-rsa.md,
 * "Signing"; used by native/rsa_psi.c through internal_rsa_psi.h).
 *
 * OpenSSL's public BIGNUM calls (BN_mod_sub, BN_mul, BN_add) strip leading zero limbs and branch
 * on the values, which on CRT halves is a timing channel on the private key.  Here the Garner step
 * runs on fixed-width arrays of 64-bit limbs: every loop runs over all L limbs, conditional
 * subtractions are masked selects, Montgomery multiplication (CIOS) with one masked final
 * subtraction.  No branch or memory index depends on sp, sq, p, q or qinv; tools/ctgrind checks
 * that under valgrind's memcheck. */
#include "internal_rsa_psi.h"
#include "mpc_common.h"

#include <openssl/crypto.h>
#include <string.h>

typedef unsigned __int128 u128;

static void load_le(uint64_t *r, const uint8_t *bytes, size_t limbs) {
    for (size_t i = 0; i < limbs; i++) {
        uint64_t v = 0;
        for (int b = 7; b >= 0; b--) v = (v << 8) | bytes[8 * i + (size_t)b];
        r[i] = v;
    }
}

static void store_le(uint8_t *bytes, const uint64_t *a, size_t limbs) {
    for (size_t i = 0; i < limbs; i++)
        for (int b = 0; b < 8; b++) bytes[8 * i + (size_t)b] = (uint8_t)(a[i] >> (8 * b));
}

/* r = a - b over L limbs; returns the borrow (0 or 1). */
static uint64_t sub_limbs(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t limbs) {
    uint64_t borrow = 0;
    for (size_t i = 0; i < limbs; i++) {
        u128 d = (u128)a[i] - b[i] - borrow;
        r[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    return borrow;
}

/* r = a + (b & mask) over L limbs; returns the carry. */
static uint64_t add_masked(uint64_t *r, const uint64_t *a, const uint64_t *b, uint64_t mask, size_t limbs) {
    uint64_t carry = 0;
    for (size_t i = 0; i < limbs; i++) {
        u128 s = (u128)a[i] + (b[i] & mask) + carry;
        r[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
    return carry;
}

/* r = mask ? a : b, limb by limb. */
static void select_limbs(uint64_t *r, const uint64_t *a, const uint64_t *b, uint64_t mask, size_t limbs) {
    for (size_t i = 0; i < limbs; i++) r[i] = (a[i] & mask) | (b[i] & ~mask);
}

/* r = a * b * 2^(-64 L) mod p for a < 2^(64 L), b < p (CIOS); the result is fully reduced. */
static void mont_mul(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *p, uint64_t n0,
                     size_t limbs) {
    uint64_t t[MAX_LIMBS + 2] = {0}, d[MAX_LIMBS];
    for (size_t i = 0; i < limbs; i++) {
        uint64_t carry = 0;
        for (size_t j = 0; j < limbs; j++) {
            u128 x = (u128)a[j] * b[i] + t[j] + carry;
            t[j] = (uint64_t)x;
            carry = (uint64_t)(x >> 64);
        }
        u128 x = (u128)t[limbs] + carry;
        t[limbs] = (uint64_t)x;
        t[limbs + 1] = (uint64_t)(x >> 64);
        uint64_t m = t[0] * n0;
        x = (u128)m * p[0] + t[0];
        carry = (uint64_t)(x >> 64);
        for (size_t j = 1; j < limbs; j++) {
            x = (u128)m * p[j] + t[j] + carry;
            t[j - 1] = (uint64_t)x;
            carry = (uint64_t)(x >> 64);
        }
        x = (u128)t[limbs] + carry;
        t[limbs - 1] = (uint64_t)x;
        t[limbs] = t[limbs + 1] + (uint64_t)(x >> 64);
    }
    /* t < 2p: subtract p unless that goes negative (t[L] is 0 or 1) */
    uint64_t borrow = sub_limbs(d, t, p, limbs);
    uint64_t negative = borrow & (t[limbs] ^ 1);
    select_limbs(r, t, d, 0 - negative, limbs);
    OPENSSL_cleanse(t, sizeof t);
    OPENSSL_cleanse(d, sizeof d);
}

int rsa_ct_setup(rsa_key *key, const BIGNUM *qinv, BN_CTX *ctx) {
    size_t limbs = (key->k / 2 + 7) / 8;
    if (limbs == 0 || limbs > MAX_LIMBS) return MPC_ERR_ARGUMENT;
    key->limbs = limbs;
    uint8_t bytes[8 * MAX_LIMBS];
    int rc = MPC_ERR_CRYPTO;
    BN_CTX_start(ctx);
    BIGNUM *t = BN_CTX_get(ctx);
    if (!t) goto done;
    BN_set_flags(t, BN_FLG_CONSTTIME);
    if (BN_bn2lebinpad(key->p, bytes, (int)(8 * limbs)) < 0) goto done;
    load_le(key->ct_p, bytes, limbs);
    if (BN_bn2lebinpad(key->q, bytes, (int)(8 * limbs)) < 0) goto done;
    load_le(key->ct_q, bytes, limbs);
    /* qinv * R mod p with R = 2^(64 L), so that mont_mul(x, qinv_r) = x * qinv mod p */
    if (!BN_lshift(t, qinv, (int)(64 * limbs)) || !BN_nnmod(t, t, key->p, ctx)
        || BN_bn2lebinpad(t, bytes, (int)(8 * limbs)) < 0)
        goto done;
    load_le(key->ct_qinv_r, bytes, limbs);
    /* -p^-1 mod 2^64 by Newton's iteration (p odd): 3, 6, 12, 24, 48, 96 correct bits */
    uint64_t p0 = key->ct_p[0], x = p0;
    for (int i = 0; i < 5; i++) x *= 2 - p0 * x;
    key->ct_p_n0 = 0 - x;
    rc = MPC_OK;
done:
    OPENSSL_cleanse(bytes, sizeof bytes);
    BN_CTX_end(ctx);
    return rc;
}

void rsa_ct_recombine(const rsa_key *key, const uint8_t *sp_le, const uint8_t *sq_le, uint8_t *s_le) {
    const size_t limbs = key->limbs;
    uint64_t sp[MAX_LIMBS], sq[MAX_LIMBS], x[MAX_LIMBS], y[MAX_LIMBS], h[MAX_LIMBS];
    uint64_t s[2 * MAX_LIMBS];
    load_le(sp, sp_le, limbs);
    load_le(sq, sq_le, limbs);
    /* sq < q may exceed p: mont_mul reduces any input below 2^(64 L) */
    mont_mul(x, sp, key->ct_qinv_r, key->ct_p, key->ct_p_n0, limbs);   /* sp * qinv mod p */
    mont_mul(y, sq, key->ct_qinv_r, key->ct_p, key->ct_p_n0, limbs);   /* sq * qinv mod p */
    uint64_t borrow = sub_limbs(h, x, y, limbs);                         /* h = (sp - sq) qinv mod p */
    add_masked(h, h, key->ct_p, 0 - borrow, limbs);
    /* s = sq + h * q (< p q = n, no reduction) */
    memset(s, 0, sizeof(uint64_t) * 2 * limbs);
    memcpy(s, sq, sizeof(uint64_t) * limbs);
    for (size_t i = 0; i < limbs; i++) {
        uint64_t carry = 0;
        for (size_t j = 0; j < limbs; j++) {
            u128 v = (u128)h[i] * key->ct_q[j] + s[i + j] + carry;
            s[i + j] = (uint64_t)v;
            carry = (uint64_t)(v >> 64);
        }
        s[i + limbs] = carry;  /* rows before i wrote only below i + L; sq only below L */
    }
    store_le(s_le, s, 2 * limbs);
    OPENSSL_cleanse(sp, sizeof sp); OPENSSL_cleanse(sq, sizeof sq);
    OPENSSL_cleanse(x, sizeof x); OPENSSL_cleanse(y, sizeof y); OPENSSL_cleanse(h, sizeof h);
    OPENSSL_cleanse(s, sizeof s);
}
