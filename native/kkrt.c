/* KKRT16 1-out-of-N OT extension and OPRF kernels (spec: protocols/psi-kkrt.md).
 *
 * Kolesnikov, Kumaresan, Rosulek, Trieu, "Efficient batched oblivious PRF with applications to
 * private set intersection", CCS 2016: IKNP with the receiver's choice bits replaced by codewords
 * C(r) of a 512-bit pseudorandom code, so the sender can evaluate F(y) = H(j, q_j ^ (C(y) & s)) on
 * any y while the receiver learns only F(r_j) = H(j, t0_j).  Work is per block of 128 bins (512
 * column PRG outputs, 4 bit transposes of 128 x 128 from internal_ot.h), spread over the pool. */
#include "internal_kkrt.h"
#include "internal_pool.h"
#include "mpc_common.h"
#include "mpc_kkrt.h"
#include "mpc_ot.h"

#include <string.h>

typedef struct {
    const uint8_t *s0, *s1, *code;   /* column schedules (512 each), code schedules (12) */
    const uint8_t *s;                /* sender's 64-byte s */
    uint64_t first_block;
    const uint8_t *inputs, *fn, *u, *q, *items;
    const uint32_t *bin_index;
    uint64_t bins;
    uint8_t *out, *u_out, *q_out;
    size_t out_bytes;
} kkrt_job;

/* The 512 column PRG outputs of one block, transposed: rows[j*64 + 16g ..] holds the bits of
 * columns 128g .. 128g+127 for bin j of the block. */
OT_TARGET static void column_rows(const uint8_t *schedules, uint64_t block, uint8_t *rows)
{
    __m128i col[128];
    uint8_t part[KKRT_BLOCK_ROWS * 16];
    const __m128i counter = _mm_set_epi64x(0, (long long)block);
    for (int g = 0; g < 4; g++) {
        for (int j = 0; j < 128; j += 8) {
            const uint8_t *keys[8];
            for (int m = 0; m < 8; m++) {
                keys[m] = schedules + (size_t)KKRT_SCHEDULE * (128 * g + j + m);
                col[j + m] = counter;
            }
            ot_aes8_multikey(keys, col + j);
        }
        ot_transpose_block128(col, part);
        for (int r = 0; r < KKRT_BLOCK_ROWS; r++)
            memcpy(rows + KKRT_ROW * r + 16 * g, part + 16 * r, 16);
    }
}

/* code[0..3] = C(item, k): four AES blocks of the item under the code keys of hash function k. */
OT_TARGET static inline void codeword(const uint8_t *code_schedules, __m128i item, int k, __m128i code[4])
{
    const uint8_t *keys[4];
    for (int b = 0; b < 4; b++) {
        keys[b] = code_schedules + (size_t)KKRT_SCHEDULE * (4 * k + b);
        code[b] = item;
    }
    kkrt_aes_multikey(keys, code, 4);
}

OT_TARGET static int receiver_chunk(void *arg, size_t begin, size_t end)
{
    const kkrt_job *jb = arg;
    uint8_t t0[KKRT_BLOCK_ROWS * KKRT_ROW], t1[KKRT_BLOCK_ROWS * KKRT_ROW];
    for (size_t blk = begin; blk < end; blk++) {
        uint64_t block = jb->first_block + blk;
        column_rows(jb->s0, block, t0);
        column_rows(jb->s1, block, t1);
        for (int r = 0; r < KKRT_BLOCK_ROWS; r++) {
            size_t row = KKRT_BLOCK_ROWS * blk + (size_t)r;
            uint8_t k = jb->fn[row];
            if (k > 2) return MPC_ERR_ARGUMENT;
            __m128i code[4];
            codeword(jb->code, _mm_loadu_si128((const __m128i *)(jb->inputs + 16 * row)), k, code);
            for (int b = 0; b < 4; b++) {
                __m128i a = _mm_loadu_si128((const __m128i *)(t0 + KKRT_ROW * r + 16 * b));
                __m128i c = _mm_loadu_si128((const __m128i *)(t1 + KKRT_ROW * r + 16 * b));
                _mm_storeu_si128((__m128i *)(jb->u_out + KKRT_ROW * row + 16 * b),
                                 _mm_xor_si128(_mm_xor_si128(a, c), code[b]));
            }
            kkrt_oprf_hash(KKRT_BLOCK_ROWS * block + (uint64_t)r, t0 + KKRT_ROW * r, jb->out + jb->out_bytes * row,
                           jb->out_bytes);
        }
    }
    return MPC_OK;
}

int mpc_kkrt_receiver_extend(const uint8_t *schedules0, const uint8_t *schedules1, const uint8_t *code_schedules,
                             uint64_t first_block, const uint8_t *inputs, const uint8_t *fn, size_t blocks,
                             uint8_t *u, uint8_t *out, size_t out_bytes, unsigned threads)
{
    if (!schedules0 || !schedules1 || !code_schedules || out_bytes == 0 || out_bytes > 32
        || (blocks && (!inputs || !fn || !u || !out)))
        return MPC_ERR_ARGUMENT;
    if (!mpc_ot_cpu_supported())
        return MPC_ERR_UNSUPPORTED;
    if (blocks == 0)
        return MPC_OK;
    kkrt_job jb = {.s0 = schedules0, .s1 = schedules1, .code = code_schedules, .first_block = first_block,
                   .inputs = inputs, .fn = fn, .u_out = u, .out = out, .out_bytes = out_bytes};
    return pool_run(receiver_chunk, &jb, blocks, threads);
}

OT_TARGET static int sender_chunk(void *arg, size_t begin, size_t end)
{
    const kkrt_job *jb = arg;
    uint8_t g[KKRT_BLOCK_ROWS * KKRT_ROW];
    __m128i s[4];
    for (int b = 0; b < 4; b++)
        s[b] = _mm_loadu_si128((const __m128i *)(jb->s + 16 * b));
    for (size_t blk = begin; blk < end; blk++) {
        column_rows(jb->s0, jb->first_block + blk, g);
        for (int r = 0; r < KKRT_BLOCK_ROWS; r++) {
            size_t row = KKRT_BLOCK_ROWS * blk + (size_t)r;
            for (int b = 0; b < 4; b++) {
                __m128i u = _mm_loadu_si128((const __m128i *)(jb->u + KKRT_ROW * row + 16 * b));
                __m128i x = _mm_loadu_si128((const __m128i *)(g + KKRT_ROW * r + 16 * b));
                _mm_storeu_si128((__m128i *)(jb->q_out + KKRT_ROW * row + 16 * b),
                                 _mm_xor_si128(x, _mm_and_si128(u, s[b])));
            }
        }
    }
    return MPC_OK;
}

int mpc_kkrt_sender_extend(const uint8_t *schedules, const uint8_t *s64, uint64_t first_block,
                           const uint8_t *u, size_t blocks, uint8_t *q, unsigned threads)
{
    if (!schedules || !s64 || (blocks && (!u || !q)))
        return MPC_ERR_ARGUMENT;
    if (!mpc_ot_cpu_supported())
        return MPC_ERR_UNSUPPORTED;
    if (blocks == 0)
        return MPC_OK;
    kkrt_job jb = {.s0 = schedules, .s = s64, .first_block = first_block, .u = u, .q_out = q};
    return pool_run(sender_chunk, &jb, blocks, threads);
}

OT_TARGET static int eval_chunk(void *arg, size_t begin, size_t end)
{
    const kkrt_job *jb = arg;
    __m128i s[4];
    for (int b = 0; b < 4; b++)
        s[b] = _mm_loadu_si128((const __m128i *)(jb->s + 16 * b));
    for (size_t i = begin; i < end; i++) {
        __m128i item = _mm_loadu_si128((const __m128i *)(jb->items + 16 * i));
        const uint8_t *keys[12];
        __m128i code[12];
        for (int t = 0; t < 12; t++) {
            keys[t] = jb->code + (size_t)KKRT_SCHEDULE * t;
            code[t] = item;
        }
        kkrt_aes_multikey(keys, code, 12);  /* C(y, 0) || C(y, 1) || C(y, 2) */
        for (int k = 0; k < 3; k++) {
            uint32_t bin = jb->bin_index[3 * i + k];
            if (bin >= jb->bins) return MPC_ERR_ARGUMENT;
            uint8_t v[KKRT_ROW];
            for (int b = 0; b < 4; b++) {
                __m128i q = _mm_loadu_si128((const __m128i *)(jb->q + KKRT_ROW * (size_t)bin + 16 * b));
                _mm_storeu_si128((__m128i *)(v + 16 * b), _mm_xor_si128(q, _mm_and_si128(code[4 * k + b], s[b])));
            }
            kkrt_oprf_hash(bin, v, jb->out + jb->out_bytes * (3 * i + (size_t)k), jb->out_bytes);
        }
    }
    return MPC_OK;
}

int mpc_kkrt_sender_eval(const uint8_t *q, uint64_t bins, const uint8_t *s64, const uint8_t *code_schedules,
                         const uint8_t *items, const uint32_t *bin_index, size_t count, uint8_t *out,
                         size_t out_bytes, unsigned threads)
{
    if (!s64 || !code_schedules || out_bytes == 0 || out_bytes > 32
        || (count && (!q || !items || !bin_index || !out || bins == 0)))
        return MPC_ERR_ARGUMENT;
    if (!mpc_ot_cpu_supported())
        return MPC_ERR_UNSUPPORTED;
    if (count == 0)
        return MPC_OK;
    kkrt_job jb = {.q = q, .bins = bins, .s = s64, .code = code_schedules, .items = items,
                   .bin_index = bin_index, .out = out, .out_bytes = out_bytes};
    return pool_run(eval_chunk, &jb, count, threads);
}
