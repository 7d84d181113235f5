/* Private parts of the RSA-PSI kernels shared by native/rsa_psi.c (the kernels) and
 * native/rsa_psi_pool.c (key loading and the thread pool).  Not exported to cffi. */
#ifndef MPC_INTERNAL_RSA_PSI_H
#define MPC_INTERNAL_RSA_PSI_H
#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#define MAX_THREADS 64
#define MAX_MODULUS_BYTES 1024

typedef struct {
    BIGNUM *n, *e, *p, *q, *dp, *dq, *qinv_mont;
    BN_MONT_CTX *mont_n, *mont_p, *mont_q;
    size_t k;
} rsa_key;

/* Loads n and e, and with `private_blob` the CRT parts (n || p || q || dp || dq || qinv); the
 * Montgomery contexts are shared read-only by the worker threads.  MPC_OK or a negative code. */
int rsa_key_load(rsa_key *key, const uint8_t *modulus, const uint8_t *private_blob, size_t k, uint64_t e);
/* Frees and clears a key loaded by rsa_key_load (the private parts with BN_clear_free). */
void rsa_key_free(rsa_key *key);

typedef struct job job;
typedef int (*chunk_fn)(const job *jb, size_t begin, size_t end);

struct job {
    const rsa_key *key;
    const uint8_t *ids;
    const uint64_t *offsets;
    const uint8_t *domain;
    size_t domain_len;
    const uint8_t *in_a, *in_b, *in_c;   /* meaning per kernel */
    uint8_t *out_a, *out_b;
    size_t hash_bytes;
    const EVP_MD *sha256;
    chunk_fn fn;
};

/* Runs jb->fn over [0, count) split in `threads` contiguous chunks (the calling thread takes the
 * first); fetches SHA-256 into jb->sha256 for the call.  The first failing chunk's code wins. */
int rsa_run_parallel(job *jb, size_t count, unsigned threads);

#endif
