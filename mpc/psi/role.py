"""What the ECDH and KKRT PSI roles share: options, phase timing, traffic counting, the server's
match step (specs: protocols/psi-ecdh.md, psi-kkrt.md; the RSA roles keep their own code).
"""
from __future__ import annotations

import time

import numpy as np

from mpc.psi import messages as shared
from mpc.psi.indexed import receive_matches
from mpc.psi.matching import PsiOutcome, server_matches


class PhaseClock:
    """Seconds per named phase: `lap(name)` closes the phase running since the previous lap."""

    def __init__(self):
        self.phases: dict[str, float] = {}
        self.started = self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = self.phases.get(name, 0.0) + now - self._last
        self._last = now

    def done(self) -> dict[str, float]:
        self.phases["total"] = time.perf_counter() - self.started
        return self.phases


class PsiRole:
    """Base of a role: `counted` lists the tag prefixes whose traffic the outcome reports."""
    counted: tuple[str, ...] = ()

    def __init__(self, channel, *, reveal: str = shared.REVEAL_BOTH, threads: int | None = None, progress=None):
        shared.reveal_code(reveal)
        self.channel = channel
        self.reveal = reveal
        self.threads = threads
        self.progress = progress or (lambda phase, done, total: None)

    def traffic(self) -> tuple[int, int, int]:
        """(bytes sent, bytes received, rounds) so far on the counted tags."""
        totals = [self.channel.stats.protocol(prefix) for prefix in self.counted]
        return (sum(t.bytes_sent for t in totals), sum(t.bytes_received for t in totals),
                sum(t.rounds for t in totals))

    def outcome(self, role: str, learned: bool, rows: int, distinct: int, peer_rows: int, intersection,
                positions, starts, clock: PhaseClock, before: tuple[int, int, int]) -> PsiOutcome:
        sent, received, rounds = (a - b for a, b in zip(self.traffic(), before))
        return PsiOutcome(role, learned, rows, distinct, peer_rows, intersection, positions, starts, clock.done(),
                          sent, received, rounds)

    def server_learns(self, row_position: np.ndarray, distinct: int, tag_count: str, tag_matches: str,
                      per_message: int):
        """(learned, positions, group starts, intersection size) for the server: with reveal both
        the client's matched positions, mapped to own rows by `row_position`."""
        if self.reveal != shared.REVEAL_BOTH:
            empty = np.zeros(0, dtype=np.int64)
            return False, empty, empty, None
        matched = receive_matches(self.channel, distinct, tag_count, tag_matches, per_message)
        positions, starts = server_matches(row_position, distinct, matched)
        return True, positions, starts, len(matched)
