"""The evaluator role of two-party half-gates garbled circuits (spec: protocols/gc-halfgates.md).

For mpc.gc.functions and users running several circuits over one session: an `Evaluator` gets its
input labels by correlated OT (IKNP receiver), receives the garbler's labels and the tables,
evaluates each instance in one native call and decodes or returns the outputs.  Every size it
receives is fixed by the job both sides agreed on and checked before use.
"""
from __future__ import annotations

import numpy as np

from mpc.errors import ProtocolError
from mpc.gc import job as jobs
from mpc.gc.job import EVALUATOR, GARBLER, Job
from mpc.native import garble as native
from mpc.ot import IknpReceiver
from mpc.prg import Prg

LABEL = native.LABEL_BYTES


class Evaluator:
    """Evaluator side. `run(job, inputs)` returns the outputs if the evaluator learns them."""

    def __init__(self, channel, prg: Prg | None = None, *, timeout: float | None = None):
        self.channel = channel
        self.prg = prg if prg is not None else Prg()
        self.timeout = timeout
        self.ot = IknpReceiver(channel, self.prg, timeout=timeout)
        self._schedule = None
        self.next_gate_id = 0
        self.last_active_labels = None

    def setup(self) -> None:
        """Agree on the hash key (both contribute 16 random bytes) and run the base OTs."""
        if self._schedule is not None:
            return
        self._schedule = jobs.agree_hash_schedule(self.channel, self.prg, EVALUATOR, self.timeout)
        self.ot.setup()

    def run(self, job: Job, inputs):
        self.setup()
        circuit = jobs.scheduled(job.circuit)
        my_labels = self.ot.correlated(job.encode(EVALUATOR, inputs))
        garbler_labels = self.channel.recv_exact(jobs.TAG_INPUTS, np.uint8,
                                                 (job.total_bits(GARBLER), LABEL), timeout=self.timeout)
        per_message = job.instances_per_message()
        and_count = circuit.and_count
        labels = np.empty((circuit.wire_count, LABEL), np.uint8)
        masked = np.empty((job.instances, circuit.output_bits), np.uint8)
        pieces = jobs.segments(circuit)
        stacked = np.concatenate([garbler_labels, my_labels])
        rows = job.input_rows()
        n_in = circuit.input_bits
        if len(pieces) > 1:  # a large circuit arrives piece by piece: evaluate each as it comes
            for instance in range(job.instances):
                np.take(stacked, rows[instance], axis=0, out=labels[:n_in])
                for start, stop, first_and, end_and in pieces:
                    tables = self.channel.recv_exact(jobs.TAG_TABLES, np.uint8,
                                                     (end_and - first_and, native.TABLE_BYTES),
                                                     timeout=self.timeout)
                    native.evaluate_range(circuit, start, stop, tables, self._schedule,
                                          self.next_gate_id + first_and, labels)
                self.next_gate_id += and_count
                masked[instance] = labels[circuit.output_start:, 0] & 1
        for first in range(0, job.instances if len(pieces) == 1 else 0, per_message):
            count = min(per_message, job.instances - first)
            tables = self.channel.recv_exact(jobs.TAG_TABLES, np.uint8,
                                             (count, and_count, native.TABLE_BYTES), timeout=self.timeout)
            for k in range(count):
                np.take(stacked, rows[first + k], axis=0, out=labels[:n_in])
                native.evaluate_range(circuit, 0, circuit.gate_count, tables[k], self._schedule,
                                      self.next_gate_id, labels)
                self.next_gate_id += and_count
                masked[first + k] = labels[circuit.output_start:, 0] & 1
        self.last_active_labels = labels

        bits = masked.reshape(-1)
        if job.reveal in ("both", "garbler"):
            self.channel.send(jobs.TAG_RESULT, np.packbits(bits, bitorder="little"))
        if job.reveal in ("both", "evaluator"):
            decode = self.channel.recv_bytes(jobs.TAG_DECODE, job.output_bytes(), timeout=self.timeout)
            permute = np.unpackbits(np.frombuffer(decode, np.uint8), bitorder="little")
            if permute[bits.size:].any():
                raise ProtocolError("gc:decode has padding bits set", self.channel.peer)
            return jobs.decode_outputs(job, bits ^ permute[:bits.size])
        return None
