"""`mpc lr`: vertical logistic regression between a guest (labels) and a host, one party per host
(spec: protocols/lr-vertical.md).

    mpc lr train --role guest --listen tcp://0.0.0.0:7100 --config parties.toml --input bank.csv \\
                 --features revenue,age --label default --model bank-model.json
    mpc lr train --role host --peer tcp://bank:7100 --config parties.toml --input invoices.csv \\
                 --features late_invoices,volume --model invoices-model.json
    mpc lr train --role guest --listen ... --peer-public-key invoices.pub ...   # prints this run's key
    mpc lr train --role host --peer ... --key-file invoices.key --peer-public-key KEY_THE_GUEST_PRINTED ...
    mpc lr predict --role guest ... --input new.csv --model bank-model.json --output scores.csv
    mpc lr train --local --input bank.csv --features ... --label default --model g.json \\
                 --peer-input invoices.csv --peer-features ... --peer-model h.json

Connection options as every peer command (mpc/commands/_peer.py): CurveZMQ with both parties
authenticated (keys from --config, or --key-file and --peer-public-key), plain TCP only with
--insecure; the listening party is party 0, whichever role it plays.  Inputs are validated before
any connection; a party that fails tells the other why (run_or_abort).  Model and score files are
written atomically and only when the run succeeded, never over an existing file without --force.
"""
from __future__ import annotations

import json
import os

from mpc.commands import _peer
from mpc.errors import ConfigError, InputError

DEFAULT_TIMEOUT = 300.0  # Paillier epochs are slow: a longer default wait than _peer's


def _common(p, *, train: bool) -> None:
    p.add_argument("--role", choices=["guest", "host"], help="guest (holds the labels) or host")
    _peer.add_where_arguments(p, listen="address to listen on, e.g. tcp://0.0.0.0:7100",
                              peer="the other party's address")
    p.add_argument("--input", required=True, metavar="FILE", help="CSV file with a header row, rows aligned with the peer's")
    p.add_argument("--model", required=True, metavar="FILE", help="this party's model file (JSON)")
    p.add_argument("--id", metavar="COL", help="id column: both parties check that their rows are aligned")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument("--peer-input", metavar="FILE", help="with --local: the host's CSV file")
    p.add_argument("--peer-model", metavar="FILE", help="with --local: the host's model file")
    _peer.add_peer_arguments(p, what="the other party", default_timeout=DEFAULT_TIMEOUT)


def register(commands) -> None:
    lr = commands.add_parser("lr", help="vertical logistic regression between two parties",
                             description="Train and score a logistic regression on rows whose columns are "
                             "split between a guest (labels) and a host, without a third party.")
    sub = lr.add_subparsers(dest="lr_command", metavar="train|predict")
    train = sub.add_parser("train", help="train jointly; each party writes its part of the model")
    _common(train, train=True)
    train.add_argument("--features", required=True, metavar="COL[,COL...]", help="this party's feature columns")
    train.add_argument("--label", metavar="COL", help="the label column (0/1), the guest's")
    train.add_argument("--protocol", choices=["ss", "he"], default="ss", help="ss (default) or he (Paillier)")
    train.add_argument("--epochs", type=int, default=5)
    train.add_argument("--batch-size", type=int, default=1024)
    train.add_argument("--learning-rate", type=float, default=0.1)
    train.add_argument("--l2", type=float, default=1e-3)
    train.add_argument("--tol", type=float, default=None, help="stop when no weight moved more than this in an epoch")
    train.add_argument("--class-weight", choices=["balanced"], default=None)
    train.add_argument("--key-bits", type=int, default=2048, help="Paillier modulus bits for --protocol he")
    train.add_argument("--reveal-model", action="store_true",
                       help="both parties get the whole model (both must pass it) and a scikit-learn export")
    train.add_argument("--peer-features", metavar="COL[,COL...]", help="with --local: the host's feature columns")
    train.set_defaults(func=run)
    predict = sub.add_parser("predict", help="score rows jointly; the guest gets the scores")
    _common(predict, train=False)
    predict.add_argument("--output", metavar="FILE", help="the guest's score file (id or row, score)")
    predict.set_defaults(func=run)
    lr.set_defaults(func=run)


# -- helpers -------------------------------------------------------------------------------------
def _plan(args):
    """The session plan (keys, config, timeout: no network yet); the listening party is party 0."""
    address = _peer.check_address(args.listen or args.peer, "--listen" if args.listen else "--peer")
    other = "host" if args.role == "guest" else "guest"
    me = 0 if args.listen else 1
    names = (args.role, other) if me == 0 else (other, args.role)
    where = {"listen": address} if me == 0 else {"peer": address}
    return _peer.session_plan(args, me, names, **where), other


def _read_or_tell(plan, read):
    """`read()`; if this party's file fails and it connects (party 1), the listening party is told
    why at once instead of waiting out its timeout."""
    try:
        return read()
    except InputError as exc:
        if plan.me == 1:
            _peer.tell_peer(plan, _peer.input_reason(exc))
        raise


def _check_free(path: str | None, force: bool, flag: str, inputs=(), others=()) -> None:
    """mpc psi's output checks (not a directory, its folder exists and is writable, not an input
    or the other party's output), and an existing file only with --force."""
    if not path:
        return
    from mpc.psi.output import check_output_path
    check_output_path(path, inputs=inputs, others=others, force=True, flag=flag)
    if os.path.exists(path) and not force:
        raise InputError("exists already; remove it or pass --force", path)


def _report(summary: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary, ensure_ascii=False), flush=True)
        return
    s = summary
    text = f"{s['role']}: {s['rows']} rows, {s['features']} features"
    if s["stage"] == "train":
        text += (f"; {s['epochs_run']} epochs ({s['protocol']}) in {s['seconds']:.2f} s; model written to {s['model']}"
                 + (" (whole model revealed)" if s.get("revealed") else ""))
    else:
        text += f"; scores {'written to ' + s['output'] if s.get('output') else 'went to the guest'}"
    text += f"; {s['bytes_sent']} bytes sent, {s['bytes_received']} received"
    print(text, flush=True)


def _train_party(session, role, table, args, timeout, progress=None):
    from mpc.ml import VerticalLogisticRegression
    model = VerticalLogisticRegression(
        session, protocol=args.protocol, epochs=args.epochs, batch_size=args.batch_size,
        learning_rate=args.learning_rate, l2=args.l2, tol=args.tol, class_weight=args.class_weight,
        key_bits=args.key_bits, timeout=timeout, progress=progress, agree={"reveal_model": args.reveal_model})
    model.fit(table.x, table.labels if role == "guest" else None, feature_names=table.features, ids=table.ids)
    if args.reveal_model:
        model.reveal_model()
    stats = model.fit_stats_
    summary = {"stage": "train", "role": role, "protocol": args.protocol, "input": table.path,
               "rows": int(table.x.shape[0]), "features": int(table.x.shape[1]), "epochs_run": stats["epochs_run"],
               "stopped_early": stats["stopped_early"], "seconds": round(stats["seconds"], 3),
               "bytes_sent": stats["bytes_sent"], "bytes_received": stats["bytes_received"],
               "rounds": stats["rounds"], "clipped_values": stats["clipped_values"],
               "weights_at_bound": stats["weights_at_bound"], "revealed": bool(args.reveal_model)}
    return model.model_, summary


def _predict_party(session, role, model_data, table, args, timeout):
    from mpc.ml import VerticalLogisticRegression
    model = VerticalLogisticRegression(session, protocol=model_data.get("protocol", "ss"), timeout=timeout)
    model.model_ = model_data
    before = session.stats.protocol()
    sent, received = before.bytes_sent, before.bytes_received
    proba = model.predict_proba(table.x, ids=table.ids)
    after = session.stats.protocol()
    summary = {"stage": "predict", "role": role, "input": table.path, "rows": int(table.x.shape[0]),
               "features": int(table.x.shape[1]), "bytes_sent": after.bytes_sent - sent,
               "bytes_received": after.bytes_received - received}
    return (None if proba is None else proba[:, 1]), summary


def _read_train(path, features, label, id_column):
    from mpc.ml.csv_input import parse_columns, read_table
    return read_table(path, parse_columns(features, "--features"), label, id_column)


def _read_predict(path, model_path, role, id_column):
    from mpc.ml.csv_input import read_table
    from mpc.ml.model import read_model
    data = read_model(model_path, role)
    return data, read_table(path, data["features"], None, id_column)


# -- run -----------------------------------------------------------------------------------------
def run(args) -> int:
    if getattr(args, "lr_command", None) not in ("train", "predict"):
        raise ConfigError("give a subcommand: mpc lr train ... or mpc lr predict ...")
    if args.local:
        return _run_local(args)
    if not args.role:
        raise ConfigError("give --role guest or --role host (or --local)")
    if not (args.listen or args.peer):
        raise ConfigError("give --listen ADDR (this party waits) or --peer ADDR (this party connects)")
    if args.lr_command == "train":
        return _run_train(args)
    return _run_predict(args)


def _run_train(args) -> int:
    from mpc.psi.progress import ProgressBar
    if args.role == "guest" and not args.label:
        raise ConfigError("the guest holds the labels: give --label COL")
    if args.role == "host" and args.label:
        raise ConfigError("--label is the guest's; the host has no labels")
    _check_free(args.model, args.force, "--model", [args.input])
    plan, other = _plan(args)   # keys and config, then the input: both before connecting
    table = _read_or_tell(plan, lambda: _read_train(args.input, args.features, args.label, args.id))
    session = plan.open()
    bar = ProgressBar(f"lr train {args.role}")

    def work():
        try:
            return _train_party(session, args.role, table, args, plan.timeout,
                                lambda done, total: bar("epoch", done, total))
        finally:
            bar.close()
    model, summary = _peer.run_or_abort(session, work, other)
    from mpc.ml.model import write_json_atomic
    write_json_atomic(args.model, model, overwrite=args.force)
    summary["model"] = args.model
    _report(summary, args.json)
    return 0


def _run_predict(args) -> int:
    from mpc.ml.csv_input import write_scores
    if args.role == "guest" and not args.output:
        raise ConfigError("the guest gets the scores: give --output FILE")
    if args.role == "host" and args.output:
        raise ConfigError("--output is the guest's; the host learns no scores")
    _check_free(args.output, args.force, "--output", [args.input, args.model])
    plan, other = _plan(args)
    data, table = _read_or_tell(plan, lambda: _read_predict(args.input, args.model, args.role, args.id))
    session = plan.open()
    scores, summary = _peer.run_or_abort(
        session, lambda: _predict_party(session, args.role, data, table, args, plan.timeout), other)
    if scores is not None:
        write_scores(args.output, table, scores, overwrite=args.force)
        summary["output"] = args.output
    _report(summary, args.json)
    return 0


def _run_local(args) -> int:
    """Both roles in two local processes (CURVE with fresh keys): --input & co. are the guest's,
    --peer-input & co. the host's."""
    from mpc.runtime import run_local
    timeout = _peer.timeout_of(args, None)
    security = "none" if args.insecure else "curve"
    if not args.peer_input or not args.peer_model:
        raise ConfigError("--local plays both roles: give --peer-input FILE and --peer-model FILE for the host")
    if args.lr_command == "train":
        if not args.label or not args.peer_features:
            raise ConfigError("--local train needs the guest's --label and the host's --peer-features")
        inputs = [args.input, args.peer_input]
        _check_free(args.model, args.force, "--model", inputs, [args.peer_model])
        _check_free(args.peer_model, args.force, "--peer-model", inputs, [args.model])
        tables = [_read_train(args.input, args.features, args.label, args.id),
                  _read_train(args.peer_input, args.peer_features, None, args.id)]

        def party(session):
            role = "guest" if session.me == 0 else "host"
            return _train_party(session, role, tables[session.me], args, timeout)
        results = run_local(party, parties=2, timeout=timeout, names=["guest", "host"], security=security)
        from mpc.ml.model import write_json_atomic
        write_json_atomic(args.model, results[0][0], overwrite=args.force)
        try:
            write_json_atomic(args.peer_model, results[1][0], overwrite=args.force)
        except BaseException:
            os.unlink(args.model)   # all or nothing
            raise
        results[0][1]["model"], results[1][1]["model"] = args.model, args.peer_model
        for _, summary in results:
            _report(summary, args.json)
        return 0
    from mpc.ml.csv_input import write_scores
    if not args.output:
        raise ConfigError("the guest gets the scores: give --output FILE")
    _check_free(args.output, args.force, "--output", [args.input, args.peer_input, args.model, args.peer_model])
    guest = _read_predict(args.input, args.model, "guest", args.id)
    host = _read_predict(args.peer_input, args.peer_model, "host", args.id)
    inputs = [guest, host]

    def party(session):
        role = "guest" if session.me == 0 else "host"
        data, table = inputs[session.me]
        return _predict_party(session, role, data, table, args, timeout)
    results = run_local(party, parties=2, timeout=timeout, names=["guest", "host"], security=security)
    write_scores(args.output, guest[1], results[0][0], overwrite=args.force)
    results[0][1]["output"] = args.output
    for _, summary in results:
        _report(summary, args.json)
    return 0
