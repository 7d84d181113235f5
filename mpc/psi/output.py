"""Writing a party's matching rows atomically (spec: protocols/psi-rsa.md, "Output file").

For the CLI (`mpc psi`, `mpc psi-gen`).  `check_output_path` runs before any network step: the
output's folder exists and is writable, the output is not a directory, not an input file, not the
other party's output, and does not exist unless overwriting was asked for (`--force`).  The rows
go to a temporary file in the destination's directory, are fsynced, and take the destination's
name in one step: `os.link` (fails if a file appeared meanwhile) or, with overwrite, `os.replace`;
on any failure the temporary file is removed, so a failed run never leaves an output file (a file
that existed before is left untouched).
"""
from __future__ import annotations

import csv
import errno
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


def check_output_path(path: str, *, inputs=(), others=(), force: bool = False, flag: str = "--output") -> None:
    """Refuse an output that cannot be written or would destroy a file; `InputError` names it."""
    if os.path.isdir(path):
        raise InputError(f"{flag} is a directory: give a file name", path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise InputError(f"{flag}: the folder {directory} does not exist", path)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(f"{flag}: the folder {directory} is not writable", path)
    real = os.path.realpath(path)
    for other in inputs:
        if other and (os.path.realpath(other) == real
                      or (os.path.exists(path) and os.path.exists(other) and os.path.samefile(path, other))):
            raise InputError(f"{flag} is the input file {other}: the output must be another file", path)
    for other in others:
        if other and os.path.realpath(other) == real:
            raise InputError(f"{flag} is also the other party's output: give each party its own file", path)
    if os.path.lexists(path) and not force:
        raise InputError(f"{flag} exists: pass --force to overwrite it, or choose another name", path)


def _publish(temporary: str, path: str, overwrite: bool) -> None:
    if overwrite:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)  # atomic and never replaces a file that appeared meanwhile
    except FileExistsError:
        raise InputError("appeared while this run worked and was not overwritten (pass --force)", path) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if os.path.lexists(path):  # a file system without hard links: check, then rename
            raise InputError("appeared while this run worked and was not overwritten (pass --force)",
                             path) from None
        os.replace(temporary, path)
        return
    os.unlink(temporary)


@contextmanager
def atomic_text_file(path: str, *, bom: bool = False, encoding: str = "utf-8", overwrite: bool = True):
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot create the output file: {exc.strerror}", path) from exc
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; a normal file is wanted
        text_encoding = ("utf-8-sig" if bom else "utf-8") if encoding == "utf-8" else encoding
        with os.fdopen(fd, "w", encoding=text_encoding, newline="") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        _publish(temporary, path, overwrite)
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


def write_matching_rows(table: KeyTable, ordered_rows: np.ndarray, path: str, *, overwrite: bool = False) -> int:
    """Write the header and the data rows `ordered_rows` (in that order) of `table`'s file to `path`,
    as written in the input (encoding, BOM, delimiter, line ending).

    Reads the input a second time so that only the matching rows are held in memory."""
    rank = np.full(table.total_rows, -1, dtype=np.int64)
    rank[ordered_rows] = np.arange(ordered_rows.size, dtype=np.int64)
    picked: list = [None] * ordered_rows.size
    rows = iter_rows(table.path, table.encoding, table.delimiter)
    next(rows)
    for _line, index, row in rows:
        if index < rank.size and rank[index] >= 0:
            picked[rank[index]] = row
    if any(r is None for r in picked):
        raise InputError("the file changed while PSI ran", table.path)
    with atomic_text_file(path, bom=table.has_bom, encoding=table.encoding, overwrite=overwrite) as f:
        writer = csv.writer(f, lineterminator=table.line_ending, delimiter=table.delimiter)
        writer.writerow(table.header)
        writer.writerows(picked)
    return len(picked)
