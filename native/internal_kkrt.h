/* Private helpers shared by the KKRT kernels (native/kkrt.c, native/cuckoo.c): the SHA-256 used
 * for identifiers and the OPRF hash (OpenSSL's low-level SHA256_* API: the state is a plain struct
 * that can be copied after a common prefix, and it uses the SHA extensions where the CPU has them),
 * and AES over several keys at once.  Not exported to cffi. */
#ifndef MPC_INTERNAL_KKRT_H
#define MPC_INTERNAL_KKRT_H
#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED  /* SHA256_Init/Update/Final: deprecated in 3.0, still supported */
#endif
#include <openssl/sha.h>

#include "internal_ot.h"

#define KKRT_ROW 64
#define KKRT_BLOCK_ROWS 128
#define KKRT_SCHEDULE 176

/* AES of n blocks x[t] under their own schedules keys[t] (n <= 16), 8 in flight. */
OT_TARGET static inline void kkrt_aes_multikey(const uint8_t *const keys[], __m128i *x, int n)
{
    for (int at = 0; at < n; at += 8) {
        const uint8_t *k8[8];
        __m128i b[8];
        int m = n - at < 8 ? n - at : 8;
        for (int t = 0; t < 8; t++) {
            k8[t] = keys[at + (t < m ? t : 0)];
            b[t] = t < m ? x[at + t] : x[at];
        }
        ot_aes8_multikey(k8, b);
        for (int t = 0; t < m; t++)
            x[at + t] = b[t];
    }
}

/* H(bin, v) = SHA-256(le64(bin) || v[0..64)) truncated to out_bytes (<= 32). */
static inline void kkrt_oprf_hash(uint64_t bin, const uint8_t v[KKRT_ROW], uint8_t *out, size_t out_bytes)
{
    uint8_t input[8 + KKRT_ROW], digest[32];
    for (int b = 0; b < 8; b++)
        input[b] = (uint8_t)(bin >> (8 * b));
    memcpy(input + 8, v, KKRT_ROW);
    SHA256_CTX ctx;  /* the low-level calls: the one-shot SHA256() goes through EVP, several times slower */
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, input, sizeof input);
    SHA256_Final(digest, &ctx);
    memcpy(out, digest, out_bytes);
}

#endif
