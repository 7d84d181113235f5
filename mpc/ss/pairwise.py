"""IKNP OT roles between every pair of a session's parties, for the OT-based preprocessing of mpc.ss
(Gilboa triples over rings in mpc.ss.triples, boolean AND triples in mpc.ss.gmw).

Both directions of a pair share one channel: each IKNP tag is sent by one role only, so the
sender and receiver instances never read each other's messages, and `ordered_pairs` gives every
party the same order of (receiver, sender) pairs, so the calls match up.  Spec: protocols/ot-iknp.md.
"""
from __future__ import annotations


class PairwiseOt:
    """Mixin: `self.context` (a SharingContext) gives the channels and the PRG."""

    def _roles(self, peer: int):
        """(IknpSender, IknpReceiver) towards `peer`, made on first use."""
        from mpc.ot import IknpReceiver, IknpSender
        roles = self.__dict__.setdefault("_ot_roles", {})
        if peer not in roles:
            channel = self.context.channel(peer)
            roles[peer] = (IknpSender(channel, self.context.rng), IknpReceiver(channel, self.context.rng))
        return roles[peer]

    def _pairs(self):
        """(receiver, sender) ordered pairs that involve me, in one global order for all parties."""
        n, me = self.context.parties, self.context.me
        for low in range(n):
            for high in range(low + 1, n):
                if me in (low, high):
                    yield low, high
                    yield high, low

    def _set_up_pairs(self) -> None:
        """Run the base OTs of every role not yet set up, in the global pair order: a pipeline that
        uses both roles at once must not let two parties each start with their receiver's."""
        me = self.context.me
        for receiver_party, sender_party in self._pairs():
            sender, receiver = self._roles(sender_party if receiver_party == me else receiver_party)
            role = receiver if receiver_party == me else sender
            if not role.ready:
                role.setup()
