"""The one exception tree of mpc, for users who want to catch by kind.

Everything mpc raises on purpose derives from `MpcError`.  Peer-facing failures (`ProtocolError`,
`PeerTimeout`) name the peer; input failures (`InputError`) name the file and line.
"""
from __future__ import annotations


class MpcError(Exception):
    """Root of every error mpc raises on purpose."""


class ConfigError(MpcError):
    """A party configuration, key file or argument is missing or inconsistent."""


class NativeError(MpcError):
    """The C core returned an error code."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class NativeBuildError(NativeError):
    """The compiled core is missing or does not match the Python package."""


class ProtocolError(MpcError):
    """A peer sent something the protocol does not allow: malformed, unexpected or oversized."""

    def __init__(self, message: str, peer: int | str | None = None):
        super().__init__(message if peer is None else f"party {peer}: {message}")
        self.peer = peer


class PeerTimeout(MpcError):
    """A peer did not answer within the deadline (dead, silent or unreachable)."""

    def __init__(self, message: str, peer: int | str | None = None):
        super().__init__(message if peer is None else f"party {peer}: {message}")
        self.peer = peer


class TransportError(MpcError):
    """This party's own transport failed to send (out of file descriptors, memory, interrupted).

    A message is sent whole or not at all: after a failure in the middle of one, the link to that
    peer is marked broken and every later send to it raises this error too.
    """

    def __init__(self, message: str, peer: int | str | None = None):
        super().__init__(message if peer is None else f"party {peer}: {message}")
        self.peer = peer


class SessionMismatch(MpcError):
    """Values from different sessions, or with different shapes or types, were combined."""


class InputError(MpcError):
    """Bad user input: a file, column or row that cannot be used, named with file and line."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)
        self.path = path
        self.line = line


class CircuitError(InputError):
    """A circuit description is malformed (wrong counts, bad wires, unknown gates)."""


class PartyFailed(MpcError):
    """A party of `mpc.run_local` raised or died; `party` says which, `__cause__` says why."""

    def __init__(self, message: str, party: int):
        super().__init__(f"party {party}: {message}")
        self.party = party


class PeerAborted(MpcError):
    """The peer stopped the session on purpose and said why (a bad input file, an interrupt, an error).

    Raised at the other parties by any wait on that peer, promptly instead of at the timeout.
    """

    def __init__(self, reason: str, peer: int | str | None = None):
        who = "the peer" if peer is None else str(peer)
        super().__init__(f"{who} stopped: {reason}")
        self.peer = peer
        self.reason = reason


class AuthenticationError(MpcError):
    """A peer's CurveZMQ key is not the one configured for it (or it refused ours): reported as such."""

    def __init__(self, message: str, peer: int | str | None = None):
        super().__init__(message if peer is None else f"party {peer}: {message}")
        self.peer = peer


class ShapeError(SessionMismatch, ValueError):
    """Shapes that numpy's rules cannot combine; the message names both shapes."""


class RangeError(MpcError, ValueError):
    """A value outside the documented range of a fixed-point or integer operation; names the bound."""
