"""Reading the key columns of a CSV file for PSI, and reading its rows back for the output.

For the CLI (`mpc psi`) and users with files (spec: protocols/psi-rsa.md, "Input files").
Rules: a header row is required; UTF-8 with or without BOM; LF or CRLF; RFC 4180 quoting.
Key values are compared exactly as written (no trimming, no case or Unicode folding); several key
columns are combined by length-prefixed encoding (mpc.psi.ids).  Completely blank lines are
skipped; rows whose key columns are all empty take no part (counted as `skipped_empty`).  A row
with the wrong number of fields, undecodable bytes, a missing key column or an empty file is an
`InputError` naming the file and line.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np

from mpc.errors import InputError
from mpc.psi.ids import IdBuilder, PackedIds, encode_column

BOM = b"\xef\xbb\xbf"


@dataclass
class KeyTable:
    """The key columns of one file.  `data_rows[i]` is the data row (0-based, header and blank lines
    not counted) that identifier i came from."""
    path: str
    header: list[str]
    key_columns: list[str]
    ids: PackedIds
    data_rows: np.ndarray
    total_rows: int
    skipped_empty: int
    has_bom: bool
    line_ending: str


def parse_key_spec(spec: str) -> list[str]:
    """`--key tax_id` or `--key country,tax_id`: the columns in order, none empty or repeated."""
    columns = next(csv.reader([spec])) if spec else []
    if not columns or any(c == "" for c in columns):
        raise InputError(f"--key {spec!r}: give one or more column names separated by commas")
    if len(set(columns)) != len(columns):
        raise InputError(f"--key {spec!r} names a column twice")
    return columns


def sniff_style(path: str) -> tuple[bool, str]:
    """(has BOM, line ending of the header) so the output file can look like the input."""
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    has_bom = head.startswith(BOM)
    newline = head.find(b"\n")
    crlf = newline > 0 and head[newline - 1:newline] == b"\r"
    return has_bom, "\r\n" if crlf else "\n"


def _check_decoded(row: list[str], path: str, line: int) -> None:
    for field in row:
        if not field.isascii():
            try:
                field.encode("utf-8")
            except UnicodeEncodeError:
                raise InputError("bytes that are not valid UTF-8", path, line) from None


def iter_rows(path: str):
    """(line, header) first, then (line, data row index, fields) for every non-blank data row."""
    try:
        f = open(path, "r", encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", path) from exc
    with f:
        reader = csv.reader(f, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise InputError("empty file: a header row naming the columns is required", path, 1)
            _check_decoded(header, path, reader.line_num)
            yield reader.line_num, header
            index = 0
            for row in reader:
                if not row:
                    continue
                if len(row) != len(header):
                    raise InputError(f"row has {len(row)} fields, the header has {len(header)}",
                                     path, reader.line_num)
                _check_decoded(row, path, reader.line_num)
                yield reader.line_num, index, row
                index += 1
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", path, reader.line_num + 1) from exc
        except UnicodeDecodeError as exc:  # only with a strict decoder; kept for safety
            raise InputError("bytes that are not valid UTF-8", path, reader.line_num + 1) from exc


def read_keys(path: str, key_columns: list[str]) -> KeyTable:
    rows = iter_rows(path)
    _line, header = next(rows)
    if not header or header == [""]:
        raise InputError("the header row is empty", path, 1)
    missing = [c for c in key_columns if c not in header]
    if missing:
        raise InputError(f"no column {missing[0]!r}; the columns are: {', '.join(map(repr, header))}", path, 1)
    repeated = [c for c in key_columns if header.count(c) > 1]
    if repeated:
        raise InputError(f"column {repeated[0]!r} appears more than once in the header", path, 1)
    where = [header.index(c) for c in key_columns]
    builder = IdBuilder(len(key_columns))
    data_rows: list[int] = []
    total = skipped = 0
    for _line, index, row in rows:
        total = index + 1
        values = [row[i] for i in where]
        if not any(values):
            skipped += 1
            continue
        builder.add(b"".join(encode_column(v) for v in values))
        data_rows.append(index)
    has_bom, line_ending = sniff_style(path)
    return KeyTable(path, header, list(key_columns), builder.build(), np.asarray(data_rows, dtype=np.int64),
                    total, skipped, has_bom, line_ending)
