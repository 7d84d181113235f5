"""`mpc psi` as a new user meets it: normalised ids, files never destroyed, helpful refusals.

Spec: protocols/psi-rsa.md ("Input files", "Output file"), README "Private set intersection".
Every refusal must come before any network step (a server with nobody to talk to returns at
once), exit 1, and leave every file as it was.
"""
from __future__ import annotations

import csv
import json
import os
import time


import mpc.psi as psi
from mpc.cli import main
from mpc.errors import ProtocolError
from mpc.transport import run_threads

PADDED = ["  A1", "A2\t", "\u00a0A3\u00a0", "\u3000A4", " A5 "]


def write(path, text: str, encoding: str = "utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


def rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def local(tmp_path, a, b, *extra, key="id"):
    out_a, out_b = tmp_path / "out_a.csv", tmp_path / "out_b.csv"
    code = main(["psi", "--local", "--input", a, "--key", key, "--peer-input", b, "--output", str(out_a),
                 "--peer-output", str(out_b), "--json", "--force", *extra])
    return code, out_a, out_b


def test_padded_ids_match_by_default_not_with_none_and_rows_stay_as_written(tmp_path, capsys):
    a = write(tmp_path / "a.csv", "id,x\n" + "".join(f"{v},{i}\n" for i, v in enumerate(PADDED)))
    b = write(tmp_path / "b.csv", "id\nA1\nA2\nA3\nA4\nA5\nB9\n")
    code, out_a, out_b = local(tmp_path, a, b)
    summaries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and [s["intersection_size"] for s in summaries] == [5, 5]
    assert sorted(r[0] for r in rows(out_a)[1:]) == sorted(PADDED)  # the padding is still there
    code, _, _ = local(tmp_path, a, b, "--normalize", "none")
    summaries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and [s["intersection_size"] for s in summaries] == [0, 0]


def test_nfkc_folds_full_width_forms():
    full_width = ["\uff21\uff11", "\uff10\uff19\uff18"]  # "Ａ１", "０９８"
    server, client = run_threads(lambda ep: (psi.server if ep.me == 0 else psi.client)(
        ep, full_width if ep.me == 0 else ["A1", " 098 "], normalize="nfkc"), parties=2, timeout=30)
    assert client.size == 2 and sorted(client.ids) == [" 098 ", "A1"]
    _, client = run_threads(lambda ep: (psi.server if ep.me == 0 else psi.client)(
        ep, full_width if ep.me == 0 else ["A1", "098"], normalize="strip"), parties=2, timeout=30)
    assert client.size == 0


def test_normalisation_mismatch_is_an_error_on_both_sides():
    errors = {}

    def party(endpoint):
        try:
            role = psi.server if endpoint.me == 0 else psi.client
            role(endpoint, ["a"], normalize="strip" if endpoint.me == 0 else "none")
        except ProtocolError as exc:
            errors[endpoint.me] = str(exc)
    run_threads(party, parties=2, timeout=10)
    assert set(errors) == {0, 1} and all("--normalize" in e and "mismatch" in e for e in errors.values())


def server_args(tmp_path, inp, out, *extra):
    return ["psi", "--role", "server", "--listen", "tcp://127.0.0.1:7399", "--insecure", "--input", inp,
            "--key", "id", "--output", out, "--timeout", "60", *extra]


def test_outputs_that_would_destroy_a_file_are_refused_before_any_network_step(tmp_path, capsys):
    inp = write(tmp_path / "in.csv", "id\n1\n")
    existing = write(tmp_path / "old.csv", "keep me\n")
    (tmp_path / "folder").mkdir()
    cases = {"same as input": (inp, "is the input file"),
             "existing": (existing, "exists: pass --force"),
             "missing folder": (str(tmp_path / "nowhere" / "o.csv"), "does not exist"),
             "directory": (str(tmp_path / "folder"), "is a directory")}
    before = {p: open(p, "rb").read() for p in (inp, existing)}
    for label, (out, message) in cases.items():
        started = time.monotonic()
        assert main(server_args(tmp_path, inp, out)) == 1, label  # would wait 60 s if it listened
        assert time.monotonic() - started < 5
        assert message in capsys.readouterr().err, label
    assert {p: open(p, "rb").read() for p in before} == before
    assert sorted(os.listdir(tmp_path)) == ["folder", "in.csv", "old.csv"] and not os.listdir(tmp_path / "folder")
    # --local: one party's output may not be the other's
    assert main(["psi", "--local", "--input", inp, "--key", "id", "--peer-input", inp, "--output",
                 str(tmp_path / "o.csv"), "--peer-output", str(tmp_path / "o.csv")]) == 1
    assert "other party's output" in capsys.readouterr().err
    assert main(["psi-gen", "--rows", "10", "--server-out", existing, "--client-out", str(tmp_path / "c.csv")]) == 1
    assert "exists" in capsys.readouterr().err and open(existing, "rb").read() == before[existing]
    assert not (tmp_path / "c.csv").exists()


def test_small_refusals_say_what_to_do(tmp_path, capsys):
    inp = write(tmp_path / "in.csv", "id\n1\n")
    out = str(tmp_path / "o.csv")
    base = ["psi", "--role", "server", "--input", inp, "--key", "id", "--output", out, "--insecure"]
    assert main(base + ["--listen", "tcp://127.0.0.1:99999"]) == 1
    assert "port must be 1..65535" in capsys.readouterr().err
    assert main(base + ["--listen", "127.0.0.1:7000"]) == 1
    assert "did you mean tcp://127.0.0.1:7000" in capsys.readouterr().err
    assert main(base + ["--listen", "tcp://127.0.0.1:7398", "--reveal", "client"]) == 1
    assert "drop --output" in capsys.readouterr().err
    no_keys = ["psi", "--role", "client", "--peer", "tcp://127.0.0.1:7397", "--input", inp, "--key", "id",
               "--output", out]
    assert main(no_keys) == 1
    err = capsys.readouterr().err
    assert "--peer-public-key" in err and "--insecure" in err
    assert not os.path.exists(out)


def test_gbk_file_gets_a_hint_and_reads_with_encoding(tmp_path, capsys):
    text = "纳税人识别号,名称\n91A,甲公司\n91B,乙公司\n"
    gbk = write(tmp_path / "gbk.csv", text, "gbk")
    other = write(tmp_path / "b.csv", "纳税人识别号\n91B\n")
    code, _, _ = local(tmp_path, gbk, other, key="纳税人识别号")
    err = capsys.readouterr().err
    assert code == 1 and "save the file as UTF-8" in err and "--encoding" in err
    gbk_b = write(tmp_path / "b_gbk.csv", "纳税人识别号\n91B\n", "gbk")
    code, out_a, _ = local(tmp_path, gbk, gbk_b, "--encoding", "gbk", key="纳税人识别号")
    assert code == 0
    assert out_a.read_bytes().decode("gbk") == "纳税人识别号,名称\n91B,乙公司\n"  # written as the input was


def test_semicolon_exports_with_delimiter(tmp_path, capsys):
    a = write(tmp_path / "a.csv", "id;amount\n1;2,50\n2;3,75\n")
    b = write(tmp_path / "b.csv", "id;x\n2;y\n")
    code, _, _ = local(tmp_path, a, b)
    assert code == 1 and "--delimiter ';'" in capsys.readouterr().err
    code, out_a, out_b = local(tmp_path, a, b, "--delimiter", ";")
    assert code == 0 and out_a.read_text() == "id;amount\n2;3,75\n" and out_b.read_text() == "id;x\n2;y\n"


def test_summary_uses_singular_and_plural(tmp_path, capsys):
    a = write(tmp_path / "a.csv", "id\n1\n1\n2\n")
    b = write(tmp_path / "b.csv", "id\n1\n")
    assert main(["psi", "--local", "--input", a, "--key", "id", "--peer-input", b, "--output",
                 str(tmp_path / "oa.csv"), "--peer-output", str(tmp_path / "ob.csv")]) == 0
    out = capsys.readouterr().out
    assert "3 rows (2 distinct ids, 1 duplicate row, 0 with empty key), peer has 1 row" in out
    assert "intersection: 1 id, 2 rows written" in out


JOB = '''
import numpy as np

PARTIES = ["bank", "insurer"]

def main(session):
    mine = {"bank": np.array([120, 45, 300]), "insurer": np.array([80, 5, 10])}[session.name]
    a = session.input(mine if session.me == 0 else None, owner=0)
    b = session.input(mine if session.me == 1 else None, owner=1)
    return session.reveal((a + b).sum())
'''


def test_mpc_run_local_names_the_parties_as_the_readme_job_expects(tmp_path, capsys):
    job = tmp_path / "job.py"
    job.write_text(JOB)
    assert main(["run", str(job), "--local", "2"]) == 0
    assert capsys.readouterr().out.splitlines() == ["bank: 560", "insurer: 560"]
    job.write_text(JOB.replace('PARTIES = ["bank", "insurer"]', ""))
    assert main(["run", str(job), "--local", "2", "--names", "bank,insurer", "--insecure"]) == 0
    assert capsys.readouterr().out.splitlines() == ["bank: 560", "insurer: 560"]
    assert main(["run", str(job), "--local", "2", "--names", "bank"]) == 1
    assert "names 1 parties" in capsys.readouterr().err


def test_a_public_key_beginning_with_a_dash_is_taken_as_the_value():
    # Z85 keys begin with '-' one time in 85; argparse would read such a key as an unknown option.
    from mpc.cli import _join_dash_values, build_parser
    from mpc.commands._peer import read_public_key
    from mpc.transport.curve import KeyPair
    key = next(k.public.decode() for k in iter(KeyPair.generate, None) if k.public.startswith(b"-"))
    argv = ["psi", "--role", "client", "--peer", "tcp://127.0.0.1:9", "--input", "b.csv", "--key", "id",
            "--peer-public-key", key, "--key-file", "x.key"]
    args = build_parser().parse_args(_join_dash_values(argv))
    assert args.peer_public_key == key and args.key_file == "x.key"
    assert read_public_key(args.peer_public_key) == key.encode()
    assert _join_dash_values(["--peer-public-key", "--insecure"]) == ["--peer-public-key", "--insecure"]
    double = "--" + key[2:]       # one key in 7,225 begins with two dashes
    assert build_parser().parse_args(_join_dash_values(argv[:-3] + [double])).peer_public_key == double
