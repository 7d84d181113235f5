"""Boolean circuits in a compact array form, the Bristol Fashion parser, and a plaintext evaluator.

For everything in mpc.gc: the garbler and evaluator (protocols/gc-halfgates.md) take a `Circuit`,
the builder (builder.py) emits one, and the plaintext evaluator here is the reference the garbled
runs are tested against.  The file format is Nigel Smart's "Bristol Fashion" (see
mpc/circuits/README.md); the parser is our own and rejects malformed files with the line number.

Form: gate i has kind `kinds[i]` and wires `wires[i] = (in0, in1, out)`.  For one-input gates
(INV, COPY) in1 == in0; for CONST, in0 is the constant (0 or 1) and in1 is 0.  Inputs occupy the
first wires in order, outputs the last wires, bit j of a value is wire (start + j), least
significant bit first.  Every wire is set exactly once, before it is read (checked at construction).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from mpc.errors import CircuitError

# Gate kinds, shared with native/mpc_garble.h (enum mpc_garble_gate).
XOR, AND, INV, COPY, CONST = 0, 1, 2, 3, 4
KIND_NAMES = {XOR: "XOR", AND: "AND", INV: "INV", COPY: "EQW", CONST: "EQ"}

MAX_WIRES = 1 << 31  # wire ids are uint32 in the native kernel


@dataclass(frozen=True, eq=False)
class Circuit:
    """A validated boolean circuit: gate kinds, gate wires, input and output value widths."""

    wire_count: int
    input_sizes: tuple[int, ...]
    output_sizes: tuple[int, ...]
    kinds: np.ndarray          # (gates,) uint8
    wires: np.ndarray          # (gates, 3) uint32: in0, in1, out
    name: str = "circuit"
    counts: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        kinds = np.ascontiguousarray(self.kinds, dtype=np.uint8)
        wires = np.ascontiguousarray(self.wires, dtype=np.uint32).reshape(-1, 3)
        kinds.setflags(write=False)
        wires.setflags(write=False)
        object.__setattr__(self, "kinds", kinds)
        object.__setattr__(self, "wires", wires)
        object.__setattr__(self, "input_sizes", tuple(int(s) for s in self.input_sizes))
        object.__setattr__(self, "output_sizes", tuple(int(s) for s in self.output_sizes))
        _validate(self)
        counts = {name: int(np.count_nonzero(kinds == k)) for k, name in KIND_NAMES.items()}
        object.__setattr__(self, "counts", counts)

    # -- shape ----------------------------------------------------------------------------------
    @property
    def gate_count(self) -> int:
        return int(self.kinds.shape[0])

    @property
    def and_count(self) -> int:
        return self.counts["AND"]

    @property
    def input_bits(self) -> int:
        return sum(self.input_sizes)

    @property
    def output_bits(self) -> int:
        return sum(self.output_sizes)

    def input_wires(self, value: int) -> range:
        start = sum(self.input_sizes[:value])
        return range(start, start + self.input_sizes[value])

    @property
    def output_start(self) -> int:
        return self.wire_count - self.output_bits

    def __repr__(self) -> str:
        return (f"Circuit({self.name!r}, gates={self.gate_count}, and={self.and_count}, "
                f"wires={self.wire_count}, inputs={self.input_sizes}, outputs={self.output_sizes})")

    # -- plaintext evaluation (the reference for garbled runs) ------------------------------------
    def evaluate_bits(self, input_bits) -> np.ndarray:
        """Evaluate on (batch, input_bits) 0/1 values; returns (batch, output_bits) uint8."""
        bits = np.asarray(input_bits, dtype=np.uint8)
        single = bits.ndim == 1
        bits = bits.reshape(1, -1) if single else bits
        if bits.shape[1] != self.input_bits:
            raise ValueError(f"{self.name} takes {self.input_bits} input bits, got {bits.shape[1]}")
        values = np.zeros((self.wire_count, bits.shape[0]), dtype=bool)
        values[: self.input_bits] = bits.T.astype(bool)
        one = np.ones(bits.shape[0], dtype=bool)
        for kind, (a, b, out) in zip(self.kinds.tolist(), self.wires.tolist()):
            if kind == XOR:
                values[out] = values[a] ^ values[b]
            elif kind == AND:
                values[out] = values[a] & values[b]
            elif kind == INV:
                values[out] = ~values[a]
            elif kind == COPY:
                values[out] = values[a]
            else:
                values[out] = one if a else ~one
        out = values[self.output_start:].T.astype(np.uint8)
        return out[0] if single else out

    def evaluate(self, *inputs: int) -> tuple[int, ...]:
        """Evaluate on unsigned integers, one per input value; returns one integer per output value."""
        return self.evaluate_many([inputs])[0]

    def evaluate_many(self, rows) -> list[tuple[int, ...]]:
        """Evaluate a batch: rows of integer inputs -> rows of integer outputs (unsigned)."""
        bits = np.stack([self.encode_inputs(row) for row in rows])
        return [self.decode_outputs(r) for r in self.evaluate_bits(bits)]

    def encode_inputs(self, values) -> np.ndarray:
        if len(values) != len(self.input_sizes):
            raise ValueError(f"{self.name} takes {len(self.input_sizes)} inputs, got {len(values)}")
        return np.concatenate([int_to_bits(v, w) for v, w in zip(values, self.input_sizes)])

    def decode_outputs(self, bits) -> tuple[int, ...]:
        return split_values(bits, self.output_sizes)


def int_to_bits(value: int, width: int) -> np.ndarray:
    """Bits of `value` mod 2^width, least significant first (negative values in two's complement)."""
    value = int(value) % (1 << width)
    raw = value.to_bytes((width + 7) // 8, "little")
    return np.unpackbits(np.frombuffer(raw, dtype=np.uint8), bitorder="little")[:width].copy()


def bits_to_int(bits) -> int:
    bits = np.asarray(bits, dtype=np.uint8)
    raw = np.packbits(bits, bitorder="little").tobytes()
    return int.from_bytes(raw, "little")


def split_values(bits, sizes) -> tuple[int, ...]:
    out, start = [], 0
    for width in sizes:
        out.append(bits_to_int(bits[start:start + width]))
        start += width
    return tuple(out)


def _validate(c: Circuit) -> None:
    """Vectorised structural checks; the parser gives line-numbered errors before this runs."""
    name = c.name
    if not 0 < c.wire_count < MAX_WIRES:
        raise CircuitError(f"wire count {c.wire_count} out of range", name)
    if any(s <= 0 for s in c.input_sizes) or any(s <= 0 for s in c.output_sizes):
        raise CircuitError("every input and output value needs at least one bit", name)
    if not c.output_sizes:
        raise CircuitError("a circuit needs at least one output", name)
    n_in = sum(c.input_sizes)
    if n_in + c.kinds.shape[0] != c.wire_count:
        raise CircuitError(f"{n_in} input wires + {c.kinds.shape[0]} gates != "
                           f"{c.wire_count} wires (every gate sets one new wire)", name)
    if sum(c.output_sizes) > c.wire_count:
        raise CircuitError("more output bits than wires", name)
    kinds, wires = c.kinds, c.wires.astype(np.int64)
    if kinds.size and int(kinds.max()) > CONST:
        raise CircuitError(f"unknown gate kind {int(kinds.max())}", name)
    if wires.size and int(wires.max()) >= c.wire_count:
        bad = int(np.argmax((wires >= c.wire_count).any(axis=1)))
        raise CircuitError(f"gate {bad} uses wire {int(wires[bad].max())} >= {c.wire_count}", name)
    # Who sets each wire: inputs at "gate -1", each gate its output, and nobody twice.
    setter = np.full(c.wire_count, -2, dtype=np.int64)
    setter[:n_in] = -1
    outs = wires[:, 2]
    order = np.arange(kinds.shape[0], dtype=np.int64)
    if outs.size:
        if np.any(outs < n_in):
            bad = int(np.argmax(outs < n_in))
            raise CircuitError(f"gate {bad} overwrites input wire {int(outs[bad])}", name)
        uniq, first, counts = np.unique(outs, return_index=True, return_counts=True)
        if np.any(counts > 1):
            wire = int(uniq[np.argmax(counts > 1)])
            raise CircuitError(f"wire {wire} is set twice", name)
        setter[outs] = order
    if np.any(setter == -2):
        raise CircuitError(f"wire {int(np.argmax(setter == -2))} is never set", name)
    reads_b = (kinds == XOR) | (kinds == AND)
    reads_a = kinds != CONST
    late_a = reads_a & (setter[wires[:, 0]] >= order)
    late_b = reads_b & (setter[wires[:, 1]] >= order)
    if np.any(late_a | late_b):
        bad = int(np.argmax(late_a | late_b))
        raise CircuitError(f"gate {bad} reads a wire before it is set", name)
    const_bad = (kinds == CONST) & (wires[:, 0] > 1)
    if np.any(const_bad):
        raise CircuitError(f"constant gate {int(np.argmax(const_bad))} is not 0 or 1", name)


# -- Bristol Fashion ------------------------------------------------------------------------------
_ARITY = {"XOR": (2, 1), "AND": (2, 1), "INV": (1, 1), "EQW": (1, 1), "EQ": (1, 1)}
_KIND = {"XOR": XOR, "AND": AND, "INV": INV, "EQW": COPY, "EQ": CONST}


def parse_bristol(text: str, name: str = "circuit") -> Circuit:
    """Parse Bristol Fashion text; `CircuitError(path=name, line=...)` on anything malformed.

    Supports XOR, AND, INV, EQ (constant) and EQW (copy); MAND (k ANDs in one line) is expanded
    into k AND gates, which keeps the wire numbering because each output wire is still set once.
    """
    lines = text.splitlines()
    pos = 0

    def fail(message: str, line: int | None):
        raise CircuitError(message, name, line)

    def next_line() -> tuple[int, list[str]]:
        nonlocal pos
        while pos < len(lines):
            pos += 1
            parts = lines[pos - 1].split()
            if parts:
                return pos, parts
        fail("unexpected end of file in the header", pos)

    def ints(parts: list[str], line: int, what: str) -> list[int]:
        try:
            values = [int(p) for p in parts]
        except ValueError:
            fail(f"{what}: expected integers, got {' '.join(parts)!r}", line)
        if any(v < 0 for v in values):
            fail(f"{what}: negative number", line)
        return values

    line, parts = next_line()
    header = ints(parts, line, "header")
    if len(header) != 2:
        fail("first line must be '<gates> <wires>'", line)
    gate_count, wire_count = header
    if not 0 < wire_count < MAX_WIRES:
        fail(f"wire count {wire_count} out of range", line)
    sizes = []
    for what in ("inputs", "outputs"):
        line, parts = next_line()
        values = ints(parts, line, what)
        if not values or values[0] < 1 or len(values) != values[0] + 1:
            fail(f"{what} line must be '<count> <bits>...' with count >= 1 and that many sizes", line)
        if any(v == 0 for v in values[1:]):
            fail(f"{what}: a value of zero bits", line)
        sizes.append(tuple(values[1:]))
    input_sizes, output_sizes = sizes
    n_in = sum(input_sizes)
    if n_in > wire_count or sum(output_sizes) > wire_count:
        fail(f"inputs ({n_in} bits) or outputs ({sum(output_sizes)} bits) exceed {wire_count} wires", line)

    kind_list: list[int] = []
    wire_list: list[tuple[int, int, int]] = []
    is_set = bytearray(wire_count)
    is_set[:n_in] = b"\x01" * n_in
    lines_read = 0
    for index in range(pos, len(lines)):
        parts = lines[index].split()
        if not parts:
            continue
        line = index + 1
        if lines_read >= gate_count:
            fail(f"more gate lines than the {gate_count} in the header", line)
        op = parts[-1]
        numbers = ints(parts[:-1], line, f"gate {op}")
        if len(numbers) < 2:
            fail(f"gate line must be '<in> <out> <wires...> <op>': {lines[index].strip()!r}", line)
        n_inputs, n_outputs = numbers[0], numbers[1]
        if len(numbers) != 2 + n_inputs + n_outputs:
            fail(f"gate {op} declares {n_inputs} inputs and {n_outputs} outputs but lists "
                 f"{len(numbers) - 2} wires", line)
        ins, outs = numbers[2:2 + n_inputs], numbers[2 + n_inputs:]
        if op == "MAND":
            if n_inputs != 2 * n_outputs or n_outputs == 0:
                fail(f"MAND needs 2k inputs and k outputs, got {n_inputs} and {n_outputs}", line)
            triples = [(ins[k], ins[k + n_outputs], outs[k]) for k in range(n_outputs)]
            gate_kind = AND
        elif op in _ARITY:
            if (n_inputs, n_outputs) != _ARITY[op]:
                fail(f"gate {op} takes {_ARITY[op][0]} inputs and {_ARITY[op][1]} output, "
                     f"got {n_inputs} and {n_outputs}", line)
            a = ins[0]
            b = ins[1] if n_inputs == 2 else (0 if op == "EQ" else a)
            triples = [(a, b, outs[0])]
            gate_kind = _KIND[op]
        else:
            fail(f"unknown gate {op!r} (supported: XOR, AND, INV, EQ, EQW, MAND)", line)
        for a, b, out in triples:
            if gate_kind == CONST:
                if a > 1:
                    fail(f"EQ assigns a constant 0 or 1, got {a}", line)
                reads = ()
            elif gate_kind in (INV, COPY):
                reads = (a,)
            else:
                reads = (a, b)
            for w in (*reads, out):
                if w >= wire_count:
                    fail(f"wire {w} out of range (the circuit has {wire_count} wires)", line)
            for w in reads:
                if not is_set[w]:
                    fail(f"wire {w} is used before it is set", line)
            if is_set[out]:
                fail(f"wire {out} is set twice" + (" (it is an input wire)" if out < n_in else ""), line)
            is_set[out] = 1
        kind_list.extend([gate_kind] * len(triples))
        wire_list.extend(triples)
        lines_read += 1
    if lines_read != gate_count:
        fail(f"the header announces {gate_count} gates but the file has {lines_read}", len(lines))
    kinds = np.array(kind_list, dtype=np.uint8)
    wires = np.array(wire_list, dtype=np.uint32).reshape(-1, 3)
    unset = is_set.find(b"\x00")
    if unset >= 0:
        fail(f"wire {unset} is never set", len(lines))
    if n_in + kinds.shape[0] != wire_count:
        fail(f"{n_in} input wires + {kinds.shape[0]} gate outputs != {wire_count} wires", len(lines))
    return Circuit(wire_count, input_sizes, output_sizes, kinds, wires, name=name)


def load_bristol(path: str | os.PathLike, name: str | None = None) -> Circuit:
    """Parse a Bristol Fashion file; errors name the file and line."""
    path = os.fspath(path)
    with open(path, encoding="ascii", errors="replace") as handle:
        text = handle.read()
    return parse_bristol(text, name or path)


def to_bristol(circuit: Circuit) -> str:
    """Bristol Fashion text of `circuit` (round-trips through `parse_bristol`)."""
    out = [f"{circuit.gate_count} {circuit.wire_count}",
           " ".join(map(str, (len(circuit.input_sizes), *circuit.input_sizes))),
           " ".join(map(str, (len(circuit.output_sizes), *circuit.output_sizes))), ""]
    for kind, (a, b, o) in zip(circuit.kinds.tolist(), circuit.wires.tolist()):
        if kind in (XOR, AND):
            out.append(f"2 1 {a} {b} {o} {KIND_NAMES[kind]}")
        else:
            out.append(f"1 1 {a} {o} {KIND_NAMES[kind]}")
    return "\n".join(out) + "\n"
