"""`mpc bench PROTOCOL [--json]`: run a protocol's benchmark between local processes and report it."""
from __future__ import annotations

import importlib
import json
import logging
import pkgutil

from mpc.errors import ConfigError


def _protocols() -> list[str]:
    import mpc.bench
    return sorted(m.name for m in pkgutil.iter_modules(mpc.bench.__path__) if not m.name.startswith("_"))


def register(commands) -> None:
    parser = commands.add_parser("bench", help="measure a protocol: time, bytes, rounds",
                                 description="Benchmark a protocol between local processes over "
                                 "ZeroMQ loopback. Protocols: " + ", ".join(_protocols()))
    parser.add_argument("protocol", help="one of: " + ", ".join(_protocols()))
    parser.add_argument("--json", action="store_true", help="one JSON object per measurement and line")
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--sizes", help="comma-separated sizes instead of the defaults")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions, best is reported (default 3)")
    parser.add_argument("--security", choices=("none", "curve"),
                        help="transport of the parties for `ss` (default none, plain loopback TCP; "
                        "curve = CurveZMQ as deployed); `ot`, `psi` and `transport` measure both")
    parser.add_argument("--insecure", action="store_true", help="the same as --security none")
    parser.add_argument("--protocol", dest="variant", choices=("rsa", "ecdh", "kkrt"),
                        help="for `psi`: which PSI protocol (default rsa)")
    parser.set_defaults(func=run)


def _format_table(rows: list[dict]) -> str:
    head = f"{'case':<26}{'n':>10}{'seconds':>11}{'ops/s':>13}{'bytes sent':>14}{'rounds':>8}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['case']:<26}{r['n']:>10}{r['seconds']:>11.4f}{r['ops_per_s']:>13.4g}"
                     f"{r['bytes_sent']:>14}{r['rounds']:>8}")
    return "\n".join(lines)


def run(args) -> int:
    from mpc.bench import BenchOptions
    if args.protocol not in _protocols():
        raise ConfigError(f"unknown protocol {args.protocol!r}; choose from {', '.join(_protocols())}")
    module = importlib.import_module(f"mpc.bench.{args.protocol}")
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else None
    # Plain-TCP cases run on loopback between this machine's own processes: the transport's
    # warning about unencrypted links would repeat once per party and run, so the rows say
    # `security` instead.
    logging.getLogger("mpc.transport").setLevel(logging.ERROR)
    if args.insecure and args.security == "curve":
        raise ConfigError("--insecure and --security curve contradict each other")
    security = "none" if args.insecure else args.security
    extra = {"security": security} if security else {}
    if getattr(args, "variant", None):
        extra["protocol"] = args.variant
    rows = module.run(BenchOptions(quick=args.quick, sizes=sizes, repeat=max(1, args.repeat), extra=extra))
    if args.json:
        for row in rows:
            print(json.dumps(row), flush=True)
    else:
        print(f"mpc bench {args.protocol}: {module.DESCRIPTION}")
        print(_format_table(rows))
    return 0
