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

#define MAX_LIMBS (MAX_MODULUS_BYTES / 16)  /* 64-bit limbs of one CRT half */

/* ctgrind-style checking (tools/ctgrind/): a build with -DMPC_CTGRIND marks secrets undefined for
 * valgrind's memcheck and declassifies values that are public by design (the signature sent, the
 * outcome of a rejection test), so any branch or memory index on a secret is reported. */
#ifdef MPC_CTGRIND
#include <valgrind/memcheck.h>
#define MPC_CT_SECRET(ptr, len) VALGRIND_MAKE_MEM_UNDEFINED((ptr), (len))
#define MPC_CT_PUBLIC(ptr, len) VALGRIND_MAKE_MEM_DEFINED((ptr), (len))
/* The word length ("top") of a key part is public (it is the key size); that of a blinded or
 * random value mod n differs from n's only when its top 64-bit word is zero (probability 2^-64).
 * OpenSSL's public BIGNUM calls branch on it; memcheck sees it as computed from secret bytes.  These
 * mirrors of OpenSSL 3's (opaque, stable) bignum_st and
 * bn_mont_ctx_st let the check build say so.  Only compiled with MPC_CTGRIND. */
struct mpc_ct_bn_mirror { BN_ULONG *d; int top, dmax, neg, flags; };
struct mpc_ct_mont_mirror { int ri; struct mpc_ct_bn_mirror RR, N, Ni; BN_ULONG n0[2]; int flags; };
#define MPC_CT_PUBLIC_TOP(bn) \
    MPC_CT_PUBLIC(&((struct mpc_ct_bn_mirror *)(bn))->top, sizeof(int))
#define MPC_CT_PUBLIC_MONT(mont) do { \
    struct mpc_ct_mont_mirror *m_ = (struct mpc_ct_mont_mirror *)(mont); \
    MPC_CT_PUBLIC(&m_->ri, sizeof m_->ri); MPC_CT_PUBLIC(&m_->RR.top, sizeof(int)); \
    MPC_CT_PUBLIC(&m_->N.top, sizeof(int)); MPC_CT_PUBLIC(&m_->Ni.top, sizeof(int)); } while (0)
#else
#define MPC_CT_SECRET(ptr, len) ((void)0)
#define MPC_CT_PUBLIC(ptr, len) ((void)0)
#define MPC_CT_PUBLIC_TOP(bn) ((void)0)
#define MPC_CT_PUBLIC_MONT(mont) ((void)0)
#endif

typedef struct {
    BIGNUM *n, *e, *p, *q, *dp, *dq, *qinv_mont;
    BN_MONT_CTX *mont_n, *mont_p, *mont_q;
    size_t k;
    /* constant-time recombination (native/rsa_psi_ct.c): p, q and qinv * 2^(64 L) mod p as L
     * little-endian 64-bit limbs each, and -p^-1 mod 2^64 */
    size_t limbs;
    uint64_t ct_p[MAX_LIMBS], ct_q[MAX_LIMBS], ct_qinv_r[MAX_LIMBS];
    uint64_t ct_p_n0;
} rsa_key;

/* Loads n and e, and with `private_blob` the CRT parts (n || p || q || dp || dq || qinv); the
 * Montgomery contexts are shared read-only by the worker threads.  MPC_OK or a negative code. */
int rsa_key_load(rsa_key *key, const uint8_t *modulus, const uint8_t *private_blob, size_t k, uint64_t e);
/* Frees and clears a key loaded by rsa_key_load (the private parts with BN_clear_free). */
void rsa_key_free(rsa_key *key);

/* Fills the limb fields of a key whose p, q are loaded, from qinv (CONSTTIME-flagged). */
int rsa_ct_setup(rsa_key *key, const BIGNUM *qinv, BN_CTX *ctx);
/* Garner's recombination s = sq + q * ((sp - sq) * qinv mod p) without a branch or memory index
 * that depends on sp, sq, p, q or qinv: sp, sq are 8 L little-endian bytes (sp < p, sq < q), s
 * is written as 16 L little-endian bytes (s < n). */
void rsa_ct_recombine(const rsa_key *key, const uint8_t *sp_le, const uint8_t *sq_le, uint8_t *s_le);

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
