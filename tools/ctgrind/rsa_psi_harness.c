/* ctgrind-style harness for the RSA-PSI private-key kernels (run by tools/ctgrind/check_rsa_psi.py;
 * spec: protocols/psi-rsa.md, "Constant time").
 *
 * Makes a fresh 1024-bit key, marks its private parts (p, q, dp, dq, qinv) undefined for valgrind's
 * memcheck, and runs mpc_rsa_psi_sign and mpc_rsa_psi_hash_own over a few values.  The kernels are
 * built with -DMPC_CTGRIND, which also marks the blinding randomness secret and declassifies what
 * is public by design (signatures and final hashes sent to the client, rejection outcomes).  Any
 * branch or memory address that depends on a secret is then a memcheck error.  With --canary the
 * harness itself branches on a secret key byte first, to show that such a branch is reported. */
#include "mpc_common.h"
#include "mpc_rsa_psi.h"

#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>

#define BITS 1024
#define K (BITS / 8)
#define HALF (K / 2)
#define COUNT 3

int main(int argc, char **argv) {
    int canary = argc > 1 && strcmp(argv[1], "--canary") == 0;
    static uint8_t key[K + 5 * HALF], messages[COUNT * K], signatures[COUNT * K], hashes[COUNT * 16];
    static const uint8_t ids[] = "alicebobcarol";
    static const uint64_t offsets[COUNT + 1] = {0, 5, 8, 13};
    static const uint8_t domain[] = "ctgrind";
    if (mpc_rsa_psi_keygen(BITS, key, sizeof key) != MPC_OK) return 2;
    /* public messages in Z_n: full-domain hashes under the public modulus */
    if (mpc_rsa_psi_hash_to_group(ids, offsets, COUNT, domain, sizeof domain, key, K, messages, 1) != MPC_OK)
        return 2;
    VALGRIND_MAKE_MEM_UNDEFINED(key + K, 5 * HALF);
    if (canary) {
        volatile int leak = 0;
        if (key[K + HALF - 1] & 2) leak++;  /* deliberately secret-dependent */
    }
    int rc = mpc_rsa_psi_sign(key, K, 65537, messages, COUNT, signatures, 1);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    if (rc != MPC_OK) { fprintf(stderr, "sign failed: %d\n", rc); return 2; }
    rc = mpc_rsa_psi_hash_own(key, K, 65537, ids, offsets, COUNT, domain, sizeof domain, hashes, 16, 1);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    if (rc != MPC_OK) { fprintf(stderr, "hash_own failed: %d\n", rc); return 2; }
    printf("signed %d values and hashed %d own ids\n", COUNT, COUNT);
    return 0;
}
