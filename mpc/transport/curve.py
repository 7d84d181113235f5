"""CurveZMQ keys and the ZAP handler that admits only listed parties (spec: protocols/wire.md).

For the transport and `mpc keygen`.  Keys are Z85 text (40 characters) as libzmq prints them.  The
ZAP handler runs in a thread of the endpoint's ZeroMQ context; it maps each admitted client key to
its party name, which libzmq then attaches to every frame as the "User-Id" property, so that the
endpoint can check that a frame's claimed sender is the key holder.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import zmq
import zmq.utils.z85 as z85

from mpc.errors import ConfigError

log = logging.getLogger("mpc.transport")
ZAP_ENDPOINT = "inproc://zeromq.zap.01"
ZAP_DOMAIN = b"mpc"


@dataclass(frozen=True)
class KeyPair:
    public: bytes   # Z85, 40 bytes
    secret: bytes   # Z85, 40 bytes

    @classmethod
    def generate(cls) -> "KeyPair":
        public, secret = zmq.curve_keypair()
        return cls(public, secret)


def check_key(text: str | bytes, what: str) -> bytes:
    raw = text.encode("ascii") if isinstance(text, str) else bytes(text)
    try:
        if len(raw) != 40 or len(z85.decode(raw)) != 32:
            raise ValueError
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{what} is not a 40-character Z85 CurveZMQ key") from exc
    return raw


def write_keypair(stem: Path, name: str, pair: KeyPair | None = None) -> tuple[Path, Path]:
    """Write `stem.key` (secret, mode 0600) and `stem.pub`; refuse to overwrite."""
    pair = pair or KeyPair.generate()
    secret_path, public_path = stem.with_suffix(".key"), stem.with_suffix(".pub")
    for path in (secret_path, public_path):
        if path.exists():
            raise ConfigError(f"{path} exists; remove it first or choose another name")
    public_text = f'# mpc CurveZMQ public key of party "{name}": put it in every party\'s config\n' \
                  f'public_key = "{pair.public.decode()}"\n'
    fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(f'# mpc CurveZMQ secret key of party "{name}": keep it on this host only\n'
                  f'public_key = "{pair.public.decode()}"\nsecret_key = "{pair.secret.decode()}"\n')
    public_path.write_text(public_text, encoding="ascii")
    return secret_path, public_path


def read_keypair(path: Path) -> KeyPair:
    import tomllib
    try:
        data = tomllib.loads(Path(path).read_text(encoding="ascii"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: secret key file not found (make one with `mpc keygen`)") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not an mpc key file ({exc})") from exc
    if "secret_key" not in data or "public_key" not in data:
        raise ConfigError(f"{path}: needs public_key and secret_key (make one with `mpc keygen`)")
    pair = KeyPair(check_key(data["public_key"], f"{path}: public_key"),
                   check_key(data["secret_key"], f"{path}: secret_key"))
    if zmq.curve_public(pair.secret) != pair.public:
        raise ConfigError(f"{path}: public_key does not belong to secret_key")
    return pair


class ZapHandler:
    """Admits CURVE clients whose public key is listed; the User-Id it returns is the party name."""

    def __init__(self, context: zmq.Context, allowed: dict[bytes, str]):
        self.allowed = {z85.decode(key): name for key, name in allowed.items()}
        self.refused = 0
        self._logged, self._next_log = 0, 0.0
        self._socket = context.socket(zmq.REP)
        self._socket.linger = 0
        self._socket.bind(ZAP_ENDPOINT)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="mpc-zap", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        poller = zmq.Poller()
        poller.register(self._socket, zmq.POLLIN)
        try:
            while not self._stop.is_set():
                try:
                    if not poller.poll(100):
                        continue
                    request = self._socket.recv_multipart()
                    self._socket.send_multipart(self._answer(request))
                except zmq.ZMQError:
                    return
        finally:  # closed by the thread that uses it: a socket is not shared between threads
            self._socket.close(linger=0)

    def _answer(self, request: list[bytes]) -> list[bytes]:
        if len(request) < 6:
            return [b"1.0", b"", b"500", b"malformed ZAP request", b"", b""]
        version, request_id, domain, address, _identity, mechanism = request[:6]
        name = None
        if version == b"1.0" and domain == ZAP_DOMAIN and mechanism == b"CURVE" and len(request) == 7:
            name = self.allowed.get(request[6])
        if name is None:
            self.refused += 1
            now = time.monotonic()
            if now >= self._next_log:  # a summary at most every 10 s, not a line per attempt
                log.warning("refused %d connection(s) whose key is not in the party config (latest "
                            "from %s; %d in all)", self.refused - self._logged,
                            address.decode(errors="replace"), self.refused)
                self._logged, self._next_log = self.refused, now + 10.0
            return [b"1.0", request_id, b"400", b"key not in the party configuration", b"", b""]
        return [b"1.0", request_id, b"200", b"OK", name.encode("utf-8"), b""]

    def close(self, wait: float = 10.0) -> bool:
        """Stop the thread (it closes the socket); False if it did not stop within `wait` seconds,
        in which case the context must not be terminated (that would block on the open socket)."""
        self._stop.set()
        self._thread.join(timeout=wait)
        return not self._thread.is_alive()
