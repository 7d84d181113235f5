"""`mpc keygen NAME`: make a party's CurveZMQ keypair (NAME.key secret, NAME.pub public)."""
from __future__ import annotations

from pathlib import Path

from mpc.transport.curve import write_keypair


def register(commands) -> None:
    parser = commands.add_parser("keygen", help="make a party's CurveZMQ keypair",
                                 description="Write NAME.key (secret, mode 0600; stays on this host) "
                                 "and NAME.pub (public; its key goes into every party's config).")
    parser.add_argument("name", help="the party's name as in the party config")
    parser.add_argument("--dir", default=".", help="where to write the files (default: here)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from mpc.runtime.config import PARTY_NAME
    from mpc.errors import ConfigError
    if not PARTY_NAME.match(args.name):
        raise ConfigError("a party name is 1-64 letters, digits, '_', '.', '-'")
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    secret_path, public_path = write_keypair(directory / args.name, args.name)
    public = public_path.read_text(encoding="ascii").splitlines()[-1]
    print(f"wrote {secret_path} (secret: keep it on this host) and {public_path}")
    print("add to every party's config:\n")
    print(f'[[party]]\nname = "{args.name}"\naddress = "tcp://HOST:PORT"\n{public}')
    return 0
