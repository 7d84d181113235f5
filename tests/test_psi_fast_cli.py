"""`mpc psi --protocol ecdh|kkrt` end to end: the same files, rules and outputs as with RSA.

Specs: protocols/psi-ecdh.md, psi-kkrt.md (the CSV and output rules are those of psi-rsa.md).  Each
fast protocol must give the plaintext intersection on the Excel-style example and on `mpc psi-gen`
files, with both output files in the same order, the multi-column and empty cases, `--reveal
client`, and no output file when an input is bad.
"""
from __future__ import annotations

import json
import os

import pytest

from mpc.cli import main
from test_psi_cli import local as psi_local, read_rows, write

FAST = ["ecdh", "kkrt"]


def local(tmp_path, server_file, client_file, server_key, client_key, *extra):
    """`mpc psi --local` on two files, replacing earlier outputs: (exit code, server out, client out)."""
    return psi_local(tmp_path, server_file, client_file, server_key, client_key, "--force", *extra)


@pytest.mark.parametrize("protocol", FAST)
def test_excel_style_example(tmp_path, capsys, protocol):
    bank = write(tmp_path / "customers.csv",
                 "tax_id,name\n91110000A,Acme\n91110000B,Bolt\n91110000C,Crane\n91310000Z,Zeta\n")
    invoices = write(tmp_path / "invoices.csv",
                     "纳税人识别号,发票号码,金额\n91110000C,INV1,10.00\n91999999X,INV2,5.00\n"
                     "91110000A,INV3,7.50\n91110000C,INV4,\"1,200.00\"\n", bom=True, crlf=True)
    code, out_a, out_b = local(tmp_path, bank, invoices, "tax_id", "纳税人识别号", "--json", "--protocol", protocol)
    assert code == 0
    summaries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [s["intersection_size"] for s in summaries] == [2, 2]
    assert summaries[1]["duplicates"] == 1 and summaries[1]["matched_rows"] == 3
    a, b = read_rows(out_a), read_rows(out_b)
    assert sorted(r[0] for r in a[1:]) == ["91110000A", "91110000C"]
    assert sorted(r[1] for r in b[1:]) == ["INV1", "INV3", "INV4"]
    assert [r[0] for r in a[1:]] == list(dict.fromkeys(r[0] for r in b[1:]))  # same order on both sides
    assert out_b.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in out_b.read_bytes()


@pytest.mark.parametrize("protocol", FAST)
def test_psi_gen_multi_column_empty_and_reveal_client(tmp_path, capsys, protocol):
    sa, cb = tmp_path / "customers.csv", tmp_path / "invoices.csv"
    assert main(["psi-gen", "--rows", "300", "--peer-rows", "250", "--common", "80", "--duplicates", "5",
                 "--server-out", str(sa), "--client-out", str(cb)]) == 0
    capsys.readouterr()
    code, out_a, out_b = local(tmp_path, str(sa), str(cb), "tax_id", "纳税人识别号", "--protocol", protocol)
    expected = {r[0] for r in read_rows(sa)[1:]} & {r[0] for r in read_rows(cb)[1:]}
    assert code == 0 and len(expected) == 80
    assert {r[0] for r in read_rows(out_a)[1:]} == expected == {r[0] for r in read_rows(out_b)[1:]}
    assert [r[0] for r in read_rows(out_a)[1:]] == list(dict.fromkeys(r[0] for r in read_rows(out_b)[1:]))

    a = write(tmp_path / "a.csv", "country,id,x\nDE,1,a\nFR,1,b\n,,c\nDE,12,d\n")
    b = write(tmp_path / "b.csv", "id,country\n1,DE\n2,DE\n,\n1,F\n")
    code, out_a, out_b = local(tmp_path, a, b, "country,id", "country,id", "--protocol", protocol)
    assert code == 0 and read_rows(out_a)[1:] == [["DE", "1", "a"]] and read_rows(out_b)[1:] == [["1", "DE"]]

    empty = write(tmp_path / "e.csv", "id\n")
    code, out_a, out_b = local(tmp_path, empty, write(tmp_path / "c.csv", "id\n1\n"), "id", "id", "--protocol",
                               protocol)
    assert code == 0 and read_rows(out_a) == [["id"]] and read_rows(out_b) == [["id"]]

    out_c = tmp_path / "only_client.csv"
    capsys.readouterr()
    code = main(["psi", "--local", "--protocol", protocol, "--reveal", "client", "--input", a, "--key", "id",
                 "--peer-input", b, "--peer-key", "id", "--peer-output", str(out_c), "--json"])
    server, client = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and server["learned"] is False and client["intersection_size"] == 1
    assert sorted(read_rows(out_c)[1:]) == [["1", "DE"], ["1", "F"]]


@pytest.mark.parametrize("protocol", FAST)
def test_bad_input_leaves_no_output(tmp_path, capsys, protocol):
    bad = write(tmp_path / "bad.csv", "id,name\n1,a\n2,b,extra\n")
    good = write(tmp_path / "good.csv", "id\n1\n2\n")
    code, out_a, out_b = local(tmp_path, good, bad, "id", "id", "--protocol", protocol)
    assert code != 0 and f"{bad}:3:" in capsys.readouterr().err
    assert not out_a.exists() and not out_b.exists()
    assert sorted(os.listdir(tmp_path)) == ["bad.csv", "good.csv"]


def _cli(*args) -> list[str]:
    import sys
    return [sys.executable, "-P", "-m", "mpc.cli", *args]


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("server_protocol,client_protocol", [("kkrt", "kkrt"), ("kkrt", "ecdh")])
def test_two_processes_over_tcp_and_a_protocol_mismatch(tmp_path, server_protocol, client_protocol):
    """`--role server/client` as two hosts would run them; different --protocol values stop both
    sides with a message naming the option, and neither writes an output file."""
    import subprocess
    port = _free_port()
    a = write(tmp_path / "a.csv", "id,x\n" + "".join(f"k{i},{i}\n" for i in range(50)))
    b = write(tmp_path / "b.csv", "key\n" + "".join(f"k{i}\n" for i in range(30, 90)))
    for name in ("bank", "invoices"):   # CurveZMQ by default: each side has a keypair, knows the other's
        assert subprocess.run(_cli("keygen", name, "--dir", str(tmp_path)), capture_output=True).returncode == 0
    keys = {"server": ["--key-file", str(tmp_path / "bank.key"), "--peer-public-key", str(tmp_path / "invoices.pub")],
            "client": ["--key-file", str(tmp_path / "invoices.key"), "--peer-public-key", str(tmp_path / "bank.pub")]}
    server = subprocess.Popen(_cli("psi", "--protocol", server_protocol, "--role", "server", "--listen",
                                   f"tcp://127.0.0.1:{port}", "--input", a, "--key", "id", "--output",
                                   str(tmp_path / "a_out.csv"), "--timeout", "20", *keys["server"]),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    client = subprocess.run(_cli("psi", "--protocol", client_protocol, "--role", "client", "--peer",
                                 f"tcp://127.0.0.1:{port}", "--input", b, "--key", "key", "--output",
                                 str(tmp_path / "b_out.csv"), "--timeout", "20", "--json", *keys["client"]),
                            capture_output=True, timeout=60, cwd=tmp_path)
    _, server_err = server.communicate(timeout=60)
    if server_protocol == client_protocol:
        assert client.returncode == 0 and server.returncode == 0, client.stderr.decode() + server_err.decode()
        assert json.loads(client.stdout)["intersection_size"] == 20
        assert [r[0] for r in read_rows(tmp_path / "a_out.csv")[1:]] == [r[0] for r in read_rows(tmp_path / "b_out.csv")[1:]]
    else:
        assert client.returncode != 0 and server.returncode != 0
        for err in (client.stderr.decode(), server_err.decode()):
            assert "protocol mismatch" in err and "--protocol" in err, err
        assert not (tmp_path / "a_out.csv").exists() and not (tmp_path / "b_out.csv").exists()
