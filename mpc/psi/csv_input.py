"""Reading the key columns of a CSV file for PSI, and reading its rows back for the output.

For the CLI (`mpc psi`) and users with files (spec: protocols/psi-rsa.md, "Input files").
Rules: a header row is required; UTF-8 with or without BOM (another encoding with `encoding=`,
e.g. "gbk"); LF or CRLF; RFC 4180 quoting with `delimiter` (default ","; ";" for many European
exports).  Key values are normalised as `normalize` says (mpc.psi.ids: "strip" removes Unicode
whitespace around each value, "nfkc" also folds full-width forms, "none" keeps the bytes); the rows
themselves are never changed.  Several key columns are combined by length-prefixed encoding.
Completely blank lines are skipped; rows whose key columns are all empty (after normalisation)
take no part (counted as `skipped_empty`).  A row with the wrong number of fields, undecodable
bytes, a missing key column or an empty file is an `InputError` naming the file and line.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np

from mpc.errors import InputError
from mpc.psi.ids import IdBuilder, PackedIds, check_normalization, encode_column, normalize_value

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
    encoding: str = "utf-8"
    delimiter: str = ","


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


def check_encoding(encoding: str) -> str:
    import codecs
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"--encoding {encoding!r}: not an encoding Python knows (e.g. utf-8, gbk, gb18030, "
                         "cp1252, latin-1)") from None


def check_delimiter(delimiter: str) -> str:
    delimiter = "\t" if delimiter in ("tab", "\\t") else delimiter
    if len(delimiter) != 1 or delimiter in "\r\n\"":
        raise InputError(f"--delimiter {delimiter!r}: give one character, e.g. ';' or tab")
    return delimiter


def _undecodable(encoding: str) -> str:
    if encoding == "utf-8":
        return ("bytes that are not valid UTF-8: save the file as UTF-8 (in Excel: \"CSV UTF-8\") or give "
                "its encoding with --encoding (e.g. --encoding gbk for a Chinese Windows export)")
    return f"bytes that are not valid {encoding} (is --encoding right?)"


def _check_decoded(row: list[str], path: str, line: int, encoding: str = "utf-8") -> None:
    for field in row:
        if not field.isascii():
            try:
                field.encode("utf-8")
            except UnicodeEncodeError:
                raise InputError(_undecodable(encoding), path, line) from None


def iter_rows(path: str, encoding: str = "utf-8", delimiter: str = ","):
    """(line, header) first, then (line, data row index, fields) for every non-blank data row."""
    encoding = check_encoding(encoding)
    try:
        f = open(path, "r", encoding="utf-8-sig" if encoding == "utf-8" else encoding,
                 errors="surrogateescape", newline="")
    except IsADirectoryError as exc:
        raise InputError("is a directory, not a CSV file", path) from exc
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", path) from exc
    with f:
        reader = csv.reader(f, strict=True, delimiter=delimiter)
        try:
            header = next(reader, None)
            if header is None:
                raise InputError("empty file: a header row naming the columns is required", path, 1)
            _check_decoded(header, path, reader.line_num, encoding)
            yield reader.line_num, header
            index = 0
            for row in reader:
                if not row:
                    continue
                if len(row) != len(header):
                    raise InputError(f"row has {len(row)} fields, the header has {len(header)}",
                                     path, reader.line_num)
                _check_decoded(row, path, reader.line_num, encoding)
                yield reader.line_num, index, row
                index += 1
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", path, reader.line_num + 1) from exc
        except UnicodeError as exc:  # only with a strict decoder; kept for safety
            raise InputError(_undecodable(encoding), path, reader.line_num + 1) from exc


def key_positions(path: str, header: list[str], key_columns: list[str], delimiter: str = ",") -> list[int]:
    """Indexes of the key columns in the header row; an InputError naming file and line 1 otherwise."""
    if not header or header == [""]:
        raise InputError("the header row is empty", path, 1)
    missing = [c for c in key_columns if c not in header]
    if missing:
        hint = ""
        if len(header) == 1 and delimiter == "," and ";" in header[0]:
            hint = " (the header has ';' in it: try --delimiter ';')"
        raise InputError(f"no column {missing[0]!r}; the columns are: {', '.join(map(repr, header))}{hint}",
                         path, 1)
    repeated = [c for c in key_columns if header.count(c) > 1]
    if repeated:
        raise InputError(f"column {repeated[0]!r} appears more than once in the header", path, 1)
    return [header.index(c) for c in key_columns]


def open_keyed_rows(path: str, key_columns: list[str], normalize: str, encoding: str, delimiter: str):
    """(encoding, delimiter, header, key column positions, data rows as (line, index, row)) of a
    CSV file keyed by `key_columns`, every option checked first (for mpc.psi and mpc.pir)."""
    check_normalization(normalize)
    encoding, delimiter = check_encoding(encoding), check_delimiter(delimiter)
    rows = iter_rows(path, encoding, delimiter)
    _line, header = next(rows)
    return encoding, delimiter, header, key_positions(path, header, key_columns, delimiter), rows


def read_keys(path: str, key_columns: list[str], *, normalize: str = "none", encoding: str = "utf-8",
              delimiter: str = ",") -> KeyTable:
    encoding, delimiter, header, where, rows = open_keyed_rows(path, key_columns, normalize, encoding, delimiter)
    builder = IdBuilder(len(key_columns), normalize)
    data_rows: list[int] = []
    total = skipped = 0
    for _line, index, row in rows:
        total = index + 1
        values = [normalize_value(row[i], normalize) for i in where]
        if not any(values):
            skipped += 1
            continue
        builder.add(b"".join(encode_column(v) for v in values))
        data_rows.append(index)
    has_bom, line_ending = sniff_style(path)
    return KeyTable(path, header, list(key_columns), builder.build(), np.asarray(data_rows, dtype=np.int64),
                    total, skipped, has_bom and encoding == "utf-8", line_ending, encoding, delimiter)
