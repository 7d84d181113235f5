/* Gate checks and AND-depth scheduling for the half-gates kernels (spec: protocols/gc-halfgates.md).
 * The scheduler orders gates by AND depth so that the garbler and evaluator can queue many
 * independent AND gates and hash them together (native/garble.c). */
#include <stdlib.h>
#include <string.h>

#include "internal_garble.h"
#include "mpc_garble.h"

int garble_check_circuit(const uint8_t *kinds, const uint32_t *wires, size_t gate_count,
                         size_t wire_count, size_t input_count, size_t and_count)
{
    size_t ands = 0;
    if (input_count > wire_count)
        return MPC_ERR_CIRCUIT;
    for (size_t g = 0; g < gate_count; g++) {
        const uint32_t *w = wires + 3 * g;
        uint8_t kind = kinds[g];
        if (kind > MPC_GATE_CONST || w[2] >= wire_count || w[2] < input_count)
            return MPC_ERR_CIRCUIT;
        if (kind == MPC_GATE_CONST) {
            if (w[0] > 1)
                return MPC_ERR_CIRCUIT;
        } else if (w[0] >= wire_count || w[1] >= wire_count) {
            return MPC_ERR_CIRCUIT; /* INV/COPY have in1 == in0 in our form; it is read anyway */
        }
        ands += kind == MPC_GATE_AND;
    }
    return ands == and_count ? MPC_OK : MPC_ERR_ARGUMENT;
}

/* ---- scheduling ------------------------------------------------------------------------------ */

/* Stable counting sort of the `count` indices in `in` by key[index] (< key_limit) into `out`. */
static int counting_sort(const uint32_t *in, uint32_t *out, size_t count, const uint32_t *key,
                         uint32_t key_limit)
{
    size_t *start = calloc((size_t)key_limit + 1, sizeof(size_t));
    if (!start)
        return MPC_ERR_NOMEM;
    for (size_t k = 0; k < count; k++)
        start[key[in[k]] + 1]++;
    for (size_t k = 1; k <= key_limit; k++)
        start[k] += start[k - 1];
    for (size_t k = 0; k < count; k++)
        out[start[key[in[k]]]++] = in[k];
    free(start);
    return MPC_OK;
}

int mpc_garble_schedule(const uint8_t *kinds, const uint32_t *wires, size_t gate_count,
                        size_t wire_count, size_t input_count, uint32_t *order)
{
    if ((!kinds || !wires || !order) && gate_count)
        return MPC_ERR_ARGUMENT;
    if (gate_count >= UINT32_MAX / 2 || wire_count > UINT32_MAX)
        return MPC_ERR_ARGUMENT;
    size_t ands = 0;
    for (size_t g = 0; g < gate_count; g++)
        ands += kinds[g] == MPC_GATE_AND;
    int rc = garble_check_circuit(kinds, wires, gate_count, wire_count, input_count, ands);
    if (rc != MPC_OK)
        return rc;
    /* depth[w]: AND depth of wire w.  level of a gate = 2 * depth - (gate is AND), so the ANDs of
     * depth d (level 2d - 1) sit between the other gates of depth d - 1 (level 2d - 2) and d (2d).
     * chain[w]: for a non-AND gate, 1 + the longest chain of non-AND gates of its level feeding
     * it; a level's gates are ordered by it, so consecutive XOR gates rarely depend on each other
     * and the CPU overlaps them instead of waiting for each label to be stored and reloaded. */
    size_t n = gate_count ? gate_count : 1, w_n = wire_count ? wire_count : 1;
    uint32_t *depth = calloc(w_n, sizeof(uint32_t));
    uint32_t *chain = calloc(w_n, sizeof(uint32_t));
    uint32_t *level = malloc(n * sizeof(uint32_t));
    uint32_t *inner = malloc(n * sizeof(uint32_t));
    uint32_t *tmp = malloc(n * sizeof(uint32_t));
    uint32_t max_level = 0, max_chain = 0;
    if (!depth || !chain || !level || !inner || !tmp) {
        rc = MPC_ERR_NOMEM;
        goto done;
    }
    for (size_t g = 0; g < gate_count; g++) {
        const uint32_t *w = wires + 3 * g;
        uint8_t kind = kinds[g];
        uint32_t d = 0, c = 0;
        if (kind != MPC_GATE_CONST) {
            int binary = kind == MPC_GATE_XOR || kind == MPC_GATE_AND;
            d = depth[w[0]];
            if (binary && depth[w[1]] > d)
                d = depth[w[1]];
            if (kind != MPC_GATE_AND) {
                if (depth[w[0]] == d && chain[w[0]] > c)
                    c = chain[w[0]];
                if (binary && depth[w[1]] == d && chain[w[1]] > c)
                    c = chain[w[1]];
            }
        }
        if (kind == MPC_GATE_AND) {
            d++;
            c = 0;
        } else {
            c++;
        }
        depth[w[2]] = d;
        chain[w[2]] = c;
        level[g] = 2 * d - (kind == MPC_GATE_AND);
        inner[g] = c;
        if (level[g] > max_level)
            max_level = level[g];
        if (c > max_chain)
            max_chain = c;
    }
    for (size_t g = 0; g < gate_count; g++)
        order[g] = (uint32_t)g;
    /* lexicographic (level, chain): stable by chain, then stable by level */
    rc = counting_sort(order, tmp, gate_count, inner, max_chain + 1);
    if (rc == MPC_OK)
        rc = counting_sort(tmp, order, gate_count, level, max_level + 1);
done:
    free(depth);
    free(chain);
    free(level);
    free(inner);
    free(tmp);
    return rc;
}
