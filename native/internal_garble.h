/* Private helpers shared by the garbling kernels (native/garble.c) and the gate scheduler
 * (native/garble_schedule.c).  Not exported to cffi. */
#ifndef MPC_INTERNAL_GARBLE_H
#define MPC_INTERNAL_GARBLE_H
#include <stddef.h>
#include <stdint.h>

/* MPC_OK when every gate is well formed (kind, wire ranges, inputs not overwritten) and the
 * circuit has exactly and_count AND gates; MPC_ERR_CIRCUIT or MPC_ERR_ARGUMENT otherwise. */
int garble_check_circuit(const uint8_t *kinds, const uint32_t *wires, size_t gate_count,
                         size_t wire_count, size_t input_count, size_t and_count);

#endif
