/* Constant-time portable AES-128 for CPUs without AES-NI (and when a caller forces it).
 * Spec: protocols/primitives.md ("Portable implementation").
 *
 * Fully bitsliced: 128 blocks are processed together; word p of the state holds bit p (bit p%8 of
 * byte p/8, FIPS-197 byte order) of every block, one block per bit lane.  A word is a 128-bit GCC
 * vector (two 64-lane halves: SSE2 on x86-64, plain 64-bit operations elsewhere).  ShiftRows is then a
 * renaming of words, MixColumns and AddRoundKey are XORs, and the S-box is evaluated as a boolean
 * circuit: the inverse in GF(2^8) as x^254 (4 multiplications, 7 squarings) followed by the affine
 * map.  No table is indexed, no branch depends on key or data, so the timing is independent of
 * both.  The key expansion uses the same circuit (4 lanes at a time). */
#include <string.h>

#include "internal_aes.h"

#define HALF_LANES 64
#define LANES (2 * HALF_LANES)

typedef uint64_t word __attribute__((vector_size(16)));

/* Reduce a product of degree <= 14 modulo the AES polynomial x^8 + x^4 + x^3 + x + 1. */
static inline void gf_reduce(word p[15], word out[8])
{
    for (int k = 14; k >= 8; k--) {
        p[k - 4] ^= p[k];
        p[k - 5] ^= p[k];
        p[k - 7] ^= p[k];
        p[k - 8] ^= p[k];
    }
    for (int k = 0; k < 8; k++)
        out[k] = p[k];
}

static inline void gf_mul(const word a[8], const word b[8], word out[8])
{
    word p[15] = {0};
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
            p[i + j] ^= a[i] & b[j];
    gf_reduce(p, out);
}

static inline void gf_square(const word a[8], word out[8])
{
    word p[15] = {0};
    for (int i = 0; i < 8; i++)
        p[2 * i] = a[i];
    gf_reduce(p, out);
}

/* S-box on 8 bit-planes in place: inverse as x^254 (0 -> 0), then the FIPS-197 affine map. */
static void sbox_bitsliced(word s[8])
{
    word x2[8], x3[8], x12[8], x15[8], t[8], x240[8], x252[8], inv[8];
    gf_square(s, x2);
    gf_mul(x2, s, x3);
    gf_square(x3, t);
    gf_square(t, x12);
    gf_mul(x12, x3, x15);
    gf_square(x15, t);
    gf_square(t, x240);
    gf_square(x240, t);
    gf_square(t, x240);
    gf_mul(x240, x12, x252);
    gf_mul(x252, x2, inv);
    for (int i = 0; i < 8; i++) {
        word b = inv[i] ^ inv[(i + 4) & 7] ^ inv[(i + 5) & 7] ^ inv[(i + 6) & 7] ^ inv[(i + 7) & 7];
        s[i] = (0x63 >> i) & 1 ? ~b : b;  /* the constant, not data, selects the complement */
    }
}

/* Transpose a 64x64 bit matrix in place: bit j of a[i] <-> bit i of a[j]. */
static void transpose64(uint64_t a[64])
{
    uint64_t m = 0x00000000FFFFFFFFull;
    for (int j = 32; j != 0; j >>= 1, m ^= m << j) {
        for (int k = 0; k < 64; k = ((k | j) + 1) & ~j) {
            uint64_t t = ((a[k] >> j) ^ a[k | j]) & m;
            a[k] ^= t << j;
            a[k | j] ^= t;
        }
    }
}

/* xtime (multiplication by x) on one bitsliced byte. */
static inline void xtime(const word a[8], word out[8])
{
    out[0] = a[7];
    out[1] = a[0] ^ a[7];
    out[2] = a[1];
    out[3] = a[2] ^ a[7];
    out[4] = a[3] ^ a[7];
    out[5] = a[4];
    out[6] = a[5];
    out[7] = a[6];
}

static void shift_rows(word st[128])
{
    word old[128];
    memcpy(old, st, sizeof old);
    for (int c = 0; c < 4; c++)
        for (int r = 1; r < 4; r++)  /* byte (r, c) <- byte (r, c + r) */
            memcpy(&st[8 * (4 * c + r)], &old[8 * (4 * ((c + r) & 3) + r)], 8 * sizeof(word));
}

static void mix_columns(word st[128])
{
    for (int c = 0; c < 4; c++) {
        word *a[4] = {&st[8 * (4 * c)], &st[8 * (4 * c + 1)], &st[8 * (4 * c + 2)], &st[8 * (4 * c + 3)]};
        word all[8], pair[8], doubled[8], out[4][8];
        for (int k = 0; k < 8; k++)
            all[k] = a[0][k] ^ a[1][k] ^ a[2][k] ^ a[3][k];
        /* b_r = a_r ^ all ^ 2 (a_r ^ a_{r+1}) */
        for (int r = 0; r < 4; r++) {
            for (int k = 0; k < 8; k++)
                pair[k] = a[r][k] ^ a[(r + 1) & 3][k];
            xtime(pair, doubled);
            for (int k = 0; k < 8; k++)
                out[r][k] = a[r][k] ^ all[k] ^ doubled[k];
        }
        for (int r = 0; r < 4; r++)
            memcpy(a[r], out[r], 8 * sizeof(word));
    }
}

static void add_round_key(word st[128], const word key_mask[128])
{
    for (int p = 0; p < 128; p++)
        st[p] ^= key_mask[p];
}

/* Bit planes of m <= 64 blocks: planes[p] bit b = bit p of block b (missing blocks are zero). */
static void to_planes(const uint8_t *in, size_t m, uint64_t planes[128])
{
    memset(planes, 0, 128 * sizeof(uint64_t));
    for (size_t b = 0; b < m; b++) {  /* row b = block b as a little-endian 128-bit integer */
        memcpy(&planes[b], in + 16 * b, 8);
        memcpy(&planes[64 + b], in + 16 * b + 8, 8);
    }
    transpose64(planes);
    transpose64(planes + 64);
}

static void from_planes(uint64_t planes[128], uint8_t *out, size_t m)
{
    transpose64(planes);
    transpose64(planes + 64);
    for (size_t b = 0; b < m; b++) {
        memcpy(out + 16 * b, &planes[b], 8);
        memcpy(out + 16 * b + 8, &planes[64 + b], 8);
    }
}

/* Encrypt m <= 128 blocks: blocks 0..63 in the low halves of the words, 64..127 in the high. */
static void encrypt_batch(const word key_masks[AES_ROUNDS + 1][128], const uint8_t *in, uint8_t *out,
                          size_t m)
{
    uint64_t low[128], high[128];
    size_t m_low = m < HALF_LANES ? m : HALF_LANES, m_high = m - m_low;
    word st[128];
    to_planes(in, m_low, low);
    if (m_high)
        to_planes(in + 16 * HALF_LANES, m_high, high);
    else
        memset(high, 0, sizeof high);
    for (int p = 0; p < 128; p++)
        st[p] = (word){low[p], high[p]};
    add_round_key(st, key_masks[0]);
    for (int r = 1; r <= AES_ROUNDS; r++) {
        for (int i = 0; i < 16; i++)
            sbox_bitsliced(&st[8 * i]);
        shift_rows(st);
        if (r != AES_ROUNDS)
            mix_columns(st);
        add_round_key(st, key_masks[r]);
    }
    for (int p = 0; p < 128; p++) {
        low[p] = st[p][0];
        high[p] = st[p][1];
    }
    from_planes(low, out, m_low);
    if (m_high)
        from_planes(high, out + 16 * HALF_LANES, m_high);
}

void aes_portable_encrypt_blocks(const aes_schedule *s, const uint8_t *in, uint8_t *out, size_t n)
{
    word key_masks[AES_ROUNDS + 1][128];
    for (int r = 0; r <= AES_ROUNDS; r++)
        for (int p = 0; p < 128; p++) {
            uint64_t mask = (uint64_t)0 - (uint64_t)((s->round_keys[r][p >> 3] >> (p & 7)) & 1);
            key_masks[r][p] = (word){mask, mask};
        }
    for (size_t j = 0; j < n; j += LANES) {
        size_t m = n - j < LANES ? n - j : LANES;
        encrypt_batch((const word(*)[128])key_masks, in + 16 * j, out + 16 * j, m);
    }
}

/* SubWord on 4 bytes at once (4 lanes of the bitsliced S-box). */
static void sub_word(uint8_t w[4])
{
    word planes[8];
    for (int k = 0; k < 8; k++) {
        uint64_t plane = 0;
        for (int lane = 0; lane < 4; lane++)
            plane |= (uint64_t)((w[lane] >> k) & 1) << lane;
        planes[k] = (word){plane, 0};
    }
    sbox_bitsliced(planes);
    for (int lane = 0; lane < 4; lane++) {
        uint8_t v = 0;
        for (int k = 0; k < 8; k++)
            v |= (uint8_t)(((planes[k][0] >> lane) & 1) << k);
        w[lane] = v;
    }
}

/* FIPS-197 section 5.2 key expansion for Nk = 4. */
void aes_portable_expand_key(const uint8_t key16[16], uint8_t round_keys[AES_ROUNDS + 1][16])
{
    static const uint8_t rcon[AES_ROUNDS] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1B, 0x36};
    memcpy(round_keys[0], key16, 16);
    for (int r = 1; r <= AES_ROUNDS; r++) {
        const uint8_t *prev = round_keys[r - 1];
        uint8_t t[4] = {prev[13], prev[14], prev[15], prev[12]};  /* RotWord(w[i-1]) */
        sub_word(t);
        t[0] ^= rcon[r - 1];
        for (int k = 0; k < 4; k++)
            round_keys[r][k] = prev[k] ^ t[k];
        for (int k = 4; k < 16; k++)
            round_keys[r][k] = prev[k] ^ round_keys[r][k - 4];
    }
}
