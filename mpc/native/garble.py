"""Python door to the half-gates kernels of native/garble.c (spec: protocols/gc-halfgates.md).

For mpc.gc (Garbler / Evaluator roles): checks shapes and dtypes, makes the per-session hash key
schedule, garbles or evaluates a whole circuit in one C call, raises `NativeError` on failure.
Labels are (wires, 16) uint8 arrays; tables are (AND gates, 32) uint8 arrays.
"""
from __future__ import annotations

import numpy as np

from mpc.native import buffer, check, ffi, lib

LABEL_BYTES = int(lib.MPC_GARBLE_LABEL_BYTES)
TABLE_BYTES = int(lib.MPC_GARBLE_TABLE_BYTES)
SCHEDULE_BYTES = int(lib.MPC_AES_SCHEDULE_BYTES)


def hash_schedule(key: bytes, portable: bool = False) -> np.ndarray:
    """The AES-128 key schedule of the session's hash key pi = AES_key (16 bytes).

    `portable=True` forces the constant-time non-AES-NI code (for cross-checking the NI path).
    """
    key = bytes(key)
    if len(key) != 16:
        raise ValueError("the garbling hash key is 16 bytes")
    schedule = np.zeros(SCHEDULE_BYTES, dtype=np.uint8)
    check(lib.mpc_aes_schedule_init(buffer(schedule, writable=True), key,
                                     lib.MPC_AES_PORTABLE if portable else lib.MPC_AES_AUTO),
          "garbling hash key schedule")
    return schedule


def _labels_buffer(circuit, input_labels, out) -> np.ndarray:
    input_labels = np.asarray(input_labels, dtype=np.uint8)
    if input_labels.shape != (circuit.input_bits, LABEL_BYTES):
        raise ValueError(f"{circuit.name} needs ({circuit.input_bits}, 16) input labels, "
                         f"got {input_labels.shape}")
    if out is None:
        out = np.empty((circuit.wire_count, LABEL_BYTES), dtype=np.uint8)
    elif out.shape != (circuit.wire_count, LABEL_BYTES) or out.dtype != np.uint8 \
            or not out.flags.c_contiguous:
        raise ValueError("labels buffer must be a C-contiguous (wires, 16) uint8 array")
    out[: circuit.input_bits] = input_labels
    return out


def _schedule(schedule) -> np.ndarray:
    schedule = np.ascontiguousarray(schedule, dtype=np.uint8)
    if schedule.shape != (SCHEDULE_BYTES,):
        raise ValueError("not a hash key schedule (use hash_schedule)")
    return schedule


def garble_circuit(circuit, input_zero_labels, delta, schedule, tweak_base: int = 0,
                   labels: np.ndarray | None = None, tables: np.ndarray | None = None):
    """Garble `circuit`: returns (zero-labels of every wire (wires, 16), tables (AND, 32)).

    `delta` is the 16-byte free-XOR offset with its LSB set; `labels`/`tables` may be passed to
    reuse buffers across calls.
    """
    delta = bytes(delta)
    if len(delta) != LABEL_BYTES or not delta[0] & 1:
        raise ValueError("delta must be 16 bytes with its least significant bit set")
    labels = _labels_buffer(circuit, input_zero_labels, labels)
    if tables is None:
        tables = np.empty((circuit.and_count, TABLE_BYTES), dtype=np.uint8)
    elif tables.shape != (circuit.and_count, TABLE_BYTES) or tables.dtype != np.uint8 \
            or not tables.flags.c_contiguous:
        raise ValueError("tables buffer must be a C-contiguous (AND gates, 32) uint8 array")
    code = lib.mpc_garble_circuit(
        ffi.from_buffer("uint8_t[]", circuit.kinds), ffi.from_buffer("uint32_t[]", circuit.wires),
        circuit.gate_count, circuit.wire_count, circuit.input_bits, buffer(_schedule(schedule)),
        delta, int(tweak_base), buffer(labels, writable=True), buffer(tables, writable=True),
        circuit.and_count, 0)
    check(code, f"garbling {circuit.name}")
    return labels, tables


def evaluate_circuit(circuit, input_labels, tables, schedule, tweak_base: int = 0,
                     labels: np.ndarray | None = None) -> np.ndarray:
    """Evaluate a garbled `circuit` from the active input labels; returns every wire's active label."""
    tables = np.ascontiguousarray(tables, dtype=np.uint8)
    if tables.shape != (circuit.and_count, TABLE_BYTES):
        raise ValueError(f"{circuit.name} needs ({circuit.and_count}, 32) tables, got {tables.shape}")
    labels = _labels_buffer(circuit, input_labels, labels)
    code = lib.mpc_garble_evaluate(
        ffi.from_buffer("uint8_t[]", circuit.kinds), ffi.from_buffer("uint32_t[]", circuit.wires),
        circuit.gate_count, circuit.wire_count, circuit.input_bits, buffer(_schedule(schedule)),
        int(tweak_base), buffer(labels, writable=True), buffer(tables), circuit.and_count, 0)
    check(code, f"evaluating {circuit.name}")
    return labels


def schedule_order(circuit) -> np.ndarray:
    """The gate permutation that groups AND gates by AND depth (see mpc_garble_schedule)."""
    order = np.empty(circuit.gate_count, dtype=np.uint32)
    code = lib.mpc_garble_schedule(
        ffi.from_buffer("uint8_t[]", circuit.kinds), ffi.from_buffer("uint32_t[]", circuit.wires),
        circuit.gate_count, circuit.wire_count, circuit.input_bits,
        ffi.from_buffer("uint32_t[]", order, require_writable=True))
    check(code, f"scheduling {circuit.name}")
    return order


def _range_args(circuit, start: int, stop: int, labels, tables, and_count: int):
    if not 0 <= start <= stop <= circuit.gate_count:
        raise ValueError("gate range out of bounds")
    if labels.shape != (circuit.wire_count, LABEL_BYTES) or labels.dtype != np.uint8 \
            or not labels.flags.c_contiguous:
        raise ValueError("labels must be a C-contiguous (wires, 16) uint8 array")
    if tables.shape != (and_count, TABLE_BYTES) or tables.dtype != np.uint8 \
            or not tables.flags.c_contiguous:
        raise ValueError(f"tables must be a C-contiguous ({and_count}, 32) uint8 array")
    return (ffi.from_buffer("uint8_t[]", circuit.kinds[start:stop]),
            ffi.from_buffer("uint32_t[]", circuit.wires[start:stop]), stop - start,
            circuit.wire_count, circuit.input_bits)


def garble_range(circuit, start: int, stop: int, delta, schedule, tweak_base: int,
                 labels: np.ndarray, tables: np.ndarray, *, vaes: bool = True) -> None:
    """Garble gates start..stop-1 of `circuit` in place: `labels` already holds every wire they
    read; `tables` gets one row per AND gate of the range; tweak_base is that of the range's first
    AND gate.  Lets a large circuit be garbled and sent in segments.  vaes=False forces the
    128-bit AES-NI hash (identical results; for tests)."""
    delta = bytes(delta)
    if len(delta) != LABEL_BYTES or not delta[0] & 1:
        raise ValueError("delta must be 16 bytes with its least significant bit set")
    args = _range_args(circuit, start, stop, labels, tables, tables.shape[0])
    code = lib.mpc_garble_circuit(*args, buffer(_schedule(schedule)), delta, int(tweak_base),
                                  buffer(labels, writable=True), buffer(tables, writable=True),
                                  tables.shape[0], 0 if vaes else lib.MPC_GARBLE_NO_VAES)
    check(code, f"garbling gates {start}..{stop} of {circuit.name}")


def evaluate_range(circuit, start: int, stop: int, tables, schedule, tweak_base: int,
                   labels: np.ndarray, *, vaes: bool = True) -> None:
    """Evaluate gates start..stop-1 of a garbled `circuit` in place (see garble_range)."""
    tables = np.ascontiguousarray(tables, dtype=np.uint8)
    args = _range_args(circuit, start, stop, labels, tables, tables.shape[0])
    code = lib.mpc_garble_evaluate(*args, buffer(_schedule(schedule)), int(tweak_base),
                                   buffer(labels, writable=True), buffer(tables), tables.shape[0],
                                   0 if vaes else lib.MPC_GARBLE_NO_VAES)
    check(code, f"evaluating gates {start}..{stop} of {circuit.name}")
