"""CSV reading: encoding, delimiter sniffing and chunked parsing into string frames."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pandas as pd

from .encoding import detect_encoding
from .header import MAX_CELL_CHARS, MAX_COLUMN_NAME_CHARS, MAX_COLUMNS, Header
from .issues import ImportFileError, ImportIssue

DELIMITERS = (",", ";", "\t")
SNIFF_LINES = 50
SNIFF_BYTES = 256 * 1024
#: longest line: far beyond any real row (cells hold at most 32,767 characters), so the parser never
#: buffers a huge line; checked in blocks before parsing
MAX_LINE_BYTES = 4 << 20
BLOCK_BYTES = 4 << 20


def check_line_lengths(stream: BinaryIO, filename: str) -> None:
    """ImportFileError naming the first line longer than MAX_LINE_BYTES (read in blocks, nothing kept)."""
    stream.seek(0)
    offset, last_newline, lines = 0, -1, 0
    while block := stream.read(BLOCK_BYTES):
        newlines = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 0x0A) + offset
        ends = np.concatenate((newlines, [offset + len(block)]))
        gaps = ends - np.concatenate(([last_newline], newlines)) - 1
        long = np.flatnonzero(gaps > MAX_LINE_BYTES)
        if len(long):
            raise ImportFileError(ImportIssue(
                filename, None, None, f"line {lines + int(long[0]) + 1:,} is longer than {MAX_LINE_BYTES >> 20} MiB; "
                f"no cell may hold more than {MAX_CELL_CHARS:,} characters"))
        if len(newlines):
            last_newline = int(newlines[-1])
        lines += len(newlines)
        offset += len(block)
    stream.seek(0)


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter among , ; tab that splits the lines most consistently."""
    lines = text.splitlines()[:SNIFF_LINES]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:  # e.g. a field over the csv module's 128 KiB limit: the cell limit reports it later
            continue
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        consistent = sum(1 for row in rows if len(row) == width)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _sample_text(stream: BinaryIO, encoding: str) -> tuple[str, bool]:
    """The decoded start of the file, and whether the file goes on after it."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    more = bool(stream.read(1))
    return head.decode(encoding, errors="ignore"), more


def iter_csv_chunks(stream: BinaryIO, filename: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Yield string frames of at most ``chunk_rows`` rows (index = spreadsheet row)."""
    encoding = detect_encoding(stream, filename)
    sample, more = _sample_text(stream, encoding)
    sample = sample.lstrip("\ufeff")
    if not sample.strip() and not more:
        raise ImportFileError(ImportIssue(filename, None, None, "the file is empty"))
    if more and not any(mark in sample for mark in "\r\n"):
        raise ImportFileError(ImportIssue(
            filename, 1, None, f"the header row is longer than {SNIFF_BYTES // 1024} KiB; a file may have at most "
            f"{MAX_COLUMNS:,} columns with names of up to {MAX_COLUMN_NAME_CHARS} characters"))
    delimiter = sniff_delimiter(sample)
    check_line_lengths(stream, filename)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    reader = pd.read_csv(
        text, sep=delimiter, header=None, dtype=str, keep_default_na=False, na_values=[""],
        skip_blank_lines=False, chunksize=chunk_rows, engine="c", quotechar='"',
    )
    header: Header | None = None
    try:
        for raw in reader:
            first_row = int(raw.index[0]) + 1
            if header is None:
                header = Header.from_cells(list(raw.iloc[0]), filename)
                raw = raw.iloc[1:]
                first_row += 1
            if len(raw):
                yield header.finish_chunk(raw, first_row)
    except pd.errors.EmptyDataError:
        raise ImportFileError(ImportIssue(filename, None, None, "the file is empty")) from None
    except pd.errors.ParserError as error:
        raise ImportFileError(_parser_issue(filename, str(error))) from None
    finally:
        text.detach()


def _parser_issue(filename: str, message: str) -> ImportIssue:
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if fields:
        expected, line, seen = (int(part) for part in fields.groups())
        return ImportIssue(filename, line, None, f"the row has {seen} values but the header has {expected} columns")
    quote = re.search(r"EOF inside string starting at row (\d+)", message)
    if quote:
        return ImportIssue(filename, int(quote.group(1)) + 1, None, "a quoted value is never closed (missing \")")
    return ImportIssue(filename, None, None, f"cannot parse the CSV file: {message.strip()}")
