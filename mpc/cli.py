"""The `mpc` command: one subcommand per module in `mpc.commands` (keygen, run, psi, bench, ...).

Each command module defines `register(subparsers)` (adding its parser, with `func=run`) and
`run(args) -> int`.  Errors from the `MpcError` tree print one clear line and exit non-zero.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

from mpc._version import __version__
from mpc.errors import MpcError


def build_parser() -> argparse.ArgumentParser:
    import mpc.commands
    parser = argparse.ArgumentParser(prog="mpc", description="Secure multi-party computation: "
                                     "private set intersection, joint computation, benchmarks.")
    parser.add_argument("--version", action="version", version=f"mpc {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log protocol progress")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(mpc.commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):  # shared helpers such as _peer, not commands
            continue
        module = importlib.import_module(f"mpc.commands.{info.name}")
        module.register(commands)
    return parser


# Options whose value may begin with '-' (a Z85 public key can): argparse would take such a
# value for an option unless it is joined to its flag with '='.
_VALUES_MAY_START_WITH_DASH = ("--peer-public-key",)


_Z85 = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")


def _looks_like_key(text: str) -> bool:
    """A 40-character Z85 text (a CurveZMQ public key); no option of ours has that shape."""
    return len(text) == 40 and set(text) <= _Z85


def _join_dash_values(argv: list[str]) -> list[str]:
    out, i = [], 0
    while i < len(argv):
        if argv[i] in _VALUES_MAY_START_WITH_DASH and i + 1 < len(argv) and argv[i + 1].startswith("-") \
                and _looks_like_key(argv[i + 1]):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_join_dash_values(sys.argv[1:] if argv is None else list(argv)))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except MpcError as exc:
        print(f"mpc {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"mpc {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
