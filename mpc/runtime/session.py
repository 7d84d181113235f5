"""`Session`: one party's handle on a joint computation — who I am, my peers, network, randomness.

For users writing `job(session)` functions and for protocol code.  A session owns its endpoint
(ZeroMQ or in-process), a PRG seeded from the OS, and the traffic counters.
"""
from __future__ import annotations

from pathlib import Path

from mpc.errors import ConfigError
from mpc.transport.curve import read_keypair
from mpc.transport.endpoint import DEFAULT_MAX_MESSAGE_BYTES, Channel, Endpoint
from mpc.transport.zmq_endpoint import PeerAddress, ZmqEndpoint


def _new_prg():
    from mpc.prg import Prg
    return Prg()


class Session:
    """A party's view of a joint computation; close it (or use `with`) when done."""

    def __init__(self, endpoint: Endpoint, rng=None):
        self.endpoint = endpoint
        self.rng = rng if rng is not None else _new_prg()

    @property
    def me(self) -> int:
        return self.endpoint.me

    @property
    def parties(self) -> int:
        return self.endpoint.parties

    @property
    def name(self) -> str:
        return self.endpoint.peer_name(self.me)

    @property
    def names(self) -> list[str]:
        return list(self.endpoint.names)

    @property
    def id(self) -> bytes:
        return self.endpoint.session_id

    @property
    def stats(self):
        return self.endpoint.stats

    def peers(self) -> list[int]:
        return [p for p in range(self.parties) if p != self.me]

    def channel(self, peer: int) -> Channel:
        return self.endpoint.channel(peer)

    # Joint computation on secret-shared values lives in mpc.ss; these delegate to it.
    def input(self, value=None, owner: int = 0, **options):
        from mpc.ss import api
        return api.input(self, value, owner, **options)

    def reveal(self, value, to=None):
        from mpc.ss import api
        return api.reveal(self, value, to)

    def close(self, wait: float | None = None) -> None:
        self.endpoint.close(wait)

    def abort(self, reason: str) -> None:
        """Stop on purpose: every peer's next wait on this party raises `PeerAborted(reason)`."""
        self.endpoint.abort(reason)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close(wait=0 if exc_type is not None else None)

    def __repr__(self) -> str:
        return f"<mpc.Session party {self.me} ({self.name}) of {self.parties}>"


def open_session(peers: list[PeerAddress], me: int, *, security: str = "curve", keypair=None,
                 timeout: float = 60.0, connect_timeout: float | None = None,
                 max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> Session:
    """Bind, connect to the lower parties and wait for every peer's HELLO.

    `AuthenticationError` names a peer whose CurveZMQ key does not match (either way round).
    """
    endpoint = ZmqEndpoint(me, peers, keypair=keypair, security=security, timeout=timeout,
                           max_message_bytes=max_message_bytes)
    try:
        endpoint.start()
        endpoint.connect(timeout=connect_timeout)
    except BaseException:
        endpoint.close(wait=0)
        raise
    return Session(endpoint)


def session_from_config(config, me: str | int, *, secret_key: str | Path | None = None,
                        timeout: float | None = None) -> Session:
    """A session for party `me` (name or index) of a `PartyConfig` (see mpc.runtime.config)."""
    index = me if isinstance(me, int) else config.index(me)
    keypair = None
    if config.security == "curve":
        key_path = Path(secret_key) if secret_key else config.secret_key_path(config.parties[index].name)
        keypair = read_keypair(key_path)
    return open_session(config.parties, index, security=config.security, keypair=keypair,
                        timeout=timeout or config.timeout, max_message_bytes=config.max_message_bytes)


def pair_session(me: int, *, listen: str | None = None, peer: str | None = None, config=None,
                 secret_key: str | Path | None = None, timeout: float = 60.0,
                 connect_timeout: float | None = None) -> Session:
    """A two-party session: party 0 listens on `listen`, party 1 connects to `peer`.

    With a `PartyConfig` of two parties, names and CURVE keys come from it (the addresses given
    here override its addresses); without one the link is plain TCP (a warning says so).
    `connect_timeout` (default `timeout`) bounds the wait for the peer's HELLO alone.
    """
    if me not in (0, 1):
        raise ConfigError("a two-party session has parties 0 and 1")
    if me == 0 and not listen and not (config and config.parties[0].address):
        raise ConfigError("the listening party needs --listen ADDRESS (e.g. tcp://0.0.0.0:5555)")
    if me == 1 and not peer and not (config and config.parties[0].address):
        raise ConfigError("the connecting party needs --peer ADDRESS (e.g. tcp://server:5555)")
    if config is None:
        peers = [PeerAddress("server", peer or None, bind=listen), PeerAddress("client", None)]
        return open_session(peers, me, security="none", timeout=timeout, connect_timeout=connect_timeout)
    if len(config.parties) != 2:
        raise ConfigError(f"{config.where()}a two-party run needs exactly two parties in the config")
    first, second = config.parties
    peers = [PeerAddress(first.name, peer or first.address, first.public_key, listen or first.bind),
             second]
    keypair = None
    if config.security == "curve":
        key_path = Path(secret_key) if secret_key else config.secret_key_path(peers[me].name)
        keypair = read_keypair(key_path)
    return open_session(peers, me, security=config.security, keypair=keypair, timeout=timeout,
                        connect_timeout=connect_timeout, max_message_bytes=config.max_message_bytes)
