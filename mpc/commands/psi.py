"""`mpc psi`: private set intersection of two CSV files, one party per host (spec: protocols/psi-rsa.md).

    mpc psi --role server --listen tcp://0.0.0.0:7000 --input customers.csv --key tax_id --output common.csv \\
            --peer-public-key insurer.pub                   # prints this run's public key for the client
    mpc psi --role client --peer tcp://bank:7000 --input invoices.csv --key 纳税人识别号 --output common.csv \\
            --key-file insurer.key --peer-public-key KEY_THE_SERVER_PRINTED
    mpc psi --local --input a.csv --peer-input b.csv --key id --output a_out.csv --peer-output b_out.csv

CurveZMQ with both parties authenticated unless `--insecure` (options: mpc/commands/_peer.py).
Everything that can be checked alone is checked before any connection: the options, the keys, the
output paths (never the input, never an existing file without --force) and the input file.  A
client whose input fails still tells the server why, and any failure during the run reaches the
peer at once (Endpoint.abort).  The output (the party's own matching rows as written, in the order
both parties share) is written atomically, so a failed run leaves no output file.
"""
from __future__ import annotations

import json
import os
import signal
import time

from mpc.commands import _peer
from mpc.commands._csv_options import add_csv_options, add_normalize_option
from mpc.errors import ConfigError, InputError

ROLES = {"server": 0, "client": 1}
NAMES = ("server", "client")


def register(commands) -> None:
    p = commands.add_parser("psi", help="private set intersection of two CSV files",
                            description="Find the rows whose key is in both parties' files, revealing "
                            "nothing else but the sizes (blind-RSA, ECDH or KKRT16 PSI, protocols/psi-*.md). "
                            "Encrypted and authenticated (CurveZMQ) unless --insecure.")
    p.add_argument("--protocol", choices=["rsa", "ecdh", "kkrt"], default="rsa",
                   help="rsa (blind RSA, default), ecdh (ristretto255) or kkrt (OT extension, fastest); "
                   "both parties must pass the same (protocols/psi-*.md)")
    p.add_argument("--role", choices=sorted(ROLES), help="server (holds the RSA key, listens) or client")
    _peer.add_where_arguments(p, listen="address to listen on (the server), e.g. tcp://0.0.0.0:7000",
                              peer="the server's address (the client), e.g. tcp://bank:7000")
    p.add_argument("--input", required=True, metavar="FILE", help="CSV file with a header row")
    p.add_argument("--key", required=True, metavar="COL[,COL...]", help="key column(s) of --input")
    p.add_argument("--output", metavar="FILE", help="where to write this party's matching rows (a new file)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.add_argument("--reveal", choices=["both", "client"], default="both",
                   help="who learns the intersection (default both); both parties must agree")
    add_normalize_option(p, "checked before any id is sent")
    add_csv_options(p)
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.add_argument("--key-bits", type=int, choices=[2048, 3072], default=2048, help="server's RSA modulus size")
    p.add_argument("--batch-size", type=int, default=None, help="identifiers per message (server)")
    p.add_argument("--threads", type=int, default=None, help="threads for the RSA kernels (default: all cores)")
    p.add_argument("--peer-input", metavar="FILE", help="with --local: the client's CSV file")
    p.add_argument("--peer-key", metavar="COL[,COL...]", help="with --local: the client's key column(s) (default --key)")
    p.add_argument("--peer-output", metavar="FILE", help="with --local: where to write the client's rows")
    _peer.add_peer_arguments(p, what="the other party")
    p.set_defaults(func=run)


def _read(path: str, key: str, args):
    from mpc.psi.csv_input import parse_key_spec, read_keys
    return read_keys(path, parse_key_spec(key), normalize=args.normalize, encoding=args.encoding,
                     delimiter=args.delimiter)


def _play(channel, role: str, table, args, progress, on_result=None):
    """Agree on --protocol with the peer and run our role; `on_result` reaches the roles that take
    it (RSA's server writes its output before confirming; the others write after the run)."""
    from mpc.psi.protocols import play
    return play(getattr(args, "protocol", "rsa"), role, channel, table.ids, key_bits=args.key_bits,
                batch_size=args.batch_size, progress=progress, reveal=args.reveal, threads=args.threads,
                on_result=on_result)


def _write(table, outcome, output: str | None, force: bool) -> int | None:
    from mpc.psi.output import write_matching_rows
    if not (outcome.learned and output):
        return None
    return write_matching_rows(table, table.data_rows[outcome.positions], output, overwrite=force)


def _summary(role: str, table, outcome, output: str | None, written: int | None, seconds: float) -> dict:
    return {"role": role, "input": table.path, "key": table.key_columns, "normalize": table.ids.normalization,
            "rows": table.total_rows, "skipped_empty": table.skipped_empty, "distinct": outcome.distinct,
            "duplicates": outcome.duplicates, "peer_rows": outcome.peer_rows, "learned": outcome.learned,
            "intersection_size": outcome.intersection_size, "matched_rows": written,
            "output": output if written is not None else None, "seconds": round(seconds, 3),
            "bytes_sent": outcome.bytes_sent, "bytes_received": outcome.bytes_received,
            "phases": {k: round(v, 3) for k, v in outcome.phases.items()}}


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _report(summary: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary, ensure_ascii=False), flush=True)
        return
    s = summary
    lines = [f"{s['role']}: {_count(s['rows'], 'row')} ({_count(s['distinct'], 'distinct id')}, "
             f"{_count(s['duplicates'], 'duplicate row')}, {s['skipped_empty']} with empty key), "
             f"peer has {_count(s['peer_rows'], 'row')}"]
    if s["learned"]:
        lines.append(f"intersection: {_count(s['intersection_size'], 'id')}"
                     + (f", {_count(s['matched_rows'], 'row')} written to {s['output']}" if s["output"] else ""))
    else:
        lines.append("intersection: not revealed to this party (--reveal client)")
    lines.append(f"{s['seconds']:.2f} s, {s['bytes_sent']} bytes sent, {s['bytes_received']} bytes received")
    print("\n".join(lines), flush=True)


def _learns(role: str, reveal: str) -> bool:
    return role == "client" or reveal == "both"


def _check_output(role: str, args, output: str | None, flag: str, inputs, others) -> None:
    from mpc.psi.output import check_output_path
    if _learns(role, args.reveal) and not output:
        raise ConfigError(f"the {role} learns the intersection: give {flag} FILE")
    if not _learns(role, args.reveal) and output:
        raise ConfigError(f"with --reveal client the server learns no rows: drop {flag}")
    if output:
        check_output_path(output, inputs=inputs, others=others, force=args.force, flag=flag)


def _terminate_as_interrupt(signum, frame):
    raise KeyboardInterrupt


def run(args) -> int:
    import threading
    if threading.current_thread() is not threading.main_thread():
        return _run(args)
    previous = signal.signal(signal.SIGTERM, _terminate_as_interrupt)  # a killed run still tells its peer
    try:
        return _run(args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args) -> int:
    if args.local:
        return _run_local(args)
    if not args.role:
        raise ConfigError("give --role server or --role client (or --local)")
    if args.role == "server" and not args.listen:
        raise ConfigError("the server listens: give --listen ADDR, e.g. tcp://0.0.0.0:7000")
    if args.role == "client" and not args.peer:
        raise ConfigError("the client connects: give --peer ADDR, e.g. tcp://server-host:7000")
    address = _peer.check_address(args.listen or args.peer, "--listen" if args.listen else "--peer")
    _check_output(args.role, args, args.output, "--output", [args.input], [])
    me = ROLES[args.role]
    where = {"listen": address} if me == 0 else {"peer": address}
    plan = _peer.session_plan(args, me, NAMES, **where)  # keys and config: before the input is read
    try:
        table = _read(args.input, args.key, args)  # fail on bad input before any peer work
    except InputError as exc:
        if args.role == "client":
            _peer.tell_peer(plan, _peer.input_reason(exc))
        raise
    session = plan.open()
    from mpc.psi import messages as msg
    from mpc.psi.progress import ProgressBar
    bar = ProgressBar(f"psi {args.role}")
    started = time.perf_counter()
    written: dict = {}

    def server_writes(outcome):  # before the server confirms, so the client hears if this fails
        written["rows"] = _write(table, outcome, args.output, args.force)

    def work():
        try:
            outcome = _play(session.channel(1 - me), args.role, table, args, bar,
                            on_result=server_writes if me == 0 else None)
        finally:
            bar.close()
        if me == 1 or "rows" not in written:   # client, or a server role without on_result
            written["rows"] = _write(table, outcome, args.output, args.force)
        return outcome
    outcome = _peer.run_or_abort(session, work, NAMES[1 - me], msg.TAG_DESCRIPTIONS)
    _report(_summary(args.role, table, outcome, args.output, written.get("rows"), time.perf_counter() - started),
            args.json)
    return 0


def _run_local(args) -> int:
    from mpc.runtime import run_local
    if not args.peer_input:
        raise ConfigError("--local plays both roles: give --peer-input FILE for the client")
    inputs = [args.input, args.peer_input]
    _check_output("server", args, args.output, "--output", inputs, [args.peer_output])
    _check_output("client", args, args.peer_output, "--peer-output", inputs, [args.output])
    tables = [_read(args.input, args.key, args), _read(args.peer_input, args.peer_key or args.key, args)]
    from mpc.psi.progress import ProgressBar
    bar = ProgressBar("psi local")
    started = time.perf_counter()

    def party(session):
        role = NAMES[session.me]
        return _play(session.channel(1 - session.me), role, tables[session.me], args,
                     bar if session.me == 1 else None)
    timeout = _peer.timeout_of(args, None)
    try:  # two processes over ZeroMQ loopback, CURVE with fresh keys unless --insecure
        outcomes = run_local(party, parties=2, timeout=timeout, names=list(NAMES),
                             security="none" if args.insecure else "curve")
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    outputs = [args.output, args.peer_output]
    written = []
    try:
        for table, outcome, output in zip(tables, outcomes, outputs):
            written.append(_write(table, outcome, output, args.force))
    except BaseException:
        if written and written[0] is not None:  # all or nothing: no output file when the run failed
            os.unlink(args.output)
        raise
    for role, table, outcome, output, rows in zip(NAMES, tables, outcomes, outputs, written):
        _report(_summary(role, table, outcome, output, rows, seconds), args.json)
    return 0
