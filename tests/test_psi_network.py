"""PSI between real processes over ZeroMQ: `mpc psi` with --listen/--peer, run_local, dying peers.

Spec: protocols/psi-rsa.md.  A peer killed mid-run must make the other side stop with a clear
error within its timeout and leave no output file.
"""
from __future__ import annotations

import csv
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

import mpc.psi as psi
from mpc import runtime
from mpc.errors import MpcError
from mpc.psi import messages as msg



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_ids(path, header: str, ids) -> str:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([header, "payload"])
        for i, x in enumerate(ids):
            w.writerow([x, f"row{i}"])
    return str(path)


def mpc_cmd(*args) -> list[str]:
    return [sys.executable, "-P", "-m", "mpc.cli", *args]


def client_keys(directory) -> tuple[str, str]:
    """(secret key file, public key file) of a client made with `mpc keygen`."""
    subprocess.run(mpc_cmd("keygen", "insurer", "--dir", str(directory)), check=True, capture_output=True)
    return str(directory / "insurer.key"), str(directory / "insurer.pub")


def start_server(tmp_path, port: int, *args) -> tuple[subprocess.Popen, str]:
    """A CURVE server with a fresh keypair (the client's key from client_keys); (process, its public key)."""
    _, client_pub = client_keys(tmp_path / "keys") if not (tmp_path / "keys").exists() else (None, str(tmp_path / "keys" / "insurer.pub"))
    server = subprocess.Popen(mpc_cmd("psi", "--role", "server", "--listen", f"tcp://127.0.0.1:{port}",
                                      "--peer-public-key", client_pub, *args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    line = server.stderr.readline().decode()
    assert "--peer-public-key" in line, line
    return server, re.search(r"--peer-public-key='([^']+)'", line).group(1)


def client_security(tmp_path, server_key: str) -> list[str]:
    return ["--key-file", str(tmp_path / "keys" / "insurer.key"), "--peer-public-key", server_key]


def test_cli_over_tcp_gives_the_intersection(tmp_path):
    port = free_port()
    a = write_ids(tmp_path / "a.csv", "id", [f"x{i}" for i in range(0, 60)])
    b = write_ids(tmp_path / "b.csv", "ident", [f"x{i}" for i in range(40, 100)])
    server, key = start_server(tmp_path, port, "--input", a, "--key", "id", "--output", str(tmp_path / "a_out.csv"),
                               "--timeout", "30")
    client = subprocess.run(mpc_cmd("psi", "--role", "client", "--peer", f"tcp://127.0.0.1:{port}",
                                    "--input", b, "--key", "ident", "--output", str(tmp_path / "b_out.csv"),
                                    "--timeout", "30", "--json", *client_security(tmp_path, key)),
                            capture_output=True, timeout=90, cwd=tmp_path)
    out, err = server.communicate(timeout=60)
    assert client.returncode == 0, client.stderr.decode()
    assert server.returncode == 0, err.decode()
    with open(tmp_path / "a_out.csv", newline="") as f:
        rows_a = list(csv.reader(f))
    with open(tmp_path / "b_out.csv", newline="") as f:
        rows_b = list(csv.reader(f))
    assert sorted(r[0] for r in rows_a[1:]) == sorted(f"x{i}" for i in range(40, 60))
    assert [r[0] for r in rows_a[1:]] == [r[0] for r in rows_b[1:]]


def test_client_killed_mid_run_stops_the_server_without_output(tmp_path):
    port = free_port()
    a = write_ids(tmp_path / "a.csv", "id", [f"s{i}" for i in range(20000)])
    b = write_ids(tmp_path / "b.csv", "id", [f"c{i}" for i in range(20000)])
    out_a = tmp_path / "a_out.csv"
    server, key = start_server(tmp_path, port, "--input", a, "--key", "id", "--output", str(out_a),
                               "--timeout", "4", "--batch-size", "256")
    client = subprocess.Popen(mpc_cmd("psi", "--role", "client", "--peer", f"tcp://127.0.0.1:{port}",
                                      "--input", b, "--key", "id", "--output", str(tmp_path / "b_out.csv"),
                                      "--timeout", "4", *client_security(tmp_path, key)),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    time.sleep(3)  # connected and exchanging batches by now
    client.send_signal(signal.SIGKILL)
    client.wait()
    started = time.monotonic()
    _, err = server.communicate(timeout=60)
    assert server.returncode not in (0, None)
    assert time.monotonic() - started < 4 + 15
    text = err.decode()
    assert "mpc psi: error: the client" in text, text  # sent nothing, left, or no longer connected
    assert "psi-rsa:" not in text  # no internal tags
    assert not out_a.exists() and not (tmp_path / "b_out.csv").exists()
    assert sorted(os.listdir(tmp_path)) == ["a.csv", "b.csv", "keys"]


def _dying_client(session, server_ids):
    if session.me == 0:
        return psi.server(session, server_ids, batch_size=8)
    channel = session.channel(0)
    channel.send(msg.TAG_CLIENT_HELLO, msg.ClientHello("both", 1, 64).pack())
    channel.recv_bytes(msg.TAG_SERVER_HELLO, max_size=4096)
    os._exit(3)  # the process dies without a goodbye


def test_run_local_server_reports_a_dead_client_within_the_timeout():
    started = time.monotonic()
    with pytest.raises(MpcError):
        runtime.run_local(_dying_client, parties=2, args=([f"id{i}" for i in range(64)],), timeout=3)
    assert time.monotonic() - started < 3 + 20


def test_wrong_keys_and_plain_tcp_are_refused_on_both_sides(tmp_path):
    """A client with the wrong server key, and a plain-TCP client, never get a session."""
    a = write_ids(tmp_path / "a.csv", "id", ["x1", "x2"])
    b = write_ids(tmp_path / "b.csv", "id", ["x2"])
    subprocess.run(mpc_cmd("keygen", "mallory", "--dir", str(tmp_path / "other")), check=True,
                           capture_output=True)
    wrong_key = (tmp_path / "other" / "mallory.pub").read_text().split('"')[-2]
    for label, security in (("wrong server key", None), ("plain TCP", ["--insecure"])):
        port = free_port()
        server, key = start_server(tmp_path, port, "--input", a, "--key", "id", "--output",
                                   str(tmp_path / "a_out.csv"), "--timeout", "3", "--force")
        client = subprocess.run(mpc_cmd("psi", "--role", "client", "--peer", f"tcp://127.0.0.1:{port}",
                                        "--input", b, "--key", "id", "--output", str(tmp_path / "b_out.csv"),
                                        "--timeout", "3",
                                        *(security or client_security(tmp_path, wrong_key))),
                                capture_output=True, timeout=60, cwd=tmp_path)
        _, err = server.communicate(timeout=60)
        assert client.returncode == 1 and server.returncode == 1, label
        # Both sides say the key may be wrong (the transport branch names the mismatch precisely).
        assert "key" in client.stderr.decode() and "key" in err.decode(), (label, client.stderr, err)
        assert not (tmp_path / "a_out.csv").exists() and not (tmp_path / "b_out.csv").exists()


def test_client_with_a_bad_row_stops_the_server_promptly(tmp_path):
    port = free_port()
    a = write_ids(tmp_path / "a.csv", "id", [f"s{i}" for i in range(100)])
    bad = tmp_path / "b.csv"
    bad.write_text("id,payload\nc1,ok\nc2,too,many\n")
    out_a = tmp_path / "a_out.csv"
    server, key = start_server(tmp_path, port, "--input", a, "--key", "id", "--output", str(out_a),
                               "--timeout", "120")
    started = time.monotonic()
    client = subprocess.run(mpc_cmd("psi", "--role", "client", "--peer", f"tcp://127.0.0.1:{port}", "--input",
                                    str(bad), "--key", "id", "--output", str(tmp_path / "b_out.csv"),
                                    *client_security(tmp_path, key)), capture_output=True, timeout=60, cwd=tmp_path)
    try:
        _, err = server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        _, err = server.communicate()
        pytest.fail(f"the server did not stop: client said {client.stderr.decode()!r}; server said {err.decode()!r}")
    assert time.monotonic() - started < 15
    assert client.returncode == 1 and f"{bad}:3: row has 3 fields" in client.stderr.decode()
    text = err.decode()
    assert server.returncode == 1 and "the client stopped: its input file is not usable (line 3: row has 3" in text
    assert str(bad) not in text  # the client's path is not told
    assert not out_a.exists() and not (tmp_path / "b_out.csv").exists()


def test_interrupted_client_tells_the_server(tmp_path):
    port = free_port()
    a = write_ids(tmp_path / "a.csv", "id", [f"s{i}" for i in range(6000)])
    b = write_ids(tmp_path / "b.csv", "id", [f"c{i}" for i in range(6000)])
    out_a, out_b = tmp_path / "a_out.csv", tmp_path / "b_out.csv"
    server, key = start_server(tmp_path, port, "--input", a, "--key", "id", "--output", str(out_a),
                               "--timeout", "120", "--batch-size", "64", "--threads", "1")
    client = subprocess.Popen(mpc_cmd("psi", "--role", "client", "--peer", f"tcp://127.0.0.1:{port}",
                                      "--input", b, "--key", "id", "--output", str(out_b), "--threads", "1",
                                      *client_security(tmp_path, key)),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    time.sleep(2.5)  # connected and exchanging batches by now
    client.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, client_err = client.communicate(timeout=60)
    _, err = server.communicate(timeout=60)
    assert time.monotonic() - started < 10
    assert client.returncode == 130 and "interrupted" in client_err.decode()
    assert server.returncode == 1 and "the client stopped: interrupted" in err.decode(), err.decode()
    assert not out_a.exists() and not out_b.exists()
