/* RFC 9497 OPRF (mode 0x00, P256-SHA256) batch kernels on OpenSSL's EC and BIGNUM (spec: protocols/pir.md).
 *
 * Hash-to-curve is RFC 9380's P256_XMD:SHA-256_SSWU_RO_: expand_message_xmd to 96 bytes, two field
 * elements, the simplified SWU map of each (Z = -10; p = 3 mod 4, so sqrt(x) = x^((p+1)/4), which also decides squareness), the
 * sum of the two points (cofactor 1).  Scalar multiplications with the server's key use OpenSSL's
 * constant-time P-256 code (the key carries BN_FLG_CONSTTIME).  Hashing an input is done by its
 * owner on its own machine; the map's timing depends on the input there only.  Each thread has its
 * own group, BN_CTX, digest context and temporaries, made once per call. */
#include "mpc_oprf.h"
#include "mpc_common.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <pthread.h>
#include <string.h>

#define ELEMENT 33
#define SCALAR 32
#define OUTPUT 32
#define OPRF_MAX_INPUT 65535
#define MAX_THREADS 64

static const char DST[] = "HashToGroup-OPRFV1-\x00-P256-SHA256";
#define DST_LEN (sizeof(DST) - 1)   /* 32 bytes: the \x00 is part of it */
static const char B_HEX[] = "5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B";

typedef struct {
    EC_GROUP *group;
    BN_CTX *bn;
    EVP_MD_CTX *md;
    const EVP_MD *sha256;
    BIGNUM *p, *a, *b, *z, *order, *minus_b_over_a, *b_over_za, *exp_sqrt;
    BIGNUM *u, *t1, *t2, *x1, *x2, *gx, *y, *k;
    EC_POINT *q0, *q1, *pt;
    BN_MONT_CTX *mont_p;
} curve;

static void curve_free(curve *c) {
    BIGNUM *all[] = {c->p, c->a, c->b, c->z, c->order, c->minus_b_over_a, c->b_over_za, c->exp_sqrt,
                     c->u, c->t1, c->t2, c->x1, c->x2, c->gx, c->y};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) BN_free(all[i]);
    BN_clear_free(c->k);
    EC_POINT_free(c->q0); EC_POINT_free(c->q1); EC_POINT_clear_free(c->pt);
    EC_GROUP_free(c->group);
    BN_MONT_CTX_free(c->mont_p);
    BN_CTX_free(c->bn);
    EVP_MD_CTX_free(c->md);
    memset(c, 0, sizeof(*c));
}

static int curve_init(curve *c, const uint8_t *key) {
    memset(c, 0, sizeof(*c));
    c->group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    c->bn = BN_CTX_new();
    c->md = EVP_MD_CTX_new();
    c->sha256 = EVP_sha256();
    BIGNUM **all[] = {&c->p, &c->a, &c->b, &c->z, &c->order, &c->minus_b_over_a, &c->b_over_za, &c->exp_sqrt,
                      &c->u, &c->t1, &c->t2, &c->x1, &c->x2, &c->gx, &c->y, &c->k};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) *all[i] = BN_new();
    if (!c->group || !c->bn || !c->md || !c->sha256 || !c->k) return MPC_ERR_NOMEM;
    c->q0 = EC_POINT_new(c->group); c->q1 = EC_POINT_new(c->group); c->pt = EC_POINT_new(c->group);
    if (!c->q0 || !c->q1 || !c->pt) return MPC_ERR_NOMEM;
    if (!EC_GROUP_get_curve(c->group, c->p, c->a, c->b, c->bn) || !BN_copy(c->order, EC_GROUP_get0_order(c->group)))
        return MPC_ERR_CRYPTO;
    BIGNUM *b_check = NULL;
    if (!BN_hex2bn(&b_check, B_HEX)) return MPC_ERR_CRYPTO;
    int same = BN_cmp(b_check, c->b) == 0;
    BN_free(b_check);
    if (!same) return MPC_ERR_VERIFY;
    /* Z = -10; -B/A and B/(Z A) mod p; (p+1)/4 */
    if (!BN_set_word(c->t1, 10) || !BN_sub(c->z, c->p, c->t1)
        || !BN_mod_inverse(c->t1, c->a, c->p, c->bn) || !BN_mod_mul(c->t1, c->t1, c->b, c->p, c->bn)
        || !BN_sub(c->minus_b_over_a, c->p, c->t1)
        || !BN_mod_mul(c->t2, c->z, c->a, c->p, c->bn) || !BN_mod_inverse(c->t2, c->t2, c->p, c->bn)
        || !BN_mod_mul(c->b_over_za, c->b, c->t2, c->p, c->bn)
        || !BN_add(c->exp_sqrt, c->p, BN_value_one()) || !BN_rshift(c->exp_sqrt, c->exp_sqrt, 2))
        return MPC_ERR_CRYPTO;
    c->mont_p = BN_MONT_CTX_new();
    if (!c->mont_p || !BN_MONT_CTX_set(c->mont_p, c->p, c->bn)) return MPC_ERR_CRYPTO;
    if (key) {
        if (!BN_bin2bn(key, SCALAR, c->k) || BN_is_zero(c->k) || BN_cmp(c->k, c->order) >= 0) return MPC_ERR_ARGUMENT;
        BN_set_flags(c->k, BN_FLG_CONSTTIME);
    }
    return MPC_OK;
}

/* RFC 9380 expand_message_xmd with SHA-256 to 96 bytes. */
static int expand_xmd(curve *c, const uint8_t *msg, size_t len, uint8_t out[96]) {
    static const uint8_t zeros[64] = {0};
    const uint8_t tail[3] = {0, 96, 0};  /* I2OSP(96, 2) || I2OSP(0, 1) */
    const uint8_t dst_len = (uint8_t)DST_LEN;
    uint8_t b0[32], bi[32], mix[32];
    unsigned got;
    if (!EVP_DigestInit_ex(c->md, c->sha256, NULL) || !EVP_DigestUpdate(c->md, zeros, 64)
        || !EVP_DigestUpdate(c->md, msg, len) || !EVP_DigestUpdate(c->md, tail, 3)
        || !EVP_DigestUpdate(c->md, DST, DST_LEN) || !EVP_DigestUpdate(c->md, &dst_len, 1)
        || !EVP_DigestFinal_ex(c->md, b0, &got))
        return MPC_ERR_CRYPTO;
    for (uint8_t i = 1; i <= 3; i++) {
        if (i == 1) memcpy(mix, b0, 32);
        else for (int j = 0; j < 32; j++) mix[j] = b0[j] ^ bi[j];
        if (!EVP_DigestInit_ex(c->md, c->sha256, NULL) || !EVP_DigestUpdate(c->md, mix, 32)
            || !EVP_DigestUpdate(c->md, &i, 1) || !EVP_DigestUpdate(c->md, DST, DST_LEN)
            || !EVP_DigestUpdate(c->md, &dst_len, 1) || !EVP_DigestFinal_ex(c->md, bi, &got))
            return MPC_ERR_CRYPTO;
        memcpy(out + 32 * (i - 1), bi, 32);
    }
    return MPC_OK;
}

/* gx = x^3 + A x + B mod p */
static int curve_rhs(curve *c, const BIGNUM *x, BIGNUM *gx) {
    return BN_mod_sqr(gx, x, c->p, c->bn) && BN_mod_add(gx, gx, c->a, c->p, c->bn)
        && BN_mod_mul(gx, gx, x, c->p, c->bn) && BN_mod_add(gx, gx, c->b, c->p, c->bn);
}

/* Simplified SWU map of the field element c->u to a point. */
static int sswu(curve *c, EC_POINT *out) {
    BN_CTX *bn = c->bn;
    /* t1 = Z u^2; t2 = t1^2 + t1 = Z^2 u^4 + Z u^2 */
    if (!BN_mod_sqr(c->t1, c->u, c->p, bn) || !BN_mod_mul(c->t1, c->t1, c->z, c->p, bn)
        || !BN_mod_sqr(c->t2, c->t1, c->p, bn) || !BN_mod_add(c->t2, c->t2, c->t1, c->p, bn))
        return MPC_ERR_CRYPTO;
    if (BN_is_zero(c->t2)) {
        if (!BN_copy(c->x1, c->b_over_za)) return MPC_ERR_CRYPTO;
    } else if (!BN_mod_inverse(c->t2, c->t2, c->p, bn) || !BN_add_word(c->t2, 1)
               || !BN_mod_mul(c->x1, c->minus_b_over_a, c->t2, c->p, bn)) {
        return MPC_ERR_CRYPTO;
    }
    /* y = gx1^((p+1)/4) is sqrt(gx1) exactly when gx1 is a square (y^2 == gx1); else use x2. */
    const BIGNUM *x = c->x1;
    if (!curve_rhs(c, c->x1, c->gx) || !BN_mod_exp_mont(c->y, c->gx, c->exp_sqrt, c->p, bn, c->mont_p)
        || !BN_mod_sqr(c->t2, c->y, c->p, bn))
        return MPC_ERR_CRYPTO;
    if (BN_cmp(c->t2, c->gx) != 0) {  /* gx1 is not a square: x2 = Z u^2 x1, and gx2 is one */
        if (!BN_mod_mul(c->x2, c->t1, c->x1, c->p, bn) || !curve_rhs(c, c->x2, c->gx)
            || !BN_mod_exp_mont(c->y, c->gx, c->exp_sqrt, c->p, bn, c->mont_p) || !BN_mod_sqr(c->t2, c->y, c->p, bn))
            return MPC_ERR_CRYPTO;
        if (BN_cmp(c->t2, c->gx) != 0) return MPC_ERR_VERIFY;  /* cannot happen for a correct map */
        x = c->x2;
    }
    if (BN_is_odd(c->u) != BN_is_odd(c->y) && !BN_is_zero(c->y) && !BN_sub(c->y, c->p, c->y)) return MPC_ERR_CRYPTO;
    return EC_POINT_set_affine_coordinates(c->group, out, x, c->y, bn) ? MPC_OK : MPC_ERR_CRYPTO;
}

static int hash_to_group(curve *c, const uint8_t *msg, size_t len, EC_POINT *out) {
    uint8_t uniform[96];
    int rc = expand_xmd(c, msg, len, uniform);
    if (rc) return rc;
    EC_POINT *q[2] = {c->q0, c->q1};
    for (int i = 0; i < 2; i++) {
        if (!BN_bin2bn(uniform + 48 * i, 48, c->u) || !BN_nnmod(c->u, c->u, c->p, c->bn)) return MPC_ERR_CRYPTO;
        if ((rc = sswu(c, q[i]))) return rc;
    }
    if (!EC_POINT_add(c->group, out, c->q0, c->q1, c->bn)) return MPC_ERR_CRYPTO;
    return EC_POINT_is_at_infinity(c->group, out) ? MPC_ERR_INPUT : MPC_OK;
}

static int put_element(curve *c, const EC_POINT *pt, uint8_t *out) {
    if (EC_POINT_is_at_infinity(c->group, pt)) return MPC_ERR_INPUT;
    return EC_POINT_point2oct(c->group, pt, POINT_CONVERSION_COMPRESSED, out, ELEMENT, c->bn) == ELEMENT
        ? MPC_OK : MPC_ERR_CRYPTO;
}

static int get_element(curve *c, const uint8_t *in, EC_POINT *pt) {
    if (in[0] != 0x02 && in[0] != 0x03) return MPC_ERR_INPUT;
    if (!EC_POINT_oct2point(c->group, pt, in, ELEMENT, c->bn)) return MPC_ERR_INPUT;  /* checks the curve */
    return EC_POINT_is_at_infinity(c->group, pt) ? MPC_ERR_INPUT : MPC_OK;
}

/* SHA-256(I2OSP(len, 2) || input || I2OSP(33, 2) || element || "Finalize") */
static int finalize_hash(curve *c, const uint8_t *msg, size_t len, const EC_POINT *pt, uint8_t *out) {
    uint8_t element[ELEMENT];
    int rc = put_element(c, pt, element);
    if (rc) return rc;
    const uint8_t len_be[2] = {(uint8_t)(len >> 8), (uint8_t)len}, element_len[2] = {0, ELEMENT};
    unsigned got;
    if (!EVP_DigestInit_ex(c->md, c->sha256, NULL) || !EVP_DigestUpdate(c->md, len_be, 2)
        || !EVP_DigestUpdate(c->md, msg, len) || !EVP_DigestUpdate(c->md, element_len, 2)
        || !EVP_DigestUpdate(c->md, element, ELEMENT) || !EVP_DigestUpdate(c->md, "Finalize", 8)
        || !EVP_DigestFinal_ex(c->md, out, &got))
        return MPC_ERR_CRYPTO;
    return MPC_OK;
}

/* ---- batches over threads ----------------------------------------------------------------------- */

enum { OP_BLIND, OP_EVALUATE, OP_FINALIZE, OP_OWN };

typedef struct {
    int op;
    const uint8_t *ids, *key, *in_a, *in_b;
    const uint64_t *offsets;
    uint8_t *out_a, *out_b;
    size_t begin, end;
    int rc;
} task;

static int input_of(const task *t, size_t i, const uint8_t **msg, size_t *len) {
    uint64_t from = t->offsets[i], to = t->offsets[i + 1];
    if (to < from || to - from > OPRF_MAX_INPUT) return MPC_ERR_ARGUMENT;
    *msg = t->ids ? t->ids + from : (const uint8_t *)"";
    *len = (size_t)(to - from);
    return MPC_OK;
}

static int run_one(curve *c, const task *t, size_t i) {
    const uint8_t *msg;
    size_t len;
    int rc;
    switch (t->op) {
    case OP_BLIND:
        if ((rc = input_of(t, i, &msg, &len)) || (rc = hash_to_group(c, msg, len, c->pt))) return rc;
        if (t->in_a) {
            if (!BN_bin2bn(t->in_a + SCALAR * i, SCALAR, c->t1)) return MPC_ERR_CRYPTO;
            if (BN_is_zero(c->t1) || BN_cmp(c->t1, c->order) >= 0) return MPC_ERR_ARGUMENT;
        } else {
            do {
                if (!BN_priv_rand_range(c->t1, c->order)) return MPC_ERR_CRYPTO;
            } while (BN_is_zero(c->t1));
        }
        BN_set_flags(c->t1, BN_FLG_CONSTTIME);
        if (!EC_POINT_mul(c->group, c->q0, NULL, c->pt, c->t1, c->bn)) return MPC_ERR_CRYPTO;
        if (BN_bn2binpad(c->t1, t->out_b + SCALAR * i, SCALAR) != SCALAR) return MPC_ERR_CRYPTO;
        return put_element(c, c->q0, t->out_a + ELEMENT * i);
    case OP_EVALUATE:
        if ((rc = get_element(c, t->in_a + ELEMENT * i, c->pt))) return rc;
        if (!EC_POINT_mul(c->group, c->q0, NULL, c->pt, c->k, c->bn)) return MPC_ERR_CRYPTO;
        return put_element(c, c->q0, t->out_a + ELEMENT * i);
    case OP_FINALIZE:
        if ((rc = input_of(t, i, &msg, &len)) || (rc = get_element(c, t->in_b + ELEMENT * i, c->pt))) return rc;
        if (!BN_bin2bn(t->in_a + SCALAR * i, SCALAR, c->t1)) return MPC_ERR_CRYPTO;
        if (BN_is_zero(c->t1) || BN_cmp(c->t1, c->order) >= 0) return MPC_ERR_ARGUMENT;
        /* r^-1 = r^(order-2) mod order: a constant-time exponentiation, order is prime */
        if (!BN_sub(c->t2, c->order, BN_value_one()) || !BN_sub_word(c->t2, 1)) return MPC_ERR_CRYPTO;
        BN_set_flags(c->t1, BN_FLG_CONSTTIME);
        if (!BN_mod_exp_mont_consttime(c->t1, c->t1, c->t2, c->order, c->bn, NULL)) return MPC_ERR_CRYPTO;
        if (!EC_POINT_mul(c->group, c->q0, NULL, c->pt, c->t1, c->bn)) return MPC_ERR_CRYPTO;
        return finalize_hash(c, msg, len, c->q0, t->out_a + OUTPUT * i);
    case OP_OWN:
        if ((rc = input_of(t, i, &msg, &len)) || (rc = hash_to_group(c, msg, len, c->pt))) return rc;
        if (!EC_POINT_mul(c->group, c->q0, NULL, c->pt, c->k, c->bn)) return MPC_ERR_CRYPTO;
        return finalize_hash(c, msg, len, c->q0, t->out_a + OUTPUT * i);
    }
    return MPC_ERR_ARGUMENT;
}

static void *run_task(void *arg) {
    task *t = arg;
    curve c;
    t->rc = curve_init(&c, t->key);
    for (size_t i = t->begin; i < t->end && t->rc == MPC_OK; i++) t->rc = run_one(&c, t, i);
    curve_free(&c);
    return NULL;
}

static int run_parallel(task proto, size_t count, unsigned threads) {
    if (count == 0) return MPC_OK;
    if (threads == 0) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if (threads > count) threads = (unsigned)count;
    task tasks[MAX_THREADS];
    pthread_t ids[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (unsigned k = 0; k < threads; k++) {
        tasks[k] = proto;
        tasks[k].begin = count * k / threads;
        tasks[k].end = count * (k + 1) / threads;
        tasks[k].rc = MPC_OK;
    }
    for (unsigned k = 1; k < threads; k++) started[k] = pthread_create(&ids[k], NULL, run_task, &tasks[k]) == 0;
    run_task(&tasks[0]);
    for (unsigned k = 1; k < threads; k++) {
        if (started[k]) pthread_join(ids[k], NULL);
        else run_task(&tasks[k]);
    }
    for (unsigned k = 0; k < threads; k++) if (tasks[k].rc != MPC_OK) return tasks[k].rc;
    return MPC_OK;
}

int mpc_oprf_p256_blind(const uint8_t *ids, const uint64_t *offsets, size_t count,
                        const uint8_t *blinds_in, uint8_t *blinds_out, uint8_t *blinded, unsigned threads) {
    if (count && (!offsets || !blinds_out || !blinded)) return MPC_ERR_ARGUMENT;
    task t = {OP_BLIND, ids, NULL, blinds_in, NULL, offsets, blinded, blinds_out, 0, 0, 0};
    return run_parallel(t, count, threads);
}

int mpc_oprf_p256_evaluate(const uint8_t *key, const uint8_t *blinded, size_t count,
                           uint8_t *evaluated, unsigned threads) {
    if (!key || (count && (!blinded || !evaluated))) return MPC_ERR_ARGUMENT;
    task t = {OP_EVALUATE, NULL, key, blinded, NULL, NULL, evaluated, NULL, 0, 0, 0};
    return run_parallel(t, count, threads);
}

int mpc_oprf_p256_finalize(const uint8_t *ids, const uint64_t *offsets, size_t count,
                           const uint8_t *blinds, const uint8_t *evaluated, uint8_t *outputs, unsigned threads) {
    if (count && (!offsets || !blinds || !evaluated || !outputs)) return MPC_ERR_ARGUMENT;
    task t = {OP_FINALIZE, ids, NULL, blinds, evaluated, offsets, outputs, NULL, 0, 0, 0};
    return run_parallel(t, count, threads);
}

int mpc_oprf_p256_evaluate_own(const uint8_t *key, const uint8_t *ids, const uint64_t *offsets, size_t count,
                               uint8_t *outputs, unsigned threads) {
    if (!key || (count && (!offsets || !outputs))) return MPC_ERR_ARGUMENT;
    task t = {OP_OWN, ids, key, NULL, NULL, offsets, outputs, NULL, 0, 0, 0};
    return run_parallel(t, count, threads);
}
