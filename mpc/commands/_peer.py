"""Shared peer options of the commands that talk to another party (`mpc psi`; `mpc lr`, `mpc pir`, ...).

For command authors: `add_peer_arguments(parser)` adds the connection and security options,
`check_address(text, flag)` validates an address, `session_plan(args, me, names, ...)` reads the
keys (no network) and its `.open()` opens the session they describe, `run_or_abort(session, fn,
peer_role)` runs a party's work so that any failure tells the peer why (Endpoint.abort) and is
reported in words, without internal tags, and `tell_peer(plan, input_reason(exc))` tells the peer
why a connecting party stops before the run (its input file failed).
Not a command itself (the leading underscore keeps it out of `mpc`'s command list).

Security (DESIGN.md: encrypted and authenticated by default): CurveZMQ with both parties'
keys from `--config parties.toml`, or without a config from `--key-file` (this party's secret key,
`mpc keygen NAME`) and `--peer-public-key` (the other party's public key: the 40-character Z85 text
or a .pub / .key file).  A listening party without `--key-file` makes a fresh keypair for the run and
prints its public key for the other party to pass.  Plain TCP only with `--insecure`.
`--timeout` overrides the config's `timeout`; without either it is DEFAULT_TIMEOUT.
"""
from __future__ import annotations

import dataclasses
import re
import sys
import tomllib
from pathlib import Path

from mpc.errors import ConfigError, MpcError, PeerAborted, PeerTimeout, ProtocolError

DEFAULT_TIMEOUT = 120.0
TELL_CONNECT_TIMEOUT = 10.0  # how long a party that fails before the run tries to tell its peer
_ADDRESS = re.compile(r"^tcp://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.*-]+):([0-9]{1,5})$")


def add_peer_arguments(parser, *, what: str = "the peer", default_timeout: float = DEFAULT_TIMEOUT) -> None:
    """The connection options; `default_timeout` is the wait without --timeout and without a config."""
    parser.set_defaults(peer_default_timeout=default_timeout)
    group = parser.add_argument_group("connection security (CurveZMQ by default)")
    group.add_argument("--config", metavar="TOML", help="party configuration with both parties' names, "
                       "addresses and public keys (README: Two hosts)")
    group.add_argument("--key-file", metavar="FILE", help="this party's secret key file from `mpc keygen NAME` "
                       "(with --config: default NAME.key beside the config)")
    group.add_argument("--peer-public-key", metavar="KEY|FILE", help=f"{what}'s CurveZMQ public key: the "
                       "40-character Z85 key, or its .pub file")
    group.add_argument("--insecure", action="store_true", help="plain TCP: no encryption and no "
                       "authentication (only on a trusted network or for local tests)")
    group.add_argument("--timeout", type=float, default=None, help="seconds to wait for the peer (default: "
                       f"the config's timeout, else {default_timeout:g})")


def add_where_arguments(parser, *, listen: str, peer: str) -> None:
    """--listen ADDR | --peer ADDR | --local, one of them (`listen` and `peer`: their help)."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--listen", metavar="ADDR", help=listen)
    where.add_argument("--peer", metavar="ADDR", help=peer)
    where.add_argument("--local", action="store_true", help="run both roles on this machine (to try it out)")


def check_address(text: str, flag: str) -> str:
    """`tcp://HOST:PORT` with a port of 1..65535, else a `ConfigError` that shows the form."""
    match = _ADDRESS.match(text or "")
    if not match:
        hint = f" (did you mean tcp://{text}?)" if text and "://" not in text else ""
        raise ConfigError(f"{flag} {text!r}: an address looks like tcp://HOST:PORT, e.g. tcp://0.0.0.0:7000"
                          + hint)
    port = int(match.group(2))
    if not 1 <= port <= 65535:
        raise ConfigError(f"{flag} {text!r}: the port must be 1..65535")
    return text


def timeout_of(args, config) -> float:
    if args.timeout is not None:
        if args.timeout <= 0:
            raise ConfigError("--timeout must be a positive number of seconds")
        return args.timeout
    if config is not None:
        return config.timeout
    return getattr(args, "peer_default_timeout", DEFAULT_TIMEOUT)


def read_public_key(text: str, flag: str = "--peer-public-key") -> bytes:
    """A Z85 public key given as itself or as a .pub/.key file (`public_key = "..."`)."""
    from mpc.transport.curve import check_key
    if len(text) == 40 and not Path(text).exists():
        return check_key(text, f"{flag}")
    path = Path(text)
    try:
        data = tomllib.loads(path.read_text(encoding="ascii"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{flag} {text!r}: neither a 40-character Z85 key nor an existing key file") from exc
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{flag} {text}: not an mpc key file ({exc})") from exc
    if "public_key" not in data:
        raise ConfigError(f"{flag} {text}: has no public_key (make one with `mpc keygen NAME`)")
    return check_key(data["public_key"], f"{flag} {text}: public_key")


@dataclasses.dataclass
class SessionPlan:
    """Everything needed to open a two-party session, checked before any network step."""
    me: int
    peers: list | None = None      # without a config
    security: str = "curve"
    keypair: object = None
    config: object = None
    listen: str | None = None
    peer: str | None = None
    secret_key: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    def open(self, connect_timeout: float | None = None):
        from mpc.runtime import open_session, pair_session
        if self.config is not None:
            return pair_session(self.me, listen=self.listen, peer=self.peer, config=self.config,
                                secret_key=self.secret_key, timeout=self.timeout, connect_timeout=connect_timeout)
        return open_session(self.peers, self.me, security=self.security, keypair=self.keypair,
                            timeout=self.timeout, connect_timeout=connect_timeout)


def session_plan(args, me: int, names: tuple[str, str], *, listen: str | None = None,
                 peer: str | None = None, announce=None) -> SessionPlan:
    """Party `me` (0 listens on `listen`, 1 connects to `peer`) as `args` configure it: reads the
    config and key files, or makes and announces the listening party's fresh keypair; no network."""
    from mpc.runtime import load_config
    from mpc.transport.curve import KeyPair, read_keypair
    from mpc.transport.zmq_endpoint import PeerAddress
    config = load_config(args.config) if args.config else None
    timeout = timeout_of(args, config)
    if config is not None:
        if args.peer_public_key:
            raise ConfigError("--peer-public-key and --config: the config already names the peer's key")
        if args.insecure:
            config = dataclasses.replace(config, security="none")
        elif config.security == "curve":  # a missing or bad secret key fails now, not after the input
            from mpc.transport.curve import read_keypair as _read
            name = config.parties[me].name
            _read(Path(args.key_file) if args.key_file else config.secret_key_path(name))
        return SessionPlan(me, config=config, listen=listen, peer=peer, secret_key=args.key_file,
                           timeout=timeout)
    if args.insecure:
        peers = [PeerAddress(names[0], peer, bind=listen), PeerAddress(names[1], None)]
        return SessionPlan(me, peers, "none", timeout=timeout)
    other = names[1 - me]
    if not args.peer_public_key:
        raise ConfigError(f"connections are encrypted and authenticated: give --peer-public-key with the "
                          f"{other}'s public key (the {other} makes it with `mpc keygen NAME`"
                          + (" or prints it when it starts" if me == 1 else "") + "), or --config; "
                          "--insecure for plain TCP on a trusted network")
    peer_key = read_public_key(args.peer_public_key)
    if args.key_file:
        keypair = read_keypair(Path(args.key_file))
    elif me == 0:
        keypair = KeyPair.generate()
        # Z85 has no quote characters: the single quotes make the line safe to paste into a shell,
        # and '=' keeps a key that begins with '-' a value (1 key in 85 does).
        (announce or _announce)(f"this run's public key; the {other} passes "
                                f"--peer-public-key='{keypair.public.decode()}'")
    else:
        raise ConfigError(f"give --key-file with this party's secret key (`mpc keygen NAME` makes NAME.key; "
                          f"the {other} passes NAME.pub as --peer-public-key), or --config")
    keys = [keypair.public, peer_key] if me == 0 else [peer_key, keypair.public]
    if keys[0] == keys[1]:
        raise ConfigError("--peer-public-key is this party's own key: give the other party's")
    peers = [PeerAddress(names[0], peer, keys[0], bind=listen), PeerAddress(names[1], None, keys[1])]
    return SessionPlan(me, peers, "curve", keypair, timeout=timeout)


def two_party_session(args, me: int, names: tuple[str, str], *, listen: str | None = None,
                      peer: str | None = None, connect_timeout: float | None = None, announce=None):
    """`session_plan(...).open()`: the session of party `me` as `args` configure it."""
    return session_plan(args, me, names, listen=listen, peer=peer, announce=announce).open(connect_timeout)


def input_reason(exc) -> str:
    """What the peer is told when this party's file fails (`InputError`): the defect and line, not the path."""
    text = str(exc)
    prefix = f"{exc.path}:" if getattr(exc, "path", None) else ""
    if prefix and text.startswith(prefix):
        text = text[len(prefix):].lstrip()
        text = f"line {text}" if exc.line is not None else text
    return f"its input file is not usable ({text})"


def tell_peer(plan: SessionPlan, reason: str) -> None:
    """Connect just long enough to tell the peer why this party stops before the run (for the
    connecting party: the listening one would otherwise wait out its timeout); silent if it cannot."""
    try:
        session = plan.open(connect_timeout=min(plan.timeout, TELL_CONNECT_TIMEOUT))
    except (MpcError, OSError):
        return
    session.abort(reason)


def _announce(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def abort_reason(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, MpcError) else f"internal error ({type(exc).__name__}: {text})"


def in_words(exc: MpcError, peer_role: str, descriptions: dict[str, str], timeout: float) -> MpcError:
    """The error as a person should read it: the peer by its role, no internal message tags."""
    if isinstance(exc, PeerAborted):
        return PeerAborted(exc.reason, f"the {peer_role}")
    text = str(exc)
    for tag, description in descriptions.items():
        text = text.replace(f"{tag!r}", description).replace(tag, description)
    for prefix in (f"party {peer_role}: ", f"party {exc.__dict__.get('peer')}: "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    if isinstance(exc, PeerTimeout):
        if "left the session" in text:
            return PeerTimeout(f"the {peer_role} left the session before the end (it stopped or failed)")
        if "not connected" in text or "not accepting" in text:
            return PeerTimeout(f"the {peer_role} is no longer connected (it stopped or the network failed)")
        return PeerTimeout(f"the {peer_role} sent nothing for {timeout:g} s (stopped, crashed or the network "
                           "is down; --timeout sets the wait)")
    if isinstance(exc, ProtocolError):
        return ProtocolError(f"the {peer_role} sent something this party cannot accept: {text}")
    return exc


def run_or_abort(session, work, peer_role: str, descriptions: dict[str, str] | None = None, *,
                 close_wait: float | None = None):
    """`work()` on an open session; on any failure tell the peer why (abort) and close at once,
    then raise the error in words; on success say goodbye normally (waiting at most `close_wait`
    seconds for the peer's, default the endpoint's: its timeout, at most 5 s)."""
    try:
        result = work()
    except PeerAborted as exc:
        session.close(wait=0)
        raise in_words(exc, peer_role, descriptions or {}, session.endpoint.timeout) from None
    except BaseException as exc:
        if not isinstance(exc, MpcError):
            session.abort(abort_reason(exc))
            raise
        words = in_words(exc, peer_role, descriptions or {}, session.endpoint.timeout)
        session.abort(str(words))
        raise words from exc
    session.close(close_wait)
    return result
