"""Reading the feature, label and id columns of a CSV file for `mpc lr`, and writing the scores.

For the CLI (spec: protocols/lr-vertical.md, "Files").  Same CSV rules as mpc psi (header row,
UTF-8 with or without BOM, RFC 4180 quoting; mpc.psi.csv_input.iter_rows).  Every feature must be
a finite decimal number and every label 0 or 1; anything else is an InputError naming file, line
and column.  The score file is written atomically beside its destination.
"""
from __future__ import annotations

import csv
import math
import os
import tempfile
from dataclasses import dataclass

import numpy as np

from mpc.errors import InputError
from mpc.psi.csv_input import iter_rows


@dataclass
class LrTable:
    path: str
    features: list[str]
    x: np.ndarray
    labels: np.ndarray | None
    ids: list[str] | None
    id_column: str | None


def parse_columns(spec: str, flag: str) -> list[str]:
    columns = next(csv.reader([spec])) if spec else []
    if not columns or any(c == "" for c in columns):
        raise InputError(f"{flag} {spec!r}: give one or more column names separated by commas")
    if len(set(columns)) != len(columns):
        raise InputError(f"{flag} {spec!r} names a column twice")
    return columns


def _where(header: list[str], column: str, path: str, flag: str) -> int:
    if column not in header:
        raise InputError(f"no column {column!r} ({flag}); the columns are: {', '.join(map(repr, header))}", path, 1)
    if header.count(column) > 1:
        raise InputError(f"column {column!r} appears more than once in the header", path, 1)
    return header.index(column)


def read_table(path: str, features: list[str], label: str | None = None, id_column: str | None = None) -> LrTable:
    rows = iter_rows(path)
    _line, header = next(rows)
    feature_at = [_where(header, c, path, "--features") for c in features]
    label_at = _where(header, label, path, "--label") if label is not None else None
    id_at = _where(header, id_column, path, "--id") if id_column is not None else None
    values, labels, ids = [], [], []
    for line, _index, row in rows:
        parsed = []
        for column, at in zip(features, feature_at):
            text = row[at].strip()
            try:
                value = float(text)
            except ValueError:
                raise InputError(f"column {column!r} holds {row[at]!r}, not a number", path, line) from None
            if not math.isfinite(value):
                raise InputError(f"column {column!r} holds {row[at]!r}, not a finite number", path, line)
            parsed.append(value)
        values.append(parsed)
        if label_at is not None:
            text = row[label_at].strip()
            if text not in ("0", "1", "0.0", "1.0"):
                raise InputError(f"label column {label!r} holds {row[label_at]!r}; labels must be 0 or 1", path, line)
            labels.append(int(float(text)))
        if id_at is not None:
            ids.append(row[id_at])
    if not values:
        raise InputError("no data rows", path)
    return LrTable(path, list(features), np.array(values, dtype=np.float64),
                   np.array(labels, dtype=np.int64) if label_at is not None else None,
                   ids if id_at is not None else None, id_column)


def read_header(path: str) -> list[str]:
    rows = iter_rows(path)
    return next(rows)[1]


def write_scores(path: str, table: LrTable, scores: np.ndarray, *, overwrite: bool = False) -> None:
    """The guest's scores: its id column (or the row number) and `score`, in its file's order."""
    if os.path.exists(path) and not overwrite:
        raise InputError("exists already; remove it or pass --force", path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".csv", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow([table.id_column or "row", "score"])
            keys = table.ids if table.ids is not None else range(1, len(scores) + 1)
            for key, score in zip(keys, scores):
                writer.writerow([key, f"{float(score):.10g}"])
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
