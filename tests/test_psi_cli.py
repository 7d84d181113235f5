"""`mpc psi` / `mpc psi-gen` and the CSV rules (spec: protocols/psi-rsa.md, "Input files").

Every input defect must name the file and line, exit non-zero and leave no output file; the
Excel-style example (BOM, CRLF, Chinese header, ids on two rows) must give the plaintext
intersection, with both output files in the same order.
"""
from __future__ import annotations

import csv
import json
import os

import pytest

from mpc.cli import main
from mpc.errors import InputError
from mpc.psi.csv_input import parse_key_spec, read_keys
from mpc.psi.output import atomic_text_file


def write(path, text: str, *, bom: bool = False, crlf: bool = False):
    data = text.replace("\n", "\r\n") if crlf else text
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode("utf-8"))
    return str(path)


def read_rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def local(tmp_path, server_file, client_file, server_key, client_key, *extra):
    out_a, out_b = tmp_path / "server_out.csv", tmp_path / "client_out.csv"
    code = main(["psi", "--local", "--input", server_file, "--key", server_key, "--peer-input", client_file,
                 "--peer-key", client_key, "--output", str(out_a), "--peer-output", str(out_b), *extra])
    return code, out_a, out_b


def test_excel_style_example(tmp_path, capsys):
    bank = write(tmp_path / "customers.csv",
                 "tax_id,name\n91110000A,Acme\n91110000B,Bolt\n91110000C,Crane\n91310000Z,Zeta\n")
    invoices = write(tmp_path / "invoices.csv",
                     "纳税人识别号,发票号码,金额\n91110000C,INV1,10.00\n91999999X,INV2,5.00\n"
                     "91110000A,INV3,7.50\n91110000C,INV4,\"1,200.00\"\n", bom=True, crlf=True)
    code, out_a, out_b = local(tmp_path, bank, invoices, "tax_id", "纳税人识别号", "--json")
    assert code == 0
    summaries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [s["intersection_size"] for s in summaries] == [2, 2]
    assert summaries[1]["duplicates"] == 1 and summaries[1]["matched_rows"] == 3
    a, b = read_rows(out_a), read_rows(out_b)
    assert a[0] == ["tax_id", "name"] and b[0] == ["纳税人识别号", "发票号码", "金额"]
    assert sorted(r[0] for r in a[1:]) == ["91110000A", "91110000C"]
    assert sorted(r[1] for r in b[1:]) == ["INV1", "INV3", "INV4"]
    ids_b = [r[0] for r in b[1:]]
    assert [r[0] for r in a[1:]] == list(dict.fromkeys(ids_b))  # same order on both sides
    raw = out_b.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # looks like its Excel input
    assert not out_a.read_bytes().startswith(b"\xef\xbb\xbf")


def test_multi_column_keys_and_empty_keys(tmp_path, capsys):
    a = write(tmp_path / "a.csv", "country,id,x\nDE,1,a\nFR,1,b\n,,c\nDE,12,d\n")
    b = write(tmp_path / "b.csv", "id,country\n1,DE\n2,DE\n,\n1,F\n")
    code, out_a, out_b = local(tmp_path, a, b, "country,id", "country,id", "--json")
    assert code == 0
    s = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert s[0]["intersection_size"] == 1 and s[0]["skipped_empty"] == 1 and s[1]["skipped_empty"] == 1
    assert read_rows(out_a)[1:] == [["DE", "1", "a"]] and read_rows(out_b)[1:] == [["1", "DE"]]


def test_empty_intersection_and_header_only_files(tmp_path):
    a = write(tmp_path / "a.csv", "id\n1\n2\n")
    b = write(tmp_path / "b.csv", "id\n3\n")
    empty = write(tmp_path / "e.csv", "id\n")
    for left, right in ((a, b), (empty, a), (a, empty), (empty, empty)):
        code, out_a, out_b = local(tmp_path, left, right, "id", "id", "--force")  # same outputs each time
        assert code == 0 and read_rows(out_a) == [["id"]] and read_rows(out_b) == [["id"]]


BAD_INPUTS = [
    ("missing column", "name,other\nx,y\n", 1, "no column 'id'"),
    ("empty file", "", 1, "empty file"),
    ("wrong field count", "id,name\n1,a\n2,b,extra\n3,c\n", 3, "3 fields"),
    ("too few fields", "id,name\n1,a\n2\n", 3, "1 fields"),
    ("undecodable", None, 3, "UTF-8"),
]


@pytest.mark.parametrize("label,text,line,message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_names_file_and_line_and_leaves_no_output(tmp_path, capsys, label, text, line, message):
    bad = tmp_path / "bad.csv"
    if text is None:
        bad.write_bytes(b"id,name\n1,ok\n2,caf\xe9\n")
    else:
        bad.write_text(text, encoding="utf-8")
    good = write(tmp_path / "good.csv", "id\n1\n2\n")
    with pytest.raises(InputError) as info:
        read_keys(str(bad), ["id"])
    assert info.value.path == str(bad) and info.value.line == line and message in str(info.value)
    for left, right in ((str(bad), good), (good, str(bad))):
        code, out_a, out_b = local(tmp_path, left, right, "id", "id")
        err = capsys.readouterr().err
        assert code != 0 and f"{bad}:{line}:" in err
        assert not out_a.exists() and not out_b.exists()
    assert sorted(os.listdir(tmp_path)) == ["bad.csv", "good.csv"]  # no temporary files either


def test_reveal_client_writes_no_server_output(tmp_path, capsys):
    a = write(tmp_path / "a.csv", "id\n1\n2\n")
    b = write(tmp_path / "b.csv", "id\n2\n3\n")
    out_b = tmp_path / "b_out.csv"
    code = main(["psi", "--local", "--reveal", "client", "--input", a, "--key", "id", "--peer-input", b,
                 "--peer-output", str(out_b), "--json"])
    assert code == 0
    server, client = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert server["learned"] is False and server["intersection_size"] is None
    assert client["intersection_size"] == 1 and read_rows(out_b) == [["id"], ["2"]]


def test_psi_gen_files_give_the_known_intersection(tmp_path, capsys):
    sa, cb = tmp_path / "customers.csv", tmp_path / "invoices.csv"
    assert main(["psi-gen", "--rows", "150", "--peer-rows", "120", "--common", "40", "--duplicates", "5",
                 "--server-out", str(sa), "--client-out", str(cb), "--json"]) == 0
    generated = json.loads(capsys.readouterr().out)
    assert generated["intersection_size"] == 40 and generated["client_rows"] == 125
    assert cb.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in cb.read_bytes()
    code, out_a, out_b = local(tmp_path, str(sa), str(cb), "tax_id", "纳税人识别号", "--json")
    summaries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    expected = {r[0] for r in read_rows(sa)[1:]} & {r[0] for r in read_rows(cb)[1:]}
    assert code == 0 and len(expected) == 40
    assert {r[0] for r in read_rows(out_a)[1:]} == expected == {r[0] for r in read_rows(out_b)[1:]}
    assert summaries[0]["intersection_size"] == 40


def test_key_spec_parsing():
    assert parse_key_spec("a") == ["a"] and parse_key_spec("纳税人识别号,b") == ["纳税人识别号", "b"]
    for bad in ("", "a,,b", "a,a"):
        with pytest.raises(InputError):
            parse_key_spec(bad)


def test_atomic_output_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        with atomic_text_file(str(target)) as f:
            f.write("partial")
            raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []
    with atomic_text_file(str(target)) as f:
        f.write("done")
    assert target.read_text() == "done" and os.listdir(tmp_path) == ["out.csv"]


def test_network_mode_needs_addresses(tmp_path, capsys):
    a = write(tmp_path / "a.csv", "id\n1\n")
    assert main(["psi", "--role", "server", "--input", a, "--key", "id", "--output", str(tmp_path / "o.csv")]) != 0
    assert "--listen" in capsys.readouterr().err
    assert main(["psi", "--role", "client", "--peer", "tcp://127.0.0.1:1", "--input", a, "--key", "id"]) != 0
    assert "--output" in capsys.readouterr().err
