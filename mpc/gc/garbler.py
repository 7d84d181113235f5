"""The garbler role of two-party half-gates garbled circuits (spec: protocols/gc-halfgates.md).

For mpc.gc.functions and users running several circuits over one session: a `Garbler` holds the
session's Δ (also the IKNP sender's Δ, so correlated OT hands the evaluator its input labels), the
per-session hash key (both parties contribute) and the tweak counter.  Every `run` draws fresh
labels from the PRG.  Semi-honest security.
"""
from __future__ import annotations

import numpy as np

from mpc.errors import ProtocolError
from mpc.gc import job as jobs
from mpc.gc.job import EVALUATOR, GARBLER, Job
from mpc.native import garble as native
from mpc.ot import IknpSender
from mpc.prg import Prg

LABEL = native.LABEL_BYTES


class Garbler:
    """Garbler side. `run(job, inputs)` garbles and sends; returns outputs if the garbler learns."""

    def __init__(self, channel, prg: Prg | None = None, *, timeout: float | None = None):
        self.channel = channel
        self.prg = prg if prg is not None else Prg()
        self.timeout = timeout
        raw = bytearray(self.prg.bytes(LABEL))
        raw[0] |= 1  # point-and-permute: the permute bit of a label is its LSB, Δ's LSB is 1
        self.delta = bytes(raw)
        self._delta_array = np.frombuffer(self.delta, np.uint8)
        self.ot = IknpSender(channel, self.prg, delta=self.delta, timeout=timeout)
        self._schedule = None
        self.next_gate_id = 0  # tweak base: AND gates garbled under this hash key so far
        self.last_zero_labels = None  # zero-labels of every wire of the last instance (tests)

    def setup(self) -> None:
        """Agree on the hash key (both contribute 16 random bytes) and run the base OTs."""
        if self._schedule is not None:
            return
        self._schedule = jobs.agree_hash_schedule(self.channel, self.prg, GARBLER, self.timeout)
        self.ot.setup()

    def run(self, job: Job, inputs):
        """Garble `job` on the garbler's `inputs` (see Job.encode); returns the outputs when
        job.reveal is "garbler" or "both", else None."""
        self.setup()
        circuit = jobs.scheduled(job.circuit)
        my_bits = job.encode(GARBLER, inputs)
        # Input labels: the evaluator's zero-labels come out of correlated OT under Δ.
        evaluator_zero = self.ot.correlated(job.total_bits(EVALUATOR))
        my_zero = self.prg.blocks(my_bits.size)
        my_active = my_zero ^ (my_bits[:, None] * self._delta_array)
        self.channel.send(jobs.TAG_INPUTS, my_active if my_active.size else b"")

        per_message = job.instances_per_message()
        and_count = circuit.and_count
        labels = np.empty((circuit.wire_count, LABEL), np.uint8)
        permute = np.empty((job.instances, circuit.output_bits), np.uint8)
        pieces = jobs.segments(circuit)
        stacked = np.concatenate([my_zero, evaluator_zero])
        rows = job.input_rows()
        n_in = circuit.input_bits
        if len(pieces) > 1:  # a large circuit: garble and send it piece by piece
            for instance in range(job.instances):
                np.take(stacked, rows[instance], axis=0, out=labels[:n_in])
                for start, stop, first_and, end_and in pieces:
                    tables = np.empty((end_and - first_and, native.TABLE_BYTES), np.uint8)
                    native.garble_range(circuit, start, stop, self.delta, self._schedule,
                                        self.next_gate_id + first_and, labels, tables)
                    self.channel.send(jobs.TAG_TABLES, tables)
                self.next_gate_id += and_count
                permute[instance] = labels[circuit.output_start:, 0] & 1
        for first in range(0, job.instances if len(pieces) == 1 else 0, per_message):
            count = min(per_message, job.instances - first)
            tables = np.empty((count, and_count, native.TABLE_BYTES), np.uint8)
            for k in range(count):
                np.take(stacked, rows[first + k], axis=0, out=labels[:n_in])
                native.garble_range(circuit, 0, circuit.gate_count, self.delta, self._schedule,
                                    self.next_gate_id, labels, tables[k])
                self.next_gate_id += and_count
                permute[first + k] = labels[circuit.output_start:, 0] & 1
            self.channel.send(jobs.TAG_TABLES, tables)
        self.last_zero_labels = labels

        bits = permute.reshape(-1)
        if job.reveal in ("both", "evaluator"):
            self.channel.send(jobs.TAG_DECODE, np.packbits(bits, bitorder="little"))
        if job.reveal in ("both", "garbler"):
            masked = self.channel.recv_bytes(jobs.TAG_RESULT, job.output_bytes(), timeout=self.timeout)
            unpacked = np.unpackbits(np.frombuffer(masked, np.uint8), bitorder="little")
            if unpacked[bits.size:].any():
                raise ProtocolError("gc:result has padding bits set", self.channel.peer)
            return jobs.decode_outputs(job, unpacked[:bits.size] ^ bits)
        return None
