/* mpc C core: return codes and build identity shared by every area.
 * Every exported function is mpc_<area>_<verb>, works on caller-owned buffers, does no I/O and
 * returns MPC_OK or a negative code below; mpc/native turns the codes into Python exceptions. */
#ifndef MPC_COMMON_H
#define MPC_COMMON_H
#include <stddef.h>
#include <stdint.h>

enum mpc_status {
    MPC_OK = 0,
    MPC_ERR_ARGUMENT = -1,      /* a bad argument: null pointer, wrong length, out of range */
    MPC_ERR_NOMEM = -2,         /* an allocation failed */
    MPC_ERR_CRYPTO = -3,        /* OpenSSL or GMP reported a failure */
    MPC_ERR_VERIFY = -4,        /* a self-check failed (e.g. an RSA signature did not verify) */
    MPC_ERR_CIRCUIT = -5,       /* a malformed circuit reached the garbler or evaluator */
    MPC_ERR_UNSUPPORTED = -6,   /* the CPU or build lacks what was asked for */
    MPC_ERR_INPUT = -7          /* a peer's value is outside its domain (e.g. not in Z_n*) */
};

const char *mpc_core_version(void);
const char *mpc_core_fingerprint(void);

#endif
