"""Writing a party's matching rows atomically (spec: protocols/psi-rsa.md, "Output file").

For the CLI.  The rows go to a temporary file in the destination's directory, are fsynced, and
replace the destination in one `os.replace`; on any failure the temporary file is removed, so a
failed run never leaves an output file (a file that existed before is left untouched).
"""
from __future__ import annotations

import csv
import os
import tempfile
from contextlib import contextmanager

import numpy as np

from mpc.errors import InputError
from mpc.psi.csv_input import KeyTable, iter_rows


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_text_file(path: str, *, bom: bool = False):
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot create the output file: {exc.strerror}", path) from exc
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; a normal file is wanted
        with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def write_matching_rows(table: KeyTable, ordered_rows: np.ndarray, path: str) -> int:
    """Write the header and the data rows `ordered_rows` (in that order) of `table`'s file to `path`.

    Reads the input a second time so that only the matching rows are held in memory."""
    rank = np.full(table.total_rows, -1, dtype=np.int64)
    rank[ordered_rows] = np.arange(ordered_rows.size, dtype=np.int64)
    picked: list = [None] * ordered_rows.size
    rows = iter_rows(table.path)
    next(rows)
    for _line, index, row in rows:
        if index < rank.size and rank[index] >= 0:
            picked[rank[index]] = row
    if any(r is None for r in picked):
        raise InputError("the file changed while PSI ran", table.path)
    with atomic_text_file(path, bom=table.has_bom) as f:
        writer = csv.writer(f, lineterminator=table.line_ending)
        writer.writerow(table.header)
        writer.writerows(picked)
    return len(picked)
