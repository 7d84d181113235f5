"""Party configuration: who the parties are, where they listen, their CurveZMQ public keys.

For operators writing `parties.toml` (format in README.md) and for the runtime.  Every party uses
the same file; each host adds its own secret key file (`mpc keygen`).

    [session]
    security = "curve"        # or "none": plain TCP, only for trusted networks (warns)
    timeout = 60              # seconds a wait on a peer may pass without any frame from it
    max_message_bytes = 1073741824   # largest message a peer may send (default 1 GiB)

    [[party]]
    name = "bank"
    address = "tcp://10.0.0.1:5555"
    public_key = "Z85 key from bank.pub"   # or public_key_file = "bank.pub"
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from mpc.errors import ConfigError
from mpc.transport.curve import check_key
from mpc.transport.endpoint import DEFAULT_MAX_MESSAGE_BYTES
from mpc.transport.zmq_endpoint import PeerAddress

PARTY_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True)
class PartyConfig:
    parties: list[PeerAddress]
    security: str = "curve"
    timeout: float = 60.0
    path: Path | None = None
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES

    def index(self, name: str) -> int:
        for i, party in enumerate(self.parties):
            if party.name == name:
                return i
        raise ConfigError(f"{self.where()}no party named {name!r} (parties: "
                          f"{', '.join(p.name for p in self.parties)})")

    def where(self) -> str:
        return f"{self.path}: " if self.path else ""

    def secret_key_path(self, name: str) -> Path:
        base = self.path.parent if self.path else Path.cwd()
        return base / f"{name}.key"


def load_config(path: str | Path) -> PartyConfig:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: party configuration not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    return parse_config(data, path)


def parse_config(data: dict, path: Path | None = None) -> PartyConfig:
    where = f"{path}: " if path else ""
    session = data.get("session", {})
    security = session.get("security", "curve")
    if security not in ("curve", "none"):
        raise ConfigError(f"{where}session.security must be \"curve\" or \"none\", not {security!r}")
    timeout = session.get("timeout", 60)
    if not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ConfigError(f"{where}session.timeout must be a positive number of seconds")
    max_message_bytes = session.get("max_message_bytes", DEFAULT_MAX_MESSAGE_BYTES)
    if isinstance(max_message_bytes, bool) or not isinstance(max_message_bytes, int) \
            or not 1024 <= max_message_bytes <= 1 << 40:
        raise ConfigError(f"{where}session.max_message_bytes must be an integer from 1024 to 2**40")
    entries = data.get("party")
    if not isinstance(entries, list) or len(entries) < 2:
        raise ConfigError(f"{where}needs at least two [[party]] tables")
    parties, seen = [], set()
    for k, entry in enumerate(entries):
        name = entry.get("name")
        if not isinstance(name, str) or not PARTY_NAME.match(name):
            raise ConfigError(f"{where}party #{k + 1}: name must be 1-64 letters, digits, '_', '.', '-'")
        if name in seen:
            raise ConfigError(f"{where}party name {name!r} appears twice")
        seen.add(name)
        key = entry.get("public_key")
        if key is None and "public_key_file" in entry:
            key_path = Path(entry["public_key_file"])
            if path is not None and not key_path.is_absolute():
                key_path = path.parent / key_path
            try:
                key = tomllib.loads(key_path.read_text(encoding="ascii")).get("public_key")
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{where}party {name}: cannot read {key_path} ({exc})") from exc
        if key is not None:
            key = check_key(key, f"{where}party {name}: public key")
        elif security == "curve":
            raise ConfigError(f"{where}party {name}: needs public_key (or public_key_file) "
                              "for CURVE security; run `mpc keygen`")
        address = entry.get("address")
        if address is not None and not isinstance(address, str):
            raise ConfigError(f"{where}party {name}: address must be a string like tcp://host:port")
        parties.append(PeerAddress(name, address, key, entry.get("bind")))
    for party in parties[:-1]:
        if not party.address:
            raise ConfigError(f"{where}party {party.name}: needs an address (later parties connect to it)")
    return PartyConfig(parties, security, float(timeout), path, max_message_bytes)
