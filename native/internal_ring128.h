/* Private helpers shared by the Z_2^128 kernels (native/ring128.c) and the fused OT kernels
 * (native/ot.c): 128-bit loads and the Gilboa sender's work on one product. */
#ifndef MPC_INTERNAL_RING128_H
#define MPC_INTERNAL_RING128_H
#include <stdint.h>
#include <string.h>

typedef unsigned __int128 ring128_t;

static inline ring128_t ring128_load_bytes(const uint8_t *p)
{
    uint64_t w[2];
    memcpy(w, p, 16);
    return (ring128_t)w[0] | ((ring128_t)w[1] << 64);
}

/* The Gilboa sender of one product (mpc_ring128_gilboa_sender in native/mpc_ring.h): pads m0, m1
 * (128 rows of 16 bytes), value v; appends the packed corrections at *out (never writing at or
 * past `end`) and returns the sender's share -sum_t (m0_t << t). */
static inline ring128_t ring128_gilboa_send_one(const uint8_t *m0, const uint8_t *m1, ring128_t value,
                                                uint8_t **out, const uint8_t *end)
{
    ring128_t sum = 0;
    uint8_t *at = *out;
    for (unsigned t = 0; t < 128; t++) {
        ring128_t pad0 = ring128_load_bytes(m0 + 16 * t), pad1 = ring128_load_bytes(m1 + 16 * t);
        sum += pad0 << t;
        ring128_t correction = pad0 + value - pad1;
        uint64_t w[2] = {(uint64_t)correction, (uint64_t)(correction >> 64)};
        size_t take = 16 - t / 8;
        /* Little-endian host: the low `take` bytes.  A full 16-byte store whose tail the next
         * correction overwrites, except near the end of the buffer. */
        if (at + 16 <= end)
            memcpy(at, w, 16);
        else
            memcpy(at, w, take);
        at += take;
    }
    *out = at;
    return -sum;
}

#endif
