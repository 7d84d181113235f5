/* Base OT over P-256 with OpenSSL's libcrypto: the Bellare–Micali construction with the
 * Naor–Pinkas batching (one C and one R for the whole batch).  Spec: protocols/ot-base.md.
 * The point arithmetic only; hashing the shared points into keys happens in mpc/ot/base.py. */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <string.h>

#include "mpc_common.h"
#include "mpc_ot.h"

struct curve {
    EC_GROUP *group;
    BN_CTX *bn;
    BIGNUM *order;
};

static int curve_open(struct curve *c)
{
    c->group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    c->bn = BN_CTX_new();
    c->order = BN_new();
    if (!c->group || !c->bn || !c->order || !EC_GROUP_get_order(c->group, c->order, c->bn))
        return MPC_ERR_CRYPTO;
    return MPC_OK;
}

static void curve_close(struct curve *c)
{
    BN_free(c->order);
    BN_CTX_free(c->bn);
    EC_GROUP_free(c->group);
}

/* A uniform non-zero scalar from 48 random bytes (statistical distance < 2^-128). */
static int scalar_from_random(struct curve *c, const uint8_t *random48, BIGNUM *out)
{
    BIGNUM *wide = BN_bin2bn(random48, MPC_OT_SCALAR_RANDOM_BYTES, NULL);
    int ok = wide && BN_nnmod(out, wide, c->order, c->bn);
    BN_clear_free(wide);
    if (!ok)
        return MPC_ERR_CRYPTO;
    return BN_is_zero(out) ? MPC_ERR_ARGUMENT : MPC_OK;
}

static int encode(struct curve *c, const EC_POINT *p, uint8_t *out33)
{
    size_t len = EC_POINT_point2oct(c->group, p, POINT_CONVERSION_COMPRESSED, out33,
                                    MPC_OT_POINT_BYTES, c->bn);
    return len == MPC_OT_POINT_BYTES ? MPC_OK : MPC_ERR_CRYPTO;
}

/* Decode a peer's point: it must be on the curve (oct2point checks) and not the identity. */
static int decode(struct curve *c, const uint8_t *in33, EC_POINT *out)
{
    if (!EC_POINT_oct2point(c->group, out, in33, MPC_OT_POINT_BYTES, c->bn))
        return MPC_ERR_INPUT;
    if (EC_POINT_is_at_infinity(c->group, out) || EC_POINT_is_on_curve(c->group, out, c->bn) != 1)
        return MPC_ERR_INPUT;
    return MPC_OK;
}

int mpc_ot_base_sender_setup(const uint8_t *random96, uint8_t *secret32, uint8_t *message66)
{
    if (!random96 || !secret32 || !message66)
        return MPC_ERR_ARGUMENT;
    struct curve c;
    int rc = curve_open(&c);
    BIGNUM *cs = BN_new(), *r = BN_new();
    EC_POINT *C = c.group ? EC_POINT_new(c.group) : NULL, *R = c.group ? EC_POINT_new(c.group) : NULL;
    if (rc == MPC_OK && (!cs || !r || !C || !R))
        rc = MPC_ERR_NOMEM;
    if (rc == MPC_OK)
        rc = scalar_from_random(&c, random96, cs);
    if (rc == MPC_OK)
        rc = scalar_from_random(&c, random96 + MPC_OT_SCALAR_RANDOM_BYTES, r);
    if (rc == MPC_OK && (!EC_POINT_mul(c.group, C, cs, NULL, NULL, c.bn)
                         || !EC_POINT_mul(c.group, R, r, NULL, NULL, c.bn)))
        rc = MPC_ERR_CRYPTO;
    if (rc == MPC_OK)
        rc = encode(&c, C, message66);
    if (rc == MPC_OK)
        rc = encode(&c, R, message66 + MPC_OT_POINT_BYTES);
    if (rc == MPC_OK && BN_bn2binpad(r, secret32, MPC_OT_SCALAR_BYTES) != MPC_OT_SCALAR_BYTES)
        rc = MPC_ERR_CRYPTO;
    EC_POINT_free(C);
    EC_POINT_free(R);
    BN_clear_free(cs);
    BN_clear_free(r);
    curve_close(&c);
    return rc;
}

int mpc_ot_base_receiver_choose(const uint8_t *message66, const uint8_t *choices, size_t count,
                                const uint8_t *random, uint8_t *reply, uint8_t *secrets)
{
    if (!message66 || ((!choices || !random || !reply || !secrets) && count))
        return MPC_ERR_ARGUMENT;
    struct curve c;
    int rc = curve_open(&c);
    BIGNUM *k = BN_new();
    EC_POINT *C = NULL, *R = NULL, *P = NULL, *other = NULL;
    if (c.group) {
        C = EC_POINT_new(c.group);
        R = EC_POINT_new(c.group);
        P = EC_POINT_new(c.group);
        other = EC_POINT_new(c.group);
    }
    if (rc == MPC_OK && (!k || !C || !R || !P || !other))
        rc = MPC_ERR_NOMEM;
    if (rc == MPC_OK)
        rc = decode(&c, message66, C);
    if (rc == MPC_OK) /* R is checked here too, so that a bad set-up fails before any reply */
        rc = decode(&c, message66 + MPC_OT_POINT_BYTES, R);
    for (size_t i = 0; rc == MPC_OK && i < count; i++) {
        if (choices[i] > 1) {
            rc = MPC_ERR_ARGUMENT;
            break;
        }
        rc = scalar_from_random(&c, random + MPC_OT_SCALAR_RANDOM_BYTES * i, k);
        if (rc != MPC_OK)
            break;
        /* PK_b = kG; PK_{1-b} = C - kG.  Both candidates are computed and encoded so that the
         * work done does not depend on the choice bit; the choice picks bytes by mask. */
        if (!EC_POINT_mul(c.group, P, k, NULL, NULL, c.bn) || !EC_POINT_copy(other, P)
            || !EC_POINT_invert(c.group, other, c.bn) || !EC_POINT_add(c.group, other, C, other, c.bn)) {
            rc = MPC_ERR_CRYPTO;
            break;
        }
        if (EC_POINT_is_at_infinity(c.group, other)) { /* k G = C: probability 2^-256 */
            rc = MPC_ERR_CRYPTO;
            break;
        }
        uint8_t mine[MPC_OT_POINT_BYTES], theirs[MPC_OT_POINT_BYTES];
        rc = encode(&c, P, mine);
        if (rc == MPC_OK)
            rc = encode(&c, other, theirs);
        if (rc == MPC_OK && BN_bn2binpad(k, secrets + MPC_OT_SCALAR_BYTES * i, MPC_OT_SCALAR_BYTES)
                                != MPC_OT_SCALAR_BYTES)
            rc = MPC_ERR_CRYPTO;
        uint8_t take_other = (uint8_t)-(uint8_t)choices[i]; /* choice 1: PK0 = C - kG */
        for (int b = 0; b < MPC_OT_POINT_BYTES; b++)
            reply[MPC_OT_POINT_BYTES * i + b] = (uint8_t)((mine[b] & ~take_other) | (theirs[b] & take_other));
    }
    EC_POINT_free(C);
    EC_POINT_free(R);
    EC_POINT_free(P);
    EC_POINT_free(other);
    BN_clear_free(k);
    curve_close(&c);
    return rc;
}

int mpc_ot_base_receiver_keys(const uint8_t *message66, const uint8_t *secrets, size_t count,
                              uint8_t *shared)
{
    if (!message66 || ((!secrets || !shared) && count))
        return MPC_ERR_ARGUMENT;
    struct curve c;
    int rc = curve_open(&c);
    BIGNUM *k = BN_new();
    EC_POINT *R = c.group ? EC_POINT_new(c.group) : NULL, *S = c.group ? EC_POINT_new(c.group) : NULL;
    if (rc == MPC_OK && (!k || !R || !S))
        rc = MPC_ERR_NOMEM;
    if (rc == MPC_OK)
        rc = decode(&c, message66 + MPC_OT_POINT_BYTES, R);
    for (size_t i = 0; rc == MPC_OK && i < count; i++) {
        if (!BN_bin2bn(secrets + MPC_OT_SCALAR_BYTES * i, MPC_OT_SCALAR_BYTES, k)
            || !EC_POINT_mul(c.group, S, NULL, R, k, c.bn)) {
            rc = MPC_ERR_CRYPTO;
            break;
        }
        rc = encode(&c, S, shared + MPC_OT_POINT_BYTES * i);
    }
    EC_POINT_free(R);
    EC_POINT_clear_free(S);
    BN_clear_free(k);
    curve_close(&c);
    return rc;
}

int mpc_ot_base_sender_keys(const uint8_t *secret32, const uint8_t *message66, const uint8_t *reply,
                            size_t count, uint8_t *shared0, uint8_t *shared1)
{
    if (!secret32 || !message66 || ((!reply || !shared0 || !shared1) && count))
        return MPC_ERR_ARGUMENT;
    struct curve c;
    int rc = curve_open(&c);
    BIGNUM *r = BN_bin2bn(secret32, MPC_OT_SCALAR_BYTES, NULL);
    EC_POINT *C = NULL, *rC = NULL, *P = NULL, *S0 = NULL, *S1 = NULL;
    if (c.group) {
        C = EC_POINT_new(c.group);
        rC = EC_POINT_new(c.group);
        P = EC_POINT_new(c.group);
        S0 = EC_POINT_new(c.group);
        S1 = EC_POINT_new(c.group);
    }
    if (rc == MPC_OK && (!r || !C || !rC || !P || !S0 || !S1))
        rc = MPC_ERR_NOMEM;
    if (rc == MPC_OK)
        rc = decode(&c, message66, C);
    if (rc == MPC_OK && !EC_POINT_mul(c.group, rC, NULL, C, r, c.bn))
        rc = MPC_ERR_CRYPTO;
    for (size_t i = 0; rc == MPC_OK && i < count; i++) {
        rc = decode(&c, reply + MPC_OT_POINT_BYTES * i, P);
        if (rc != MPC_OK)
            break;
        /* PK1 = C - PK0, so r PK1 = rC - r PK0: one variable-base multiplication per OT. */
        if (!EC_POINT_mul(c.group, S0, NULL, P, r, c.bn) || !EC_POINT_copy(S1, S0)
            || !EC_POINT_invert(c.group, S1, c.bn) || !EC_POINT_add(c.group, S1, rC, S1, c.bn)) {
            rc = MPC_ERR_CRYPTO;
            break;
        }
        if (EC_POINT_is_at_infinity(c.group, S1)) { /* PK0 = C: the receiver sent C itself */
            rc = MPC_ERR_INPUT;
            break;
        }
        rc = encode(&c, S0, shared0 + MPC_OT_POINT_BYTES * i);
        if (rc == MPC_OK)
            rc = encode(&c, S1, shared1 + MPC_OT_POINT_BYTES * i);
    }
    EC_POINT_free(C);
    EC_POINT_clear_free(rC);
    EC_POINT_free(P);
    EC_POINT_clear_free(S0);
    EC_POINT_clear_free(S1);
    BN_clear_free(r);
    curve_close(&c);
    return rc;
}
