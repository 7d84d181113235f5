/* mpc_rsa_psi_keygen: a fresh RSA key for one PSI run (header: mpc_rsa_psi.h; spec:
 * protocols/psi-rsa.md, "Parameters").
 *
 * OpenSSL's RSA key generation (its DRBG is seeded from the OS), e = 65537, written in the layout
 * the signing kernels take: n || p || q || dp || dq || qinv, big-endian, k and k/2 bytes.  The
 * key is checked (n = p q, exact length, p and q of k/2 bytes) before it is handed out. */
#include "mpc_common.h"
#include "mpc_rsa_psi.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <string.h>

int mpc_rsa_psi_keygen(unsigned bits, uint8_t *private_key, size_t private_key_bytes)
{
    if (!private_key || bits < 1024 || bits > 8192 || bits % 16)
        return MPC_ERR_ARGUMENT;
    const size_t k = bits / 8, half = k / 2;
    if (private_key_bytes != k + 5 * half)
        return MPC_ERR_ARGUMENT;
    static const char *const names[6] = {
        OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
        OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    BIGNUM *parts[6] = {0}, *e = NULL, *product = NULL;
    BN_CTX *ctx = BN_CTX_new();
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits); /* e = 65537 */
    int rc = MPC_ERR_CRYPTO;
    if (!ctx || !pkey || !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e)
        || !BN_is_word(e, 65537))
        goto done;
    for (int i = 0; i < 6; i++)
        if (!EVP_PKEY_get_bn_param(pkey, names[i], &parts[i]))
            goto done;
    product = BN_new();
    if (!product || !BN_mul(product, parts[1], parts[2], ctx) || BN_cmp(product, parts[0]) != 0
        || BN_num_bits(parts[0]) != (int)bits)
        goto done;
    if (BN_bn2binpad(parts[0], private_key, (int)k) < 0)
        goto done;
    for (int i = 1; i < 6; i++)
        if (BN_bn2binpad(parts[i], private_key + k + (size_t)(i - 1) * half, (int)half) < 0)
            goto done; /* a CRT part longer than k/2 bytes: refuse rather than truncate */
    rc = MPC_OK;
done:
    if (rc != MPC_OK)
        memset(private_key, 0, private_key_bytes);
    for (int i = 0; i < 6; i++)
        BN_clear_free(parts[i]);
    BN_free(e);
    BN_free(product);
    BN_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return rc;
}
