/* Build identity of the C core, compared by mpc/native at import. */
#include "mpc_common.h"

#ifndef MPC_CORE_VERSION
#define MPC_CORE_VERSION "unknown"
#endif
#ifndef MPC_CORE_FINGERPRINT
#define MPC_CORE_FINGERPRINT "unknown"
#endif

const char *mpc_core_version(void) { return MPC_CORE_VERSION; }
const char *mpc_core_fingerprint(void) { return MPC_CORE_FINGERPRINT; }
