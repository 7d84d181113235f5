"""`mpc lr train` / `mpc lr predict`: both roles locally and as two processes over TCP (plain, and
CurveZMQ from `mpc keygen` key files: a wrong key fails on both sides), and the bad inputs of
issue 13 (different row counts, misaligned ids, a non-numeric feature, a missing label column,
labels not in {0, 1}, a model file of the other role): a clear error naming the file (and line),
exit != 0, no model or score file written."""
import csv
import json
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from mpc.cli import main  # noqa: E402

GUEST = ",".join(f"f{i}" for i in range(10))
HOST = ",".join(f"f{i}" for i in range(10, 30))
FAST = ["--epochs", "3", "--batch-size", "128", "--learning-rate", "0.3"]


def _write(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture()
def files(tmp_path):
    data = load_breast_cancer()
    X, y = data.data[:300], data.target[:300]
    names = [f"f{i}" for i in range(30)]
    _write(tmp_path / "guest.csv", ["id", "label"] + names[:10],
           [[f"c{i}", int(y[i])] + list(X[i, :10]) for i in range(len(y))])
    _write(tmp_path / "host.csv", ["id"] + names[10:], [[f"c{i}"] + list(X[i, 10:]) for i in range(len(y))])
    return tmp_path, y


def _train(tmp, guest="guest.csv", host="host.csv", extra=()):
    return main(["lr", "train", "--local", "--input", str(tmp / guest), "--features", GUEST, "--label", "label",
                 "--model", str(tmp / "g.json"), "--peer-input", str(tmp / host), "--peer-features", HOST,
                 "--peer-model", str(tmp / "h.json"), "--timeout", "60", *FAST, *extra])


def test_local_train_and_predict(files, capsys):
    tmp, y = files
    assert _train(tmp, extra=["--id", "id", "--json", "--reveal-model"]) == 0
    summaries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [s["role"] for s in summaries] == ["guest", "host"]
    guest = json.loads((tmp / "g.json").read_text())
    host = json.loads((tmp / "h.json").read_text())
    assert guest["role"] == "guest" and len(guest["weights"]) == 10 and guest["peer"]["role"] == "host"
    assert host["role"] == "host" and host["intercept"] is None and len(host["peer"]["weights"]) == 10
    assert main(["lr", "predict", "--local", "--input", str(tmp / "guest.csv"), "--model", str(tmp / "g.json"),
                 "--peer-input", str(tmp / "host.csv"), "--peer-model", str(tmp / "h.json"), "--id", "id",
                 "--output", str(tmp / "scores.csv")]) == 0
    with open(tmp / "scores.csv") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["id", "score"] and rows[1][0] == "c0" and len(rows) == len(y) + 1
    assert roc_auc_score(y, [float(r[1]) for r in rows[1:]]) > 0.97


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_over_tcp(files):
    tmp, _ = files
    address = f"tcp://127.0.0.1:{_free_port()}"
    command = [sys.executable, "-P", "-m", "mpc.cli", "lr", "train", "--insecure", "--timeout", "60", *FAST]
    guest = subprocess.Popen(command + ["--role", "guest", "--listen", address, "--input", str(tmp / "guest.csv"),
                                        "--features", GUEST, "--label", "label", "--model", str(tmp / "g.json")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    host = subprocess.run(command + ["--role", "host", "--peer", address, "--input", str(tmp / "host.csv"),
                                     "--features", HOST, "--model", str(tmp / "h.json")],
                          capture_output=True, text=True, timeout=120)
    out, err = guest.communicate(timeout=120)
    assert guest.returncode == 0 and host.returncode == 0, (err, host.stderr)
    assert json.loads((tmp / "h.json").read_text())["role"] == "host"


def test_two_processes_with_key_files_and_a_wrong_key(files):
    """CurveZMQ without a config: keys from `mpc keygen`; a wrong peer key fails on both sides."""
    tmp, _ = files
    for name in ("bank", "invoices", "mallory"):
        assert main(["keygen", name, "--dir", str(tmp / "keys")]) == 0
    keys = {name: (str(tmp / "keys" / f"{name}.key"), str(tmp / "keys" / f"{name}.pub"))
            for name in ("bank", "invoices", "mallory")}
    command = [sys.executable, "-P", "-m", "mpc.cli", "lr", "train", *FAST]

    def run(host_peer_key, timeout):
        address = f"tcp://127.0.0.1:{_free_port()}"
        for name in ("g.json", "h.json"):
            (tmp / name).unlink(missing_ok=True)
        guest = subprocess.Popen(command + ["--role", "guest", "--listen", address, "--input", str(tmp / "guest.csv"),
                                            "--features", GUEST, "--label", "label", "--model", str(tmp / "g.json"),
                                            "--key-file", keys["bank"][0], "--peer-public-key", keys["invoices"][1],
                                            "--timeout", timeout],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        host = subprocess.run(command + ["--role", "host", "--peer", address, "--input", str(tmp / "host.csv"),
                                         "--features", HOST, "--model", str(tmp / "h.json"), "--timeout", timeout,
                                         "--key-file", keys["invoices"][0], "--peer-public-key", host_peer_key],
                              capture_output=True, text=True, timeout=120)
        _, err = guest.communicate(timeout=120)
        return guest.returncode, err, host.returncode, host.stderr

    guest_code, guest_err, host_code, host_err = run(keys["bank"][1], "60")
    assert guest_code == 0 and host_code == 0, (guest_err, host_err)
    assert json.loads((tmp / "h.json").read_text())["role"] == "host"
    guest_code, guest_err, host_code, host_err = run(keys["mallory"][1], "5")
    assert guest_code == 1 and host_code == 1, (guest_err, host_err)
    assert "key" in guest_err and "key" in host_err, (guest_err, host_err)
    _no_outputs(tmp)


def test_host_with_a_bad_file_stops_the_guest_promptly(files):
    tmp, _ = files
    (tmp / "bad.csv").write_text("id," + HOST + "\nc0," + ",".join(["1"] * 20) + "\nc1,x\n")
    address = f"tcp://127.0.0.1:{_free_port()}"
    command = [sys.executable, "-P", "-m", "mpc.cli", "lr", "train", "--insecure", "--timeout", "120", *FAST]
    started = time.monotonic()
    guest = subprocess.Popen(command + ["--role", "guest", "--listen", address, "--input", str(tmp / "guest.csv"),
                                        "--features", GUEST, "--label", "label", "--model", str(tmp / "g.json")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    host = subprocess.run(command + ["--role", "host", "--peer", address, "--input", str(tmp / "bad.csv"),
                                     "--features", HOST, "--model", str(tmp / "h.json")],
                          capture_output=True, text=True, timeout=60)
    _, err = guest.communicate(timeout=60)
    assert time.monotonic() - started < 30  # not the guest's 120 s timeout
    assert host.returncode == 1 and f"{tmp / 'bad.csv'}:3" in host.stderr, host.stderr
    assert guest.returncode == 1 and "the host stopped: its input file is not usable (line 3" in err, err
    _no_outputs(tmp)


def test_without_keys_or_insecure_is_refused(files, capsys):
    tmp, _ = files
    code = main(["lr", "train", "--role", "host", "--peer", "tcp://127.0.0.1:9", "--input", str(tmp / "host.csv"),
                 "--features", HOST, "--model", str(tmp / "h.json")])
    _fails(capsys, code, "--peer-public-key", "--insecure")
    code = main(["lr", "train", "--role", "host", "--peer", "127.0.0.1:9", "--insecure", "--input",
                 str(tmp / "host.csv"), "--features", HOST, "--model", str(tmp / "h.json")])
    _fails(capsys, code, "tcp://HOST:PORT")


def _fails(capsys, code, *needles):
    assert code != 0
    err = capsys.readouterr().err
    for needle in needles:
        assert needle in err, err
    return err


def _no_outputs(tmp):
    assert not (tmp / "g.json").exists() and not (tmp / "h.json").exists() and not (tmp / "scores.csv").exists()


def test_different_row_counts(files, capsys):
    tmp, _ = files
    lines = (tmp / "host.csv").read_text().splitlines()
    (tmp / "short.csv").write_text("\n".join(lines[:-1]) + "\n")
    _fails(capsys, _train(tmp, host="short.csv"), "row counts differ")
    _no_outputs(tmp)


def test_misaligned_ids(files, capsys):
    tmp, _ = files
    lines = (tmp / "host.csv").read_text().splitlines()
    lines[1], lines[2] = lines[2], lines[1]
    (tmp / "swapped.csv").write_text("\n".join(lines) + "\n")
    _fails(capsys, _train(tmp, host="swapped.csv", extra=["--id", "id"]), "not aligned")
    _no_outputs(tmp)


def test_non_numeric_feature(files, capsys):
    tmp, _ = files
    lines = (tmp / "guest.csv").read_text().splitlines()
    fields = lines[5].split(",")
    fields[3] = "n/a"
    lines[5] = ",".join(fields)
    (tmp / "bad.csv").write_text("\n".join(lines) + "\n")
    _fails(capsys, _train(tmp, guest="bad.csv"), "bad.csv:6:", "'f1'", "not a number")
    _no_outputs(tmp)


def test_missing_label_column(files, capsys):
    tmp, _ = files
    code = main(["lr", "train", "--local", "--input", str(tmp / "guest.csv"), "--features", GUEST, "--label", "target",
                 "--model", str(tmp / "g.json"), "--peer-input", str(tmp / "host.csv"), "--peer-features", HOST,
                 "--peer-model", str(tmp / "h.json")])
    _fails(capsys, code, "guest.csv:1:", "no column 'target'")
    _no_outputs(tmp)


def test_labels_not_zero_or_one(files, capsys):
    tmp, _ = files
    lines = (tmp / "guest.csv").read_text().splitlines()
    fields = lines[10].split(",")
    fields[1] = "2"
    lines[10] = ",".join(fields)
    (tmp / "labels.csv").write_text("\n".join(lines) + "\n")
    _fails(capsys, _train(tmp, guest="labels.csv"), "labels.csv:11:", "must be 0 or 1")
    _no_outputs(tmp)


def test_model_file_of_the_other_role(files, capsys):
    tmp, _ = files
    assert _train(tmp) == 0
    capsys.readouterr()
    code = main(["lr", "predict", "--local", "--input", str(tmp / "guest.csv"), "--model", str(tmp / "h.json"),
                 "--peer-input", str(tmp / "host.csv"), "--peer-model", str(tmp / "g.json"),
                 "--output", str(tmp / "scores.csv")])
    _fails(capsys, code, "h.json", "host's model file")
    assert not (tmp / "scores.csv").exists()


def test_existing_model_is_not_overwritten(files, capsys):
    tmp, _ = files
    (tmp / "g.json").write_text("keep")
    _fails(capsys, _train(tmp), "g.json", "exists already")
    assert (tmp / "g.json").read_text() == "keep" and not (tmp / "h.json").exists()


def test_model_that_is_a_directory_or_an_input_is_refused_before_training(files, capsys):
    tmp, _ = files
    (tmp / "models").mkdir()
    code = main(["lr", "train", "--local", "--input", str(tmp / "guest.csv"), "--features", GUEST, "--label", "label",
                 "--model", str(tmp / "models"), "--peer-input", str(tmp / "host.csv"), "--peer-features", HOST,
                 "--peer-model", str(tmp / "h.json"), "--force", *FAST])
    _fails(capsys, code, "--model is a directory")
    before = (tmp / "host.csv").read_text()
    code = main(["lr", "train", "--local", "--input", str(tmp / "guest.csv"), "--features", GUEST, "--label", "label",
                 "--model", str(tmp / "g.json"), "--peer-input", str(tmp / "host.csv"), "--peer-features", HOST,
                 "--peer-model", str(tmp / "host.csv"), "--force", *FAST])
    _fails(capsys, code, "--peer-model is the input file")
    assert (tmp / "host.csv").read_text() == before and not (tmp / "g.json").exists()
