/* mpc C core, area "garble": half-gates garbling and evaluation of a whole boolean circuit in one
 * call (Zahur-Rosulek-Evans 2015, with free-XOR and point-and-permute), hashing with the GKWY 2020
 * tweakable circular correlation-robust hash TCCR(x, i) = pi(pi(x) ^ i) ^ pi(x) (section 7.4),
 * pi = AES-128 under a per-session key (see mpc_aes.h).  Spec: protocols/gc-halfgates.md.
 *
 * Circuit form (mpc/gc/circuit.py): gate g has kind kinds[g] and wires[3g..3g+2] = in0, in1, out,
 * in topological order; for INV/COPY in1 is ignored, for CONST in0 is the constant 0 or 1.
 * labels: wire_count * 16 bytes, caller-owned; the caller fills the input wires' labels (garbler:
 * zero-labels; evaluator: active labels), the kernel writes every other wire.
 * tables: and_count * 32 bytes, one (TG, TE) pair per AND gate in gate order.
 * AND gate number k (0-based, in gate order) uses the tweaks 2(tweak_base + k) and
 * 2(tweak_base + k) + 1: a session that garbles several circuits under one hash key advances
 * tweak_base by and_count each time so no tweak repeats.
 * The hash runs on VAES (two blocks per instruction) when the CPU has VAES and AVX2, else on
 * AES-NI, else on the portable code; all give identical results.  flags: 0 or MPC_GARBLE_NO_VAES.
 * Returns MPC_OK, MPC_ERR_ARGUMENT (null pointer, bad schedule, delta with LSB 0, wrong and_count)
 * or MPC_ERR_CIRCUIT (unknown kind, wire out of range, gate overwriting an input wire). */
#ifndef MPC_GARBLE_H
#define MPC_GARBLE_H
#include <stddef.h>
#include <stdint.h>
#include "mpc_common.h"

enum mpc_garble_gate {
    MPC_GATE_XOR = 0,
    MPC_GATE_AND = 1,
    MPC_GATE_INV = 2,
    MPC_GATE_COPY = 3,
    MPC_GATE_CONST = 4
};

enum mpc_garble_constants {
    MPC_GARBLE_LABEL_BYTES = 16,
    MPC_GARBLE_TABLE_BYTES = 32,
    MPC_GARBLE_NO_VAES = 1      /* flags: hash with 128-bit AES-NI even where VAES exists (tests) */
};

/* Garbler: labels holds the zero-labels of the input wires on entry and of every wire on return;
 * delta is the 16-byte free-XOR offset (least significant bit of byte 0 must be 1). */
int mpc_garble_circuit(const uint8_t *kinds, const uint32_t *wires, size_t gate_count,
                       size_t wire_count, size_t input_count, const uint8_t *schedule,
                       const uint8_t *delta, uint64_t tweak_base, uint8_t *labels,
                       uint8_t *tables, size_t and_count, int flags);

/* Evaluator: labels holds the active labels of the input wires on entry and of every wire on
 * return; the permute (point-and-permute) bit of a label is the LSB of its byte 0. */
int mpc_garble_evaluate(const uint8_t *kinds, const uint32_t *wires, size_t gate_count,
                        size_t wire_count, size_t input_count, const uint8_t *schedule,
                        uint64_t tweak_base, uint8_t *labels, const uint8_t *tables,
                        size_t and_count, int flags);

/* Gate order for fast garbling: a stable order of the gates by AND depth in which every AND gate
 * of depth d comes after all gates of AND depth < d and before the other gates of depth d, so
 * the AND gates of one level are consecutive and independent and their hashes can be batched;
 * the other gates of a level follow in order of the longest chain of such gates feeding them, so
 * consecutive XOR gates rarely depend on each other (measured: about 5% faster on AES).
 * Writes the permutation to order (gate_count entries): gate order[k] goes to place k.
 * Garbler and evaluator must use the same order (the AND tables follow it). */
int mpc_garble_schedule(const uint8_t *kinds, const uint32_t *wires, size_t gate_count,
                        size_t wire_count, size_t input_count, uint32_t *order);

#endif
