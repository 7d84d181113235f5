"""`mpc pir`: keyword PIR (隐匿查询) between two hosts (spec: protocols/pir.md).

    mpc pir serve --listen tcp://0.0.0.0:7100 --input blacklist.csv --key tax_id \\
                  --peer-public-key bank.pub            # prints this run's public key for the clients
    mpc pir query --peer tcp://registry:7100 --input applicants.csv --key tax_id --output found.csv \\
                  --key-file bank.key --peer-public-key KEY_THE_SERVER_PRINTED
    mpc pir serve ... --config parties.toml             # or both parties' keys from a config

`serve` preprocesses the table once, then serves clients one after another until Ctrl-C or SIGTERM
(or --max-clients); a client that fails (wrong key, bad messages, timeout) is reported and the
next one is served; a stopped server tells its current client.  `query` writes one FOUND row per
query row, atomically, never over an existing file without --force, in the query file's
--encoding and --delimiter.  CSV options (--encoding, --delimiter) and key normalisation
(--normalize) as `mpc psi`; the two hellos carry --normalize, so a client and a server that differ
both fail at once, naming both modes.  Connection options as every peer command
(mpc/commands/_peer.py): CurveZMQ with both parties authenticated, plain TCP only with --insecure.
"""
from __future__ import annotations

import json
import signal
import sys
import time

from mpc.commands import _peer
from mpc.commands._csv_options import add_csv_options, add_normalize_option
from mpc.errors import AuthenticationError, InputError, MpcError, PeerTimeout

SERVER, CLIENT = 0, 1
NAMES = ("server", "client")
CONNECT_WAIT = 24 * 3600.0  # a serving party waits this long for each next client
CLOSE_WAIT = 1.0


def _common(p, output: str | None) -> None:
    p.add_argument("--input", required=True, metavar="FILE", help="CSV file with a header row")
    p.add_argument("--key", required=True, metavar="COL[,COL...]", help="key column(s) of --input")
    add_normalize_option(p, "checked when a client connects")
    add_csv_options(p, output)
    p.add_argument("--json", action="store_true", help="print JSON summaries on stdout")
    p.add_argument("--threads", type=int, default=None, help="threads for the kernels (default: all cores)")


def register(commands) -> None:
    p = commands.add_parser("pir", help="keyword PIR: look ids up in the other party's table privately",
                            description="Keyword private information retrieval (protocols/pir.md): the client "
                            "learns the rows of the ids it asks for, the server learns only how many.")
    sub = p.add_subparsers(dest="pir_command", metavar="serve|query")
    serve = sub.add_parser("serve", help="preprocess a table and answer queries until stopped")
    serve.add_argument("--listen", required=True, metavar="ADDR", help="address to listen on, e.g. tcp://0.0.0.0:7100")
    _common(serve, None)
    serve.add_argument("--batch-size", type=int, default=None, help="most keys per client batch")
    serve.add_argument("--max-clients", type=int, default=None, help="stop after this many clients "
                       "(then the exit status is 1 if any of them failed)")
    _peer.add_peer_arguments(serve, what="the client")
    serve.set_defaults(func=run_serve)
    query = sub.add_parser("query", help="look the keys of a CSV file up in a serving party's table")
    query.add_argument("--peer", required=True, metavar="ADDR", help="the serving party's address")
    _common(query, "FOUND (--output) uses the same as the query file")
    query.add_argument("--output", required=True, metavar="FILE", help="where to write the FOUND rows")
    query.add_argument("--force", action="store_true", help="replace --output if it exists")
    _peer.add_peer_arguments(query, what="the server")
    query.set_defaults(func=run_query)
    p.set_defaults(func=lambda args: _missing(p))


def _missing(parser) -> int:
    parser.print_help()
    return 2


def _say(summary: dict, text: str, as_json: bool) -> None:
    print(json.dumps(summary, ensure_ascii=False) if as_json else text, flush=True)


class _Stop(KeyboardInterrupt):  # SIGTERM, handled as Ctrl-C
    pass


def _raise_stop(signum, frame):
    raise _Stop()


def run_serve(args) -> int:
    from mpc.pir import PirDatabase, keyword
    from mpc.pir.csv_files import read_table
    from mpc.psi.csv_input import parse_key_spec
    from mpc.psi.progress import ProgressBar
    _peer.check_address(args.listen, "--listen")
    # Keys and config before the table: a fresh keypair is made and printed once, for every client.
    plan = _peer.session_plan(args, SERVER, NAMES, listen=args.listen)
    table = read_table(args.input, parse_key_spec(args.key), args.normalize, encoding=args.encoding,
                       delimiter=args.delimiter)
    bar = ProgressBar("pir preprocess")
    started = time.perf_counter()
    try:
        database = PirDatabase.build(table.ids, [keyword.encode_value(v) for v in table.values],
                                     value_columns=table.value_columns, threads=args.threads, progress=bar)
    except ValueError as exc:  # rows too long or too many for the supported matrix (protocols/pir.md)
        raise InputError(f"cannot serve this table: {exc}", table.path) from exc
    finally:
        bar.close()
    g = database.geometry
    ready = {"event": "ready", "input": table.path, "key": table.key_columns, "normalize": args.normalize,
             "rows": database.table_rows,
             "skipped_empty": table.skipped_empty, "columns": g.cols, "slots": g.slots, "entry_bytes": g.entry_bytes,
             "matrix_bytes": g.matrix_bytes, "hint_bytes": database.hint.nbytes,
             "preprocess_seconds": round(time.perf_counter() - started, 3),
             "phases": {k: round(v, 3) for k, v in database.phases.items()}, "listen": args.listen}
    _say(ready, f"serving {database.table_rows} rows on {args.listen} (preprocessed in "
         f"{ready['preprocess_seconds']:.1f} s, hint {database.hint.nbytes} bytes); Ctrl-C stops", args.json)
    return serve_clients(database, args, plan)


def serve_clients(database, args, plan) -> int:
    """Answer clients one after another until a signal (or --max-clients); a failing client is told
    why, reported on stderr, and does not stop the service."""
    from mpc.pir import PirServer
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    served = failed = 0
    options = {} if args.batch_size is None else {"max_batch": args.batch_size}
    try:
        while args.max_clients is None or served + failed < args.max_clients:
            number = served + failed + 1
            try:
                session = plan.open(connect_timeout=CONNECT_WAIT)
            except PeerTimeout:
                continue
            except AuthenticationError as exc:  # a client with other keys: the next one may be right
                failed += 1
                _client_failed(number, exc)
                continue
            started = time.perf_counter()
            try:
                outcome = PirServer(session.channel(CLIENT), database, threads=args.threads,
                                    normalize=args.normalize, **options).run()
            except MpcError as exc:
                # Closed at once, without an abort notice: Endpoint.abort waits ABORT_GRACE for the
                # client, and a next client whose HELLO reached this closing socket would be lost.
                failed += 1
                session.close(wait=0)
                _client_failed(number, _peer.in_words(exc, NAMES[CLIENT], {}, session.endpoint.timeout))
                continue
            except BaseException:  # a stop signal in the middle of a client: tell it, then leave
                session.abort("the server was stopped")
                raise
            served += 1
            summary = {"event": "client", "client": number, "queries": outcome.queries,
                       "seconds": round(time.perf_counter() - started, 3), "bytes_sent": outcome.bytes_sent,
                       "bytes_received": outcome.bytes_received}
            _say(summary, f"client {number}: {outcome.queries} queries in {summary['seconds']:.2f} s, "
                 f"{outcome.bytes_sent} bytes sent, {outcome.bytes_received} received", args.json)
            # The client's last message (batch 0) says it has every answer: a short goodbye suffices.
            session.close(wait=CLOSE_WAIT)
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    _say({"event": "stopped", "served": served, "failed": failed},
         f"stopped: {served} clients served, {failed} failed", args.json)
    return 1 if failed and args.max_clients is not None else 0


def _client_failed(number: int, exc: MpcError) -> None:
    print(f"mpc pir serve: client {number}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)


def run_query(args) -> int:
    from mpc.pir import PirClient, keyword
    from mpc.pir.csv_files import read_queries, write_found
    from mpc.psi.output import check_output_path
    from mpc.psi.csv_input import parse_key_spec
    from mpc.psi.progress import ProgressBar
    _peer.check_address(args.peer, "--peer")
    plan = _peer.session_plan(args, CLIENT, NAMES, peer=args.peer)
    check_output_path(args.output, inputs=[args.input], force=args.force)
    try:
        queries = read_queries(args.input, parse_key_spec(args.key), args.normalize,  # before connecting
                               encoding=args.encoding, delimiter=args.delimiter)
    except InputError as exc:  # the server hears why this client stops, and serves the next one
        _peer.tell_peer(plan, _peer.input_reason(exc))
        raise
    session = plan.open()
    bar = ProgressBar("pir query")
    started = time.perf_counter()

    def work():
        try:
            return PirClient(session.channel(SERVER), threads=args.threads, rng=session.rng,
                             progress=bar, normalize=args.normalize).run(queries.ids)
        finally:
            bar.close()
    outcome = _peer.run_or_abort(session, work, NAMES[SERVER])
    peer = "server"
    values = [None if v is None else keyword.decode_value(v, peer) for v in outcome.values]
    found = write_found(queries, values, outcome.value_columns, args.output, args.force)
    summary = {"input": queries.path, "key": queries.key_columns, "normalize": args.normalize,
               "rows": len(queries.sent),
               "queried": len(queries.ids), "found": found, "table_rows": outcome.table_rows,
               "output": args.output, "seconds": round(time.perf_counter() - started, 3),
               "hint_bytes": outcome.hint_bytes, "bytes_sent": outcome.bytes_sent,
               "bytes_received": outcome.bytes_received,
               "phases": {k: round(v, 3) for k, v in outcome.phases.items()}}
    _say(summary, f"{len(queries.sent)} query rows ({len(queries.ids)} sent), {found} found in a table of "
         f"{outcome.table_rows} rows; written to {args.output}\n{summary['seconds']:.2f} s, "
         f"{outcome.bytes_sent} bytes sent, {outcome.bytes_received} bytes received", args.json)
    return 0
