"""Checks on an .xlsx workbook before openpyxl reads it, so a hostile file cannot exhaust memory.

An .xlsx is a zip of XML parts. openpyxl streams the worksheet but holds every shared string, the styles
and the workbook parts in memory, and an XML parser holds a whole text node. So, without expanding
anything into memory, vocapp refuses a workbook

- whose parts expand to more than MAX_EXPANDED_BYTES in all, or whose shared strings or any other part
  besides the worksheets expand to more than MAX_SHARED_STRINGS_BYTES / MAX_PART_BYTES;
- with a document type declaration (entity tricks; no spreadsheet program writes one);
- with an XML text longer than LONG_TEXT_BYTES (more than any cell may hold, see MAX_CELL_CHARS): the
  error names the cell, found through the cell reference (``r="H5"``) or the shared string it uses.

Parts are read in blocks of BLOCK_BYTES, so the check itself needs a few MiB whatever the file.
"""
from __future__ import annotations

import re
import zipfile
from typing import BinaryIO

import numpy as np

from .header import MAX_CELL_CHARS
from .issues import ImportFileError, ImportIssue

MAX_EXPANDED_BYTES = 4 << 30
MAX_SHARED_STRINGS_BYTES = 256 << 20
MAX_PART_BYTES = 64 << 20
#: an XML text run this long holds at least 52,428 characters (``&amp;`` is 5 bytes): more than a cell may
LONG_TEXT_BYTES = 256 << 10
BLOCK_BYTES = 4 << 20
SHARED_STRINGS = "xl/sharedStrings.xml"
_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]+)"')
_SHARED_CELL = re.compile(rb'<c\b([^>]*)>\s*<v>([0-9]+)</v>')
_TYPE_S = re.compile(rb'\bt="s"')
_STRING_ITEM = re.compile(rb"<si[\s>]")


def check_workbook(stream: BinaryIO, filename: str) -> None:
    """Raise ImportFileError when the workbook breaks one of the module's limits (no-op otherwise)."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFileError(ImportIssue(filename, None, None, f"not a valid .xlsx workbook ({error})")) from None
    try:
        _check_sizes(archive, filename)
        for info in archive.infolist():
            if info.filename.endswith((".xml", ".rels")):
                _check_part(archive, info, filename)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        raise ImportFileError(ImportIssue(filename, None, None, f"not a valid .xlsx workbook ({error})")) from None
    finally:
        stream.seek(0)


def _file_issue(filename: str, reason: str) -> ImportFileError:
    return ImportFileError(ImportIssue(filename, None, None, reason))


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MiB"


def _check_sizes(archive: zipfile.ZipFile, filename: str) -> None:
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_EXPANDED_BYTES:
        raise _file_issue(filename, f"the workbook expands to {_mib(total)}, more than the "
                                    f"{_mib(MAX_EXPANDED_BYTES)} vocapp reads; save it as CSV or split it")
    for info in archive.infolist():
        limit = (MAX_SHARED_STRINGS_BYTES if info.filename == SHARED_STRINGS
                 else None if info.filename.startswith("xl/worksheets/") else MAX_PART_BYTES)
        if limit is not None and info.file_size > limit:
            raise _file_issue(filename, f"part {info.filename} of the workbook expands to {_mib(info.file_size)}, "
                                        f"more than {_mib(limit)}; save the sheet as CSV")


def _long_text_offset(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str) -> int | None:
    """Byte offset in the part where the first over-long text run starts, or None."""
    last_tag = -1  # offset of the last '<' seen
    offset = 0
    with archive.open(info) as part:
        while block := part.read(BLOCK_BYTES):
            if offset == 0 and (b"<!DOCTYPE" in block[:4096] or b"<!ENTITY" in block):
                raise _file_issue(filename, f"part {info.filename} of the workbook has an XML document type "
                                            "declaration, which spreadsheet programs never write; refused")
            tags = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == ord("<")) + offset
            starts = np.concatenate(([last_tag], tags))
            ends = np.concatenate((tags, [offset + len(block)]))
            gaps = ends - starts - 1
            long = np.flatnonzero(gaps >= LONG_TEXT_BYTES)
            if len(long):
                return int(starts[long[0]]) + 1
            if len(tags):
                last_tag = int(tags[-1])
            offset += len(block)
    return None


def _check_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str) -> None:
    start = _long_text_offset(archive, info, filename)
    if start is None:
        return
    reason = (f"the cell holds more than {LONG_TEXT_BYTES // 1024} KiB of text; "
              f"no cell may hold more than {MAX_CELL_CHARS:,} characters")
    if info.filename.startswith("xl/worksheets/"):
        cell = _cell_before(archive, info, start)
    elif info.filename == SHARED_STRINGS:
        cell = _cell_using_string(archive, _string_index(archive, info, start))
    else:
        raise _file_issue(filename, f"part {info.filename} of the workbook holds a text of more than "
                                    f"{LONG_TEXT_BYTES // 1024} KiB; refused")
    if cell is None:
        raise _file_issue(filename, f"the workbook holds a text of more than {LONG_TEXT_BYTES // 1024} KiB "
                                    f"(in {info.filename}); no cell may hold more than {MAX_CELL_CHARS:,} characters")
    column, row = cell
    raise ImportFileError(ImportIssue(filename, row, column, reason))


def _read_until(archive: zipfile.ZipFile, info: zipfile.ZipInfo, end: int) -> bytes:
    """The last BLOCK_BYTES of the part before byte ``end`` (enough to find the enclosing cell)."""
    kept = b""
    offset = 0
    with archive.open(info) as part:
        while offset < end:
            block = part.read(min(BLOCK_BYTES, end - offset))
            if not block:
                break
            kept = (kept + block)[-BLOCK_BYTES:]
            offset += len(block)
    return kept


def _cell_before(archive: zipfile.ZipFile, info: zipfile.ZipInfo, start: int) -> tuple[str, int] | None:
    matches = list(_CELL_REF.finditer(_read_until(archive, info, start)))
    return (matches[-1].group(1).decode(), int(matches[-1].group(2))) if matches else None


def _string_index(archive: zipfile.ZipFile, info: zipfile.ZipInfo, start: int) -> int:
    """Index of the shared string in which byte ``start`` lies (counting <si> items before it)."""
    count = 0
    offset = 0
    tail = b""
    with archive.open(info) as part:
        while offset < start:
            block = part.read(min(BLOCK_BYTES, start - offset))
            if not block:
                break
            count += len(_STRING_ITEM.findall(tail[-3:] + block)) - len(_STRING_ITEM.findall(tail[-3:]))
            tail = block
            offset += len(block)
    return count - 1


def _cell_using_string(archive: zipfile.ZipFile, index: int) -> tuple[str, int] | None:
    """The first cell of any worksheet that shows shared string ``index``."""
    wanted = str(index).encode()
    for info in archive.infolist():
        if not info.filename.startswith("xl/worksheets/"):
            continue
        carry = b""
        with archive.open(info) as part:
            while block := part.read(BLOCK_BYTES):
                text = carry + block
                for match in _SHARED_CELL.finditer(text):
                    attributes, value = match.groups()
                    if value == wanted and _TYPE_S.search(attributes):
                        reference = _CELL_REF.match(b"<c" + attributes)
                        if reference:
                            return reference.group(1).decode(), int(reference.group(2))
                carry = text[-4096:]
    return None
