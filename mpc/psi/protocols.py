"""Which PSI protocol runs: the names, their role classes, and the agreement both parties check.

For `mpc.psi.server/client(..., protocol=)` and `mpc psi --protocol` (specs: protocols/psi-rsa.md,
psi-ecdh.md, psi-kkrt.md).  Before a role runs, each party sends one `psi:protocol` message naming
the protocol it was asked for and reads the peer's (the two cross, one flight); different names
give a `ProtocolError` on both sides that says which option to fix, instead of two roles waiting
for each other's first message until the timeout.  The message is not part of any protocol's byte
formula (those count only the protocol's own tags).
"""
from __future__ import annotations

import importlib
import inspect
import threading

from mpc.errors import ProtocolError

DEFAULT = "rsa"
PROTOCOLS = ("rsa", "ecdh", "kkrt")
TAG_PROTOCOL = "psi:protocol"
AGREEMENT_VERSION = 2
MAX_NAME_BYTES = 32

_ROLES = {
    "rsa": ("mpc.psi.server", "RsaPsiServer", "mpc.psi.client", "RsaPsiClient"),
    "ecdh": ("mpc.psi.ecdh.server", "EcdhPsiServer", "mpc.psi.ecdh.client", "EcdhPsiClient"),
    "kkrt": ("mpc.psi.kkrt.server", "KkrtPsiServer", "mpc.psi.kkrt.client", "KkrtPsiClient"),
}


def check_name(protocol: str) -> str:
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown PSI protocol {protocol!r}; choose from {', '.join(PROTOCOLS)}")
    return protocol


_IMPORT_LOCK = threading.Lock()  # both roles may start in threads of one process (tests, run_threads)


def role_class(protocol: str, role: str):
    """The server or client class of a protocol (imported on first use)."""
    server_module, server_name, client_module, client_name = _ROLES[check_name(protocol)]
    if role not in ("server", "client"):
        raise ValueError(f"role must be 'server' or 'client', not {role!r}")
    module, name = (server_module, server_name) if role == "server" else (client_module, client_name)
    with _IMPORT_LOCK:
        return getattr(importlib.import_module(module), name)


def agree(channel, protocol: str, normalization: str = "none") -> None:
    """Send our protocol name and id normalisation, read the peer's; ProtocolError if they differ.

    Frame: version (1 byte), name length, name, normalisation length, normalisation (ASCII).
    The normalisation rides here so that every protocol checks it, not only RSA's hellos.
    """
    name = check_name(protocol).encode("ascii")
    norm = normalization.encode("ascii")
    channel.send(TAG_PROTOCOL, bytes([AGREEMENT_VERSION, len(name)]) + name + bytes([len(norm)]) + norm)
    frame = bytes(channel.recv_bytes(TAG_PROTOCOL, max_size=3 + 2 * MAX_NAME_BYTES))
    if len(frame) < 3 or frame[0] != AGREEMENT_VERSION or len(frame) < 3 + frame[1] \
            or len(frame) != 3 + frame[1] + frame[2 + frame[1]]:
        raise ProtocolError("malformed PSI protocol announcement", channel.peer)
    theirs = frame[2:2 + frame[1]].decode("ascii", errors="replace")
    their_norm = frame[3 + frame[1]:].decode("ascii", errors="replace")
    if theirs != protocol:
        raise ProtocolError(f"protocol mismatch: this side runs --protocol {protocol}, the peer "
                            f"--protocol {theirs}; both parties must pass the same value", channel.peer)
    if their_norm != normalization:
        raise ProtocolError(f"id normalisation mismatch: this side uses --normalize {normalization}, the "
                            f"peer --normalize {their_norm}; both parties must pass the same value", channel.peer)


def make_role(protocol: str, role: str, channel, **options):
    """A role object given only the options its class takes (e.g. key_bits is RSA's alone);
    options that are None are left to the class's defaults."""
    cls = role_class(protocol, role)
    accepted = inspect.signature(cls).parameters
    return cls(channel, **{k: v for k, v in options.items() if k in accepted and v is not None})


def play(protocol: str, role: str, channel, ids, **options):
    """Agree on the protocol with the peer, then run our role on `ids` (PackedIds): PsiOutcome."""
    check_name(protocol)
    agree(channel, protocol, getattr(ids, "normalization", "none"))
    return make_role(protocol, role, channel, **options).run(ids)
