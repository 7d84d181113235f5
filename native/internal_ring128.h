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
 * past `end`) and returns the sender's share -sum_t (m0_t << t).  For t >= 64 only the low 64
 * bits of the pads matter (x_t = m0 << t and the correction mod 2^(128 - t)), so that half of
 * the loop works in 64 bits. */
static inline ring128_t ring128_gilboa_send_one(const uint8_t *m0, const uint8_t *m1, ring128_t value,
                                                uint8_t **out, const uint8_t *end)
{
    ring128_t sum = 0;
    uint8_t *at = *out;
    for (unsigned t = 0; t < 64; t++) {
        ring128_t pad0 = ring128_load_bytes(m0 + 16 * t), pad1 = ring128_load_bytes(m1 + 16 * t);
        sum += pad0 << t;
        ring128_t correction = pad0 + value - pad1;
        uint64_t w[2] = {(uint64_t)correction, (uint64_t)(correction >> 64)};
        /* A full 16-byte store whose tail the next correction overwrites: the first 64
         * corrections end 800 bytes into the product's 1088, so it stays inside. */
        memcpy(at, w, 16);
        at += 16 - t / 8;
    }
    uint64_t high = 0, low_value = (uint64_t)value;
    for (unsigned t = 64; t < 128; t++) {
        uint64_t pad0, pad1;
        memcpy(&pad0, m0 + 16 * t, 8);
        memcpy(&pad1, m1 + 16 * t, 8);
        high += pad0 << (t - 64);
        uint64_t correction = pad0 + low_value - pad1;
        size_t take = 16 - t / 8;
        if (at + 8 <= end)
            memcpy(at, &correction, 8);
        else
            memcpy(at, &correction, take);
        at += take;
    }
    *out = at;
    return -(sum + ((ring128_t)high << 64));
}

/* The Gilboa receiver of one product: pads m (128 rows), choices u (bit t chooses OT t), the
 * product's packed corrections at *in (reading nothing at or past `end`); returns its share
 * sum_t (m_t + b_t correction_t) << t.  Bytes read past a correction's own belong to the next
 * one: they land at bit 8 take >= 128 - t or above, which the shift by t discards. */
static inline ring128_t ring128_gilboa_receive_one(const uint8_t *m, ring128_t choices, const uint8_t **in,
                                                   const uint8_t *end)
{
    ring128_t sum = 0;
    const uint8_t *at = *in;
    for (unsigned t = 0; t < 64; t++) {
        ring128_t correction = ring128_load_bytes(at);   /* inside the product (see the sender) */
        at += 16 - t / 8;
        ring128_t select = -(ring128_t)((choices >> t) & 1); /* all ones when b = 1, without a branch */
        sum += (ring128_load_bytes(m + 16 * t) + (correction & select)) << t;
    }
    uint64_t high = 0, high_choices = (uint64_t)(choices >> 64);
    for (unsigned t = 64; t < 128; t++) {
        size_t take = 16 - t / 8;
        uint64_t correction = 0, pad;
        if (at + 8 <= end)
            memcpy(&correction, at, 8);
        else
            memcpy(&correction, at, take);
        at += take;
        memcpy(&pad, m + 16 * t, 8);
        uint64_t select = -((high_choices >> (t - 64)) & 1);
        high += (pad + (correction & select)) << (t - 64);
    }
    *in = at;
    return sum + ((ring128_t)high << 64);
}

#endif
