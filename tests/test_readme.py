"""The top-level README's examples run as written: the Python snippets, the two-host `mpc run` flow
(keygen, parties.toml, one process per party over CURVE) and the PSI shell commands."""
import contextlib
import csv
import io
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import mpc

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
PYTHON = re.findall(r"```python\n(.*?)```", README, flags=re.S)
TOML = re.findall(r"```toml\n(.*?)```", README, flags=re.S)
SHELL = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
MPC = [sys.executable, "-P", "-m", "mpc.cli"]


def _printed(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    return out.getvalue().strip()


def _commented_result(code: str) -> str:
    return re.search(r"print\(.*\)\s+# (.*)", code).group(1).strip()


@pytest.mark.parametrize("index", [i for i, block in enumerate(PYTHON) if "run_local" in block])
def test_python_example_prints_what_its_comment_says(index):
    assert _printed(PYTHON[index]) == _commented_result(PYTHON[index])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _shell_lines(block: str) -> list[str]:
    text = re.sub(r"\\\n\s*", "", block)           # join continued lines
    return [line.split("  #")[0].strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_two_host_example_with_keys_and_config(tmp_path):
    keygen = next(b for b in SHELL if "mpc keygen" in b)
    for line in _shell_lines(keygen):
        subprocess.run(MPC + line.split()[1:], cwd=tmp_path, check=True, capture_output=True)
    assert (tmp_path / "bank.key").stat().st_mode & 0o077 == 0
    config = TOML[0].replace("tcp://10.0.0.1:7100", f"tcp://127.0.0.1:{_free_port()}")
    (tmp_path / "parties.toml").write_text(config, encoding="utf-8")
    job = next(b for b in PYTHON if "def main(session)" in b)
    (tmp_path / "job.py").write_text(job, encoding="utf-8")
    runs = [line for line in _shell_lines(next(b for b in SHELL if "mpc run" in b))]
    assert len(runs) == 2
    procs = [subprocess.Popen(MPC + line.split()[1:], cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for line in runs]
    outputs = [p.communicate(timeout=60) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
        assert out.strip() == "560"


def test_psi_shell_example(tmp_path):
    block = next(b for b in SHELL if "psi-gen" in b)
    for line in _shell_lines(block):
        done = subprocess.run(MPC + line.split()[1:], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    with open(tmp_path / "bank_common.csv", encoding="utf-8-sig", newline="") as f:
        bank = list(csv.DictReader(f))
    with open(tmp_path / "invoices_common.csv", encoding="utf-8-sig", newline="") as f:
        invoices = list(csv.DictReader(f))
    assert len(bank) == 250
    # both outputs list the common ids in the same order (duplicates repeat their id)
    assert [r["tax_id"] for r in bank] == list(dict.fromkeys(r["纳税人识别号"] for r in invoices))


def test_every_documented_command_exists():
    from mpc.cli import build_parser
    commands = set(build_parser()._subparsers._group_actions[0].choices)
    documented = set(re.findall(r"^\| `mpc ([a-z-]+)", README, flags=re.M))
    assert documented and documented <= commands
    assert mpc.__version__


def test_vertical_lr_shell_example(tmp_path):
    """The founding case as written: generated files -> mpc psi -> mpc lr train -> mpc lr predict."""
    pytest.importorskip("sklearn")
    from sklearn.metrics import roc_auc_score
    block = next(b for b in SHELL if "mpc lr-gen" in b)
    for line in _shell_lines(block):
        done = subprocess.run(MPC + line.split()[1:], cwd=tmp_path, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, (line, done.stderr)
    with open(tmp_path / "bank_common.csv", encoding="utf-8-sig", newline="") as f:
        labels = {row["tax_id"]: int(row["defaulted"]) for row in csv.DictReader(f)}
    with open(tmp_path / "scores.csv", encoding="utf-8", newline="") as f:
        scores = list(csv.DictReader(f))
    assert len(scores) == len(labels) == 800
    auc = roc_auc_score([labels[r["tax_id"]] for r in scores], [float(r["score"]) for r in scores])
    assert auc > 0.8
    import json
    assert json.loads((tmp_path / "invoices_model.json").read_text())["peer"]["intercept"] is not None
