"""`mpc psi`: private set intersection of two CSV files, one party per host (spec: protocols/psi-rsa.md).

    mpc psi --role server --listen tcp://0.0.0.0:7000 --input customers.csv --key tax_id --output common.csv
    mpc psi --role client --peer tcp://bank:7000 --input invoices.csv --key 纳税人识别号 --output common.csv
    mpc psi --local --input a.csv --peer-input b.csv --key id --output a_out.csv --peer-output b_out.csv

The input is validated before any connection; the output (the party's own matching rows, in the
order both parties share) is written atomically, so a failed run leaves no output file.
"""
from __future__ import annotations

import json
import os
import time

from mpc.errors import ConfigError

ROLES = {"server": 0, "client": 1}


def register(commands) -> None:
    p = commands.add_parser("psi", help="private set intersection of two CSV files",
                            description="Find the rows whose key is in both parties' files, revealing "
                            "nothing else but the sizes (blind-RSA PSI, protocols/psi-rsa.md).")
    p.add_argument("--protocol", choices=["rsa", "ecdh", "kkrt"], default="rsa",
                   help="rsa (blind RSA, default), ecdh (ristretto255) or kkrt (OT extension, fastest); "
                   "both parties must pass the same (protocols/psi-*.md)")
    p.add_argument("--role", choices=sorted(ROLES), help="server (holds the RSA key, listens) or client")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--listen", metavar="ADDR", help="address to listen on (the server), e.g. tcp://0.0.0.0:7000")
    where.add_argument("--peer", metavar="ADDR", help="the other party's address (the client)")
    where.add_argument("--local", action="store_true", help="run both roles on this machine (to try it out)")
    p.add_argument("--input", required=True, metavar="FILE", help="CSV file with a header row")
    p.add_argument("--key", required=True, metavar="COL[,COL...]", help="key column(s) of --input")
    p.add_argument("--output", metavar="FILE", help="where to write this party's matching rows")
    p.add_argument("--reveal", choices=["both", "client"], default="both",
                   help="who learns the intersection (default both); both parties must agree")
    p.add_argument("--config", metavar="TOML", help="party configuration with CURVE keys")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the peer (default 120)")
    p.add_argument("--key-bits", type=int, choices=[2048, 3072], default=2048, help="server's RSA modulus size")
    p.add_argument("--batch-size", type=int, default=None, help="identifiers per message (server)")
    p.add_argument("--threads", type=int, default=None, help="threads for the RSA kernels (default: all cores)")
    p.add_argument("--peer-input", metavar="FILE", help="with --local: the client's CSV file")
    p.add_argument("--peer-key", metavar="COL[,COL...]", help="with --local: the client's key column(s) (default --key)")
    p.add_argument("--peer-output", metavar="FILE", help="with --local: where to write the client's rows")
    p.set_defaults(func=run)


def _role_options(args) -> dict:
    return {"reveal": args.reveal, "threads": args.threads}


def _play(channel, role: str, table, args, progress) -> "object":
    from mpc.psi.protocols import play
    return play(getattr(args, "protocol", "rsa"), role, channel, table.ids, key_bits=args.key_bits,
                batch_size=args.batch_size, progress=progress, **_role_options(args))


def _finish(role: str, table, outcome, output: str | None, seconds: float) -> dict:
    from mpc.psi.output import write_matching_rows
    written = None
    if outcome.learned and output:
        written = write_matching_rows(table, table.data_rows[outcome.positions], output)
    return {"role": role, "input": table.path, "key": table.key_columns, "rows": table.total_rows,
            "skipped_empty": table.skipped_empty, "distinct": outcome.distinct, "duplicates": outcome.duplicates,
            "peer_rows": outcome.peer_rows, "learned": outcome.learned,
            "intersection_size": outcome.intersection_size, "matched_rows": written,
            "output": output if written is not None else None, "seconds": round(seconds, 3),
            "bytes_sent": outcome.bytes_sent, "bytes_received": outcome.bytes_received,
            "phases": {k: round(v, 3) for k, v in outcome.phases.items()}}


def _report(summary: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary, ensure_ascii=False), flush=True)
        return
    s = summary
    lines = [f"{s['role']}: {s['rows']} rows ({s['distinct']} distinct ids, {s['duplicates']} duplicate rows, "
             f"{s['skipped_empty']} with empty key), peer has {s['peer_rows']} rows"]
    if s["learned"]:
        lines.append(f"intersection: {s['intersection_size']} ids"
                     + (f", {s['matched_rows']} rows written to {s['output']}" if s["output"] else ""))
    else:
        lines.append("intersection: not revealed to this party (--reveal client)")
    lines.append(f"{s['seconds']:.2f} s, {s['bytes_sent']} bytes sent, {s['bytes_received']} bytes received")
    print("\n".join(lines), flush=True)


def _check_output_wanted(role: str, reveal: str, output: str | None, flag: str) -> None:
    if (role == "client" or reveal == "both") and not output:
        raise ConfigError(f"the {role} learns the intersection: give {flag} FILE")


def run(args) -> int:
    from mpc.psi.csv_input import parse_key_spec, read_keys
    from mpc.psi.progress import ProgressBar
    if args.local:
        return _run_local(args)
    if not args.role:
        raise ConfigError("give --role server or --role client (or --local)")
    if args.role == "server" and not args.listen:
        raise ConfigError("the server listens: give --listen ADDR")
    if args.role == "client" and not args.peer:
        raise ConfigError("the client connects: give --peer ADDR")
    _check_output_wanted(args.role, args.reveal, args.output, "--output")
    table = read_keys(args.input, parse_key_spec(args.key))  # fail on bad input before connecting
    session = _pair_session(args)
    bar = ProgressBar(f"psi {args.role}")
    started = time.perf_counter()
    try:
        outcome = _play(session.channel(1 - ROLES[args.role]), args.role, table, args, bar)
    finally:
        bar.close()
        session.close()
    _report(_finish(args.role, table, outcome, args.output, time.perf_counter() - started), args.json)
    return 0


def _pair_session(args):
    from mpc.runtime import load_config, pair_session
    address = {"listen": args.listen} if args.role == "server" else {"peer": args.peer}
    config = load_config(args.config) if args.config else None
    return pair_session(ROLES[args.role], config=config, timeout=args.timeout, **address)


def _run_local(args) -> int:
    from mpc.psi.csv_input import parse_key_spec, read_keys
    from mpc.runtime import run_local
    if not args.peer_input:
        raise ConfigError("--local plays both roles: give --peer-input FILE for the client")
    _check_output_wanted("server", args.reveal, args.output, "--output")
    _check_output_wanted("client", args.reveal, args.peer_output, "--peer-output")
    tables = [read_keys(args.input, parse_key_spec(args.key)),
              read_keys(args.peer_input, parse_key_spec(args.peer_key or args.key))]
    from mpc.psi.progress import ProgressBar
    bar = ProgressBar("psi local")
    started = time.perf_counter()

    def party(session):
        role = "server" if session.me == 0 else "client"
        return _play(session.channel(1 - session.me), role, tables[session.me], args,
                     bar if session.me == 1 else None)
    try:  # two processes over ZeroMQ loopback with CURVE, as two hosts would run it
        outcomes = run_local(party, parties=2, timeout=args.timeout, names=["server", "client"])
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    first = _finish("server", tables[0], outcomes[0], args.output, seconds)
    try:
        second = _finish("client", tables[1], outcomes[1], args.peer_output, seconds)
    except BaseException:
        if first["output"]:  # all or nothing: no output file when the run failed
            os.unlink(first["output"])
        raise
    summaries = [first, second]
    if args.json:
        for s in summaries:
            _report(s, True)
    else:
        for s in summaries:
            _report(s, False)
    return 0
