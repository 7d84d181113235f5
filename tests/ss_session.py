"""Test helper: a minimal session (me, parties, channel, rng, endpoint) over an in-process endpoint,
standing in for mpc.Session in the ss tests that run parties as threads."""
from __future__ import annotations

from mpc.prg import Prg


class ThreadSession:
    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.me = endpoint.me
        self.parties = endpoint.parties
        self.rng = Prg()
        self.stats = endpoint.stats

    def channel(self, peer: int):
        return self.endpoint.channel(peer)
