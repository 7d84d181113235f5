"""What garbler and evaluator agree on before one garbled run: the shared parts of gc-halfgates.md.

For mpc.gc.garbler and mpc.gc.evaluator.  A `Job` names the circuit, who owns each input value,
which values are the same in every instance, how many instances run, and who learns the outputs.
Both roles derive the same input-bit layout, message sizes and gate order from it.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from mpc.gc.circuit import Circuit, int_to_bits
from mpc.native import garble as native
from mpc.transport.wire import header_bytes
from mpc.prg import derive_session_key

GARBLER, EVALUATOR = "garbler", "evaluator"
REVEALS = ("both", "evaluator", "garbler")
TAG_KEY = "gc:key"
TAG_INPUTS = "gc:inputs"
TAG_TABLES = "gc:tables"
TAG_DECODE = "gc:decode"
TAG_RESULT = "gc:result"
HASH_KEY_LABEL = "mpc/gc/halfgates/hash-key/v1"
CHUNK_TABLE_BYTES = 1 << 21  # tables per gc:tables message, so the evaluator works while the garbler sends
SEGMENT_ANDS = CHUNK_TABLE_BYTES // 32  # AND gates per piece of a circuit too large for one message
MAX_INSTANCES = 1 << 24


@functools.lru_cache(maxsize=32)
def scheduled(circuit: Circuit) -> Circuit:
    """The circuit with its gates in the AND-depth order both roles garble in (spec, "Gate order")."""
    order = native.schedule_order(circuit)
    return Circuit(circuit.wire_count, circuit.input_sizes, circuit.output_sizes,
                   circuit.kinds[order], circuit.wires[order], name=circuit.name)


@functools.lru_cache(maxsize=32)
def segments(circuit: Circuit) -> tuple[tuple[int, int, int, int], ...]:
    """(first gate, end gate, first AND, end AND) of the pieces one instance of the scheduled
    `circuit` is garbled and sent in: one piece when its tables fit in CHUNK_TABLE_BYTES, else a
    cut after every SEGMENT_ANDS-th AND gate (spec, "One run"), so the evaluator works on one piece
    while the next is garbled and sent."""
    per = SEGMENT_ANDS
    if circuit.and_count <= per:
        return ((0, circuit.gate_count, 0, circuit.and_count),)
    and_positions = np.flatnonzero(circuit.kinds == 1)
    cuts = [int(and_positions[k - 1]) + 1 for k in range(per, circuit.and_count, per)]
    bounds = [0, *cuts, circuit.gate_count]
    return tuple((bounds[i], bounds[i + 1], i * per, min((i + 1) * per, circuit.and_count))
                 for i in range(len(bounds) - 1))


def role_name(role) -> str:
    if role in (0, GARBLER):
        return GARBLER
    if role in (1, EVALUATOR):
        return EVALUATOR
    raise ValueError(f"role must be 'garbler' (or 0) or 'evaluator' (or 1), not {role!r}")


@dataclass(frozen=True)
class Job:
    circuit: Circuit
    owners: tuple[str, ...]          # per input value: GARBLER or EVALUATOR
    shared: tuple[bool, ...]         # per input value: one value for every instance
    instances: int = 1
    reveal: str = "both"

    def __post_init__(self):
        c = self.circuit
        if len(self.owners) != len(c.input_sizes) or len(self.shared) != len(c.input_sizes):
            raise ValueError(f"{c.name} has {len(c.input_sizes)} input values; give an owner and "
                             "a shared flag for each")
        object.__setattr__(self, "owners", tuple(role_name(o) for o in self.owners))
        if self.reveal not in REVEALS:
            raise ValueError(f"reveal must be one of {REVEALS}")
        if not 1 <= self.instances <= MAX_INSTANCES:
            raise ValueError(f"instances must be in 1..{MAX_INSTANCES}")

    # Input-bit layout of one role: its shared values first (value order), then for every
    # instance its per-instance values (value order).  Labels travel in this order.
    def values_of(self, role: str) -> list[int]:
        return [v for v, o in enumerate(self.owners) if o == role]

    def shared_bits(self, role: str) -> int:
        return sum(self.circuit.input_sizes[v] for v in self.values_of(role) if self.shared[v])

    def instance_bits(self, role: str) -> int:
        return sum(self.circuit.input_sizes[v] for v in self.values_of(role) if not self.shared[v])

    def total_bits(self, role: str) -> int:
        return self.shared_bits(role) + self.instances * self.instance_bits(role)

    def encode(self, role: str, inputs) -> np.ndarray:
        """The role's input bits in layout order from `inputs`: one entry per owned value, an int
        for a shared value, a sequence of `instances` ints otherwise (or an int if instances == 1)."""
        values = self.values_of(role)
        inputs = list(inputs)
        if len(inputs) != len(values):
            raise ValueError(f"the {role} owns {len(values)} input value(s) of {self.circuit.name}, "
                             f"got {len(inputs)}")
        sizes = self.circuit.input_sizes

        def bits(x, v):
            x, width = int(x), sizes[v]
            if not -(1 << (width - 1)) <= x < 1 << width:  # unsigned, or signed two's complement
                raise ValueError(f"input value {v} of {self.circuit.name} does not fit in {width} bits")
            return int_to_bits(x, width)

        parts = [bits(x, v) for v, x in zip(values, inputs) if self.shared[v]]
        per = []
        for v, x in zip(values, inputs):
            if self.shared[v]:
                continue
            xs = [x] if self.instances == 1 and np.ndim(x) == 0 else list(x)
            if len(xs) != self.instances:
                raise ValueError(f"input value {v} needs {self.instances} entries, got {len(xs)}")
            per.append(np.stack([bits(xi, v) for xi in xs]))
        if per:
            parts.append(np.concatenate(per, axis=1).reshape(-1))
        return np.concatenate(parts).astype(np.uint8) if parts else np.zeros(0, np.uint8)

    def input_rows(self) -> np.ndarray:
        """(instances, input_bits) row numbers into the stacked label arrays [garbler's layout;
        evaluator's layout]: row k of instance i is the label of the circuit's input wire k."""
        sizes = self.circuit.input_sizes
        rows = np.empty((self.instances, self.circuit.input_bits), dtype=np.intp)
        offset = {GARBLER: 0, EVALUATOR: self.total_bits(GARBLER)}
        starts = np.concatenate([[0], np.cumsum(sizes)])
        for role in (GARBLER, EVALUATOR):
            shared_at = offset[role]
            inst_at = offset[role] + self.shared_bits(role)
            step = self.instance_bits(role)
            for v in self.values_of(role):
                wires = slice(starts[v], starts[v + 1])
                if self.shared[v]:
                    rows[:, wires] = shared_at + np.arange(sizes[v])
                    shared_at += sizes[v]
                else:
                    rows[:, wires] = (inst_at + np.arange(self.instances)[:, None] * step
                                      + np.arange(sizes[v])[None, :])
                    inst_at += sizes[v]
        return rows

    def instances_per_message(self) -> int:
        per = 32 * self.circuit.and_count
        return max(1, min(self.instances, CHUNK_TABLE_BYTES // max(per, 1)))

    def tables_messages(self) -> int:
        pieces = len(segments(scheduled(self.circuit)))
        if pieces > 1:
            return self.instances * pieces
        return -(-self.instances // self.instances_per_message())

    def output_bytes(self) -> int:
        return -(-self.instances * self.circuit.output_bits // 8)


def decode_outputs(job: Job, bits: np.ndarray):
    """Output bits (instances * output_bits) -> list over instances of tuples of ints
    (or one tuple when instances == 1)."""
    c = job.circuit
    bits = bits.reshape(job.instances, c.output_bits)
    rows = [c.decode_outputs(row) for row in bits]
    return rows[0] if job.instances == 1 else rows


def run_bytes(job: Job) -> dict:
    """Exact bytes each role sends in one run after set-up (protocols/gc-halfgates.md, "Costs"),
    including wire headers and the correlated OT for the evaluator's input bits."""
    from mpc.ot.costs import iknp_bytes
    ot = iknp_bytes("correlated-ot", job.total_bits(EVALUATOR))
    tables_messages = job.tables_messages()
    garbler = (16 * job.total_bits(GARBLER) + header_bytes(TAG_INPUTS)
               + 32 * job.circuit.and_count * job.instances + tables_messages * header_bytes(TAG_TABLES)
               + ot["sender"])
    evaluator = ot["receiver"]
    if job.reveal in ("both", "evaluator"):
        garbler += job.output_bytes() + header_bytes(TAG_DECODE)
    if job.reveal in ("both", "garbler"):
        evaluator += job.output_bytes() + header_bytes(TAG_RESULT)
    flights = 2 + (job.reveal in ("both", "garbler"))
    return {"garbler": garbler, "evaluator": evaluator, "flights": flights}


def setup_bytes() -> dict:
    """Bytes each role sends in the once-per-session set-up: the hash-key contributions (gc:key)
    and the 128 base OTs of IKNP (the garbler is the base-OT receiver)."""
    from mpc.ot.costs import base_ot_bytes
    base = base_ot_bytes()
    key = 16 + header_bytes(TAG_KEY)
    return {"garbler": key + base["receiver"], "evaluator": key + base["sender"], "flights": 3}


def agree_hash_schedule(channel, prg, role: str, timeout: float | None):
    """Both parties contribute 16 random bytes to the session's hash key (garbler's first), so
    neither alone chooses the key of the correlation-robust hash; returns its AES schedule."""
    mine = prg.bytes(16)
    channel.send(TAG_KEY, mine)
    theirs = bytes(channel.recv_bytes(TAG_KEY, 16, timeout=timeout))
    first, second = (mine, theirs) if role == GARBLER else (theirs, mine)
    return native.hash_schedule(derive_session_key(HASH_KEY_LABEL, first, second))
