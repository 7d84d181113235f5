/* mpc_aes_selfcheck: the AES-NI inline helpers of internal_aes.h (which OT extension and garbling
 * inline into their own kernels) against the constant-time portable code under the same key.
 * Spec: protocols/primitives.md; run by tests/test_aes.py. */
#include <string.h>

#include "internal_aes.h"

#define SELFCHECK_MAX_BLOCKS 64

AES_NI_TARGET static int ni_selfcheck(const aes_schedule *ni, const aes_schedule *portable,
                                      const uint8_t *in, const uint64_t *tweaks, size_t n)
{
    __m128i rk[AES_ROUNDS + 1], x[SELFCHECK_MAX_BLOCKS], tweak[SELFCHECK_MAX_BLOCKS];
    uint8_t expect[SELFCHECK_MAX_BLOCKS * 16];
    int bad = 0;
    memset(x, 0, sizeof x);  /* quiets -Wmaybe-uninitialized through the inlined helpers */
    aes_ni_load_keys(ni, rk);
    for (size_t j = 0; j < n; j++)
        tweak[j] = aes_tweak_block(tweaks[j]);

    aes_portable_encrypt_blocks(portable, in, expect, n);
    memcpy(x, in, 16 * n);
    aes_ni_encrypt_many(rk, x, n);
    bad |= memcmp(x, expect, 16 * n) != 0;
    for (size_t j = 0; j < n; j++) {
        __m128i one = aes_ni_encrypt1(rk, _mm_loadu_si128((const __m128i *)(in + 16 * j)));
        bad |= memcmp(&one, expect + 16 * j, 16) != 0;
    }
    for (size_t j = 0; j + 8 <= n; j += 8) {
        memcpy(x, in + 16 * j, 16 * 8);
        aes_ni_encrypt8(rk, x);
        bad |= memcmp(x, expect + 16 * j, 16 * 8) != 0;
        memcpy(x, in + 16 * j, 16 * 4);
        aes_ni_encrypt4(rk, x);
        bad |= memcmp(x, expect + 16 * j, 16 * 4) != 0;
    }

    aes_hash_cr_blocks(portable, in, expect, n);
    memcpy(x, in, 16 * n);
    aes_ni_cr_many(rk, x, n);
    bad |= memcmp(x, expect, 16 * n) != 0;

    aes_hash_ccr_blocks(portable, in, expect, n);
    memcpy(x, in, 16 * n);
    aes_ni_ccr_many(rk, x, n);
    bad |= memcmp(x, expect, 16 * n) != 0;

    aes_hash_tccr_blocks(portable, in, tweaks, expect, n);
    memcpy(x, in, 16 * n);
    aes_ni_tccr_many(rk, x, tweak, n);
    bad |= memcmp(x, expect, 16 * n) != 0;
    for (size_t j = 0; j + 4 <= n; j += 4) {
        memcpy(x, in + 16 * j, 16 * 4);
        aes_ni_tccr4(rk, x, tweak + j);
        bad |= memcmp(x, expect + 16 * j, 16 * 4) != 0;
        memcpy(x, in + 16 * j, 16 * 2);
        aes_ni_tccr2(rk, x, tweak + j);
        bad |= memcmp(x, expect + 16 * j, 16 * 2) != 0;
    }
    return bad ? MPC_ERR_VERIFY : MPC_OK;
}

int mpc_aes_selfcheck(const uint8_t *schedule, const uint8_t *in, const uint64_t *tweaks,
                      size_t nblocks)
{
    aes_schedule ni, portable;
    int rc = aes_schedule_import(&ni, schedule);
    if (rc != MPC_OK)
        return rc;
    if (ni.impl != MPC_AES_NI)
        return MPC_ERR_UNSUPPORTED;
    if (nblocks > SELFCHECK_MAX_BLOCKS || (nblocks > 0 && (in == NULL || tweaks == NULL)))
        return MPC_ERR_ARGUMENT;
    /* The NI and portable key expansions must agree too. */
    rc = aes_schedule_init(&portable, ni.round_keys[0], MPC_AES_PORTABLE);
    if (rc != MPC_OK)
        return rc;
    if (memcmp(portable.round_keys, ni.round_keys, sizeof ni.round_keys) != 0)
        return MPC_ERR_VERIFY;
    return ni_selfcheck(&ni, &portable, in, tweaks, nblocks);
}
