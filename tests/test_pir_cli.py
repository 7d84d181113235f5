"""`mpc pir serve` / `mpc pir query` (spec: protocols/pir.md, "Files and service (CLI)").

One serving process answers clients one after another over real ZeroMQ: a good client, a client
sending malformed messages (reported, the next client is still served), another good client, then
SIGTERM stops it cleanly.  CURVE with keys from --config, or from --key-file and --peer-public-key
(a wrong key fails on both sides); plain TCP only with --insecure.  FOUND files have one row per
query row, in the query file's --encoding and --delimiter (GBK, latin-1, ';', tab); input defects
(a wrong encoding among them) name file and line; outputs are never replaced without --force.  A
client with another --normalize than the server's fails at once naming both modes, and the server
serves the next client.
"""
from __future__ import annotations

import csv
import json
import re
import signal
import socket
import subprocess
import sys

import pytest

from mpc.cli import main
from mpc.errors import MpcError
from mpc.pir import messages as msg
from mpc.runtime import pair_session

MPC = [sys.executable, "-P", "-m", "mpc.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_csv(path, header, rows, *, bom=False, crlf=False) -> str:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def read_csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


TABLE = [["9131000001", "上海甲公司", "黑名单"], ["9131000002", "Acme GmbH", "ok"],
         [" 9131000003\u3000", "乙", ""], ["", "no key", "x"]]


def start_server(tmp_path, *extra) -> tuple[subprocess.Popen, str]:
    table = write_csv(tmp_path / "table.csv", ["tax_id", "名称", "状态"], TABLE)
    address = f"tcp://127.0.0.1:{free_port()}"
    server = subprocess.Popen(MPC + ["pir", "serve", "--listen", address, "--input", table, "--key", "tax_id",
                                     "--json", "--timeout", "5", *extra], cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    ready = json.loads(server.stdout.readline())
    assert ready["event"] == "ready" and ready["rows"] == 3 and ready["skipped_empty"] == 1
    return server, address


def query(tmp_path, address, name, *extra):
    queries = write_csv(tmp_path / "q.csv", ["tax_id", "备注"],
                        [["9131000002", "a"], ["9131000003", "b"], ["", "c"], ["missing", "d"],
                         ["\u00a09131000001 ", "e"]], bom=True, crlf=True)
    out = tmp_path / name
    code = main(["pir", "query", "--peer", address, "--input", queries, "--key", "tax_id", "--output", str(out),
                 "--timeout", "10", *extra])
    return code, out


def bad_client(address):
    session = pair_session(1, peer=address, timeout=5)
    try:
        ch = session.channel(0)
        ch.send(msg.TAG_CLIENT_HELLO, msg.ClientHello(1, "strip").pack())  # the server's default
        hello = msg.ServerHello.parse(ch.recv(msg.TAG_SERVER_HELLO))
        for _ in msg.batches(hello.geometry.rows, msg.HINT_ROWS_PER_MESSAGE):
            ch.recv(msg.TAG_HINT)
        ch.send(msg.TAG_BATCH, (2).to_bytes(4, "big"))
        ch.send(msg.TAG_BLINDED, b"\x01" * 7)  # not two P-256 elements
        with pytest.raises(MpcError):  # the server says goodbye instead of signing
            ch.recv(msg.TAG_EVALUATED)
    finally:
        session.close(wait=0)  # the server drops it without a goodbye


def test_serves_clients_one_after_another_and_stops_on_sigterm(tmp_path, capsys):
    server, address = start_server(tmp_path, "--insecure")
    try:
        code, out = query(tmp_path, address, "found1.csv", "--insecure", "--json")
        assert code == 0
        summary = json.loads(capsys.readouterr().out)
        assert (summary["rows"], summary["queried"], summary["found"], summary["table_rows"]) == (5, 4, 3, 3)
        rows = read_csv(out)
        assert rows == [["tax_id", "found", "名称", "状态"], ["9131000002", "1", "Acme GmbH", "ok"],
                        ["9131000003", "1", "乙", ""], ["", "0", "", ""], ["missing", "0", "", ""],
                        ["\u00a09131000001 ", "1", "上海甲公司", "黑名单"]]
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # looks like the query file
        bad_client(address)
        capsys.readouterr()
        # Another normalisation than the server's: both hellos carry it, so the client fails at once
        # naming both modes (no silent misses), and the server reports it and serves the next client.
        code, out = query(tmp_path, address, "found2.csv", "--insecure", "--normalize", "none")
        err = capsys.readouterr().err
        assert code == 1 and not out.exists()
        assert "normalisation mismatch" in err and "--normalize none" in err and "--normalize strip" in err
        code, out = query(tmp_path, address, "found3.csv", "--insecure")
        assert code == 0 and [r[1] for r in read_csv(out)[1:]] == ["1", "1", "0", "0", "1"]
        served = [json.loads(server.stdout.readline()) for _ in range(2)]  # clients 1 and 4
        server.send_signal(signal.SIGTERM)
        out_text, err_text = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, err_text
    assert [(e["event"], e["client"], e["queries"]) for e in served] == [("client", 1, 4), ("client", 4, 4)]
    assert [json.loads(line) for line in out_text.splitlines()] == [{"event": "stopped", "served": 2, "failed": 2}]
    assert "client 2: ProtocolError" in err_text
    mismatch = err_text.split("client 3:")[1].splitlines()[0]
    assert "ProtocolError" in mismatch and "--normalize strip" in mismatch and "--normalize none" in mismatch


def test_curve_with_config(tmp_path, capsys):
    for name in ("server", "client"):
        assert main(["keygen", name, "--dir", str(tmp_path)]) == 0
    port = free_port()
    (tmp_path / "parties.toml").write_text(
        f'[[party]]\nname = "server"\naddress = "tcp://127.0.0.1:{port}"\npublic_key_file = "server.pub"\n'
        '[[party]]\nname = "client"\npublic_key_file = "client.pub"\n', encoding="utf-8")
    config = str(tmp_path / "parties.toml")
    server, address = start_server(tmp_path, "--config", config, "--max-clients", "1")
    try:
        code, out = query(tmp_path, address, "found.csv", "--config", config)
        out_text, err_text = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
    assert code == 0 and server.returncode == 0, err_text
    assert [r[1] for r in read_csv(out)[1:]] == ["1", "1", "0", "0", "1"]
    assert json.loads(out_text.splitlines()[-1]) == {"event": "stopped", "served": 1, "failed": 0}


def test_curve_with_key_files_and_a_wrong_key(tmp_path, capsys):
    """Without a config: the server prints a fresh key once and serves clients with `mpc keygen` keys;
    a client with a wrong server key fails, and so does the server (--max-clients 1, exit 1)."""
    for name in ("bank", "mallory"):
        assert main(["keygen", name, "--dir", str(tmp_path / "keys")]) == 0
    client_keys = ["--key-file", str(tmp_path / "keys" / "bank.key")]

    table = write_csv(tmp_path / "table.csv", ["tax_id", "名称", "状态"], TABLE)
    address = f"tcp://127.0.0.1:{free_port()}"
    server = subprocess.Popen(MPC + ["pir", "serve", "--listen", address, "--input", table, "--key", "tax_id",
                                     "--json", "--timeout", "5", "--max-clients", "3",
                                     "--peer-public-key", str(tmp_path / "keys" / "bank.pub")],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()
        assert "--peer-public-key" in line, line
        server_key = re.search(r"--peer-public-key='([^']+)'", line).group(1)
        for name in ("found1.csv", "found2.csv"):  # the key printed once serves every client
            code, out = query(tmp_path, address, name, *client_keys, "--peer-public-key", server_key)
            assert code == 0, capsys.readouterr().err
            assert [r[1] for r in read_csv(out)[1:]] == ["1", "1", "0", "0", "1"]
        capsys.readouterr()
        code, out = query(tmp_path, address, "found3.csv", *client_keys,
                          "--peer-public-key", str(tmp_path / "keys" / "mallory.pub"), "--timeout", "5")
        assert code == 1 and "key" in capsys.readouterr().err and not out.exists()
        out_text, err_text = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 1, err_text
    assert json.loads(out_text.splitlines()[-1]) == {"event": "stopped", "served": 2, "failed": 1}
    assert "client 3: AuthenticationError" in err_text and "key" in err_text.split("client 3:")[1]


def test_input_errors_name_file_and_line(tmp_path, capsys):
    table = write_csv(tmp_path / "t.csv", ["id", "v"], [["a", "1"], ["b", "2"], [" a", "3"]])
    address = f"tcp://127.0.0.1:{free_port()}"
    assert main(["pir", "serve", "--listen", address, "--input", table, "--key", "id", "--insecure"]) == 1
    err = capsys.readouterr().err
    assert "t.csv:4:" in err and "line 2" in err
    assert main(["pir", "serve", "--listen", address, "--input", table, "--key", "nope", "--insecure"]) == 1
    err = capsys.readouterr().err
    assert "t.csv:1:" in err and "'nope'" in err
    assert main(["pir", "serve", "--listen", address, "--input", table, "--key", "id"]) == 1
    assert "--insecure" in capsys.readouterr().err
    queries = write_csv(tmp_path / "q.csv", ["id"], [["a"]])
    (tmp_path / "out.csv").write_text("keep me", encoding="utf-8")
    assert main(["pir", "query", "--peer", address, "--input", queries, "--key", "id", "--output",
                 str(tmp_path / "out.csv"), "--insecure"]) == 1
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == "keep me"
    for output, needle in ((tmp_path, "--output is a directory"), (queries, "--output is the input file"),
                           (tmp_path / "nowhere" / "o.csv", "does not exist")):
        assert main(["pir", "query", "--peer", address, "--input", queries, "--key", "id", "--output",
                     str(output), "--force", "--insecure"]) == 1   # refused before any connection
        assert needle in capsys.readouterr().err
    assert (tmp_path / "q.csv").read_text(encoding="utf-8").splitlines() == ["id", "a"]
    huge = write_csv(tmp_path / "huge.csv", ["id", "v"], [["a", "x" * 300_000]])
    assert main(["pir", "serve", "--listen", address, "--input", huge, "--key", "id", "--insecure"]) == 1
    assert "huge.csv" in capsys.readouterr().err  # an entry of 300 kB exceeds the matrix's 2^20 rows
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id\nok\n\xff\xfe\n")
    assert main(["pir", "query", "--peer", address, "--input", str(bad), "--key", "id", "--output",
                 str(tmp_path / "o.csv"), "--insecure", "--timeout", "1"]) == 1  # 1 s trying to tell a server
    err = capsys.readouterr().err
    assert "bad.csv:3:" in err and not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("argv", [["pir", "serve", "--help"], ["pir", "query", "--help"]])
def test_help(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0 and "--insecure" in capsys.readouterr().out


def write_encoded(path, rows, encoding, delimiter) -> str:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return str(path)


def read_encoded(path, encoding, delimiter) -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


def test_encodings_and_delimiters(tmp_path, capsys):
    """A GBK table with ';' served to a GBK ';' client and a latin-1 tab client (FOUND written like
    each query file); a server value latin-1 cannot hold is an error naming FOUND's line and column."""
    table = write_encoded(tmp_path / "table.csv", [["tax_id", "Name", "Status"], ["9131000001", "上海甲公司", "黑名单"],
                                                   ["Ａ1", "Acme; Ltd", "ok"], ["Müller", "Müller GmbH", "ok"]],
                          "gbk", ";")
    address = f"tcp://127.0.0.1:{free_port()}"
    server = subprocess.Popen(MPC + ["pir", "serve", "--listen", address, "--input", table, "--key", "tax_id",
                                     "--encoding", "gbk", "--delimiter", ";", "--normalize", "nfkc", "--json",
                                     "--timeout", "5", "--insecure", "--max-clients", "3"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = json.loads(server.stdout.readline())
        assert ready["rows"] == 3 and ready["normalize"] == "nfkc"

        def ask(name, rows, encoding, delimiter, flag):
            queries = write_encoded(tmp_path / f"{name}.in.csv", rows, encoding, delimiter)
            out = tmp_path / f"{name}.csv"
            code = main(["pir", "query", "--peer", address, "--input", queries, "--key", "tax_id", "--output",
                         str(out), "--encoding", encoding, "--delimiter", flag, "--normalize", "nfkc",
                         "--insecure", "--timeout", "10"])
            return code, out
        gbk_rows = [["备注", "tax_id"], ["甲", "A1"], ["乙", "9131000001"], ["丙", "缺"], ["丁", "Müller"]]
        code, out = ask("gbk", gbk_rows, "gbk", ";", ";")
        assert code == 0, capsys.readouterr().err
        raw = out.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and "黑名单".encode("gbk") in raw
        assert read_encoded(out, "gbk", ";") == [["tax_id", "found", "Name", "Status"], ["A1", "1", "Acme; Ltd", "ok"],
                                                ["9131000001", "1", "上海甲公司", "黑名单"], ["缺", "0", "", ""],
                                                ["Müller", "1", "Müller GmbH", "ok"]]
        latin = [["tax_id", "note"], ["Müller", "ä"], ["A1", "b"], ["nobody", "c"]]
        code, out = ask("latin", latin, "latin-1", "\t", "tab")
        assert code == 0, capsys.readouterr().err
        assert read_encoded(out, "latin-1", "\t") == [["tax_id", "found", "Name", "Status"],
                                                     ["Müller", "1", "Müller GmbH", "ok"],
                                                     ["A1", "1", "Acme; Ltd", "ok"], ["nobody", "0", "", ""]]
        capsys.readouterr()
        code, out = ask("unencodable", [["tax_id"], ["A1"], ["9131000001"]], "latin-1", ";", ";")
        err = capsys.readouterr().err
        assert code == 1 and not out.exists()
        assert "unencodable.csv:3:" in err and "'Name'" in err and "iso8859-1" in err  # the codec's name for latin-1
        out_text, err_text = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, err_text
    assert json.loads(out_text.splitlines()[-1]) == {"event": "stopped", "served": 3, "failed": 0}


def test_wrong_encoding_or_delimiter_names_file_and_line(tmp_path, capsys):
    gbk = write_encoded(tmp_path / "gbk.csv", [["id", "v"], ["a", "ok"], ["b", "上海"]], "gbk", ",")
    address = f"tcp://127.0.0.1:{free_port()}"
    serve = ["pir", "serve", "--listen", address, "--key", "id", "--insecure", "--input"]
    assert main(serve + [gbk]) == 1  # read as UTF-8: line 3 is not UTF-8
    err = capsys.readouterr().err
    assert "gbk.csv:3:" in err and "--encoding gbk" in err
    assert main(serve + [gbk, "--encoding", "ascii"]) == 1
    err = capsys.readouterr().err
    assert "gbk.csv:3:" in err and "ascii" in err
    semicolons = write_encoded(tmp_path / "semi.csv", [["id", "v"], ["a", "1"]], "utf-8", ";")
    assert main(serve + [semicolons]) == 1
    err = capsys.readouterr().err
    assert "semi.csv:1:" in err and "--delimiter ';'" in err
    assert main(serve + [semicolons, "--encoding", "klingon"]) == 1
    assert "--encoding 'klingon'" in capsys.readouterr().err
    assert main(serve + [semicolons, "--delimiter", ";;"]) == 1
    assert "--delimiter ';;'" in capsys.readouterr().err
    query = ["pir", "query", "--peer", address, "--key", "id", "--output", str(tmp_path / "o.csv"), "--insecure",
             "--timeout", "1", "--input"]  # 1 s trying to tell a server that is not there
    assert main(query + [gbk, "--encoding", "utf-8"]) == 1
    err = capsys.readouterr().err
    assert "gbk.csv:3:" in err and "--encoding gbk" in err and not (tmp_path / "o.csv").exists()
