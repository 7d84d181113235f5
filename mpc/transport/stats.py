"""Traffic counters of one party: bytes, messages and rounds per protocol tag.

A round is one flight of messages: a party's sends on a tag count as a new round when its previous
operation on that tag was a receive (or there was none).  Summed over the parties this is the
number of one-way flights the protocol needed (protocols/wire.md, "Costs").
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class TagCounters:
    bytes_sent: int = 0
    bytes_received: int = 0
    messages_sent: int = 0
    messages_received: int = 0
    rounds: int = 0

    def add(self, other: "TagCounters") -> None:
        self.bytes_sent += other.bytes_sent
        self.bytes_received += other.bytes_received
        self.messages_sent += other.messages_sent
        self.messages_received += other.messages_received
        self.rounds += other.rounds

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class TrafficStats:
    tags: dict = field(default_factory=lambda: defaultdict(TagCounters))
    dropped: int = 0
    last_drop_reason: str = ""
    _last_op: dict = field(default_factory=dict)

    def on_send(self, tag: str, nbytes: int) -> None:
        counters = self.tags[tag]
        if self._last_op.get(tag) != "send":
            counters.rounds += 1
            self._last_op[tag] = "send"
        counters.bytes_sent += nbytes
        counters.messages_sent += 1

    def on_receive(self, tag: str, nbytes: int) -> None:
        counters = self.tags[tag]
        self._last_op[tag] = "recv"
        counters.bytes_received += nbytes
        counters.messages_received += 1

    def on_drop(self, reason: str) -> None:
        self.dropped += 1
        self.last_drop_reason = reason

    def protocol(self, prefix: str = "") -> TagCounters:
        """Totals over the tags of one protocol (tags `prefix` or `prefix:...`), or all tags."""
        total = TagCounters()
        for tag, counters in self.tags.items():
            if not prefix or tag == prefix or tag.startswith(prefix + ":"):
                total.add(counters)
        return total

    def snapshot(self) -> dict:
        return {tag: c.as_dict() for tag, c in self.tags.items()}

    def reset(self) -> None:
        self.tags.clear()
        self._last_op.clear()
        self.dropped = 0
        self.last_drop_reason = ""
