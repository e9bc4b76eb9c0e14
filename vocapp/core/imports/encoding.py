"""Text-encoding detection for CSV files.

Policy (documented in docs/imports.md):
- a UTF-8 BOM means UTF-8; a UTF-16 BOM means UTF-16 (the BOM is removed); UTF-16
  without a BOM is recognised by its zero bytes in every other position;
- a file that decodes as UTF-8 is UTF-8;
- a file whose first non-ASCII byte is *valid* UTF-8 but which later holds an
  invalid sequence is a damaged UTF-8 file: a located error names the row;
- otherwise it is a legacy single-byte file: Windows-1252 (what Excel writes on
  Western-European Windows) when the bytes decode as Windows-1252, else the best
  guess of charset-normalizer; when nothing fits, a located error.
"""
from __future__ import annotations

import codecs
from typing import BinaryIO

import charset_normalizer

from .issues import ImportFileError, ImportIssue

SAMPLE_BYTES = 1 << 20
BLOCK_BYTES = 1 << 20

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def bom_encoding(head: bytes) -> str | None:
    """Encoding announced by a byte-order mark at the start of ``head``."""
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return encoding
    return None


def bomless_utf16(head: bytes) -> str | None:
    """UTF-16 without a byte-order mark: mostly-ASCII text has a zero byte in every other position."""
    sample = head[: 4096 - 4096 % 2]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def first_decode_error(stream: BinaryIO, encoding: str) -> tuple[int, int, bytes] | None:
    """Stream-decode the whole file; return (line, byte offset, bad bytes) of the first error."""
    decoder = codecs.getincrementaldecoder(encoding)()
    newline = "\n"
    line = 1
    offset = 0
    stream.seek(0)
    while True:
        block = stream.read(BLOCK_BYTES)
        final = not block
        try:
            text = decoder.decode(block, final=final)
        except UnicodeDecodeError as error:
            pending, _ = decoder.getstate()
            # bytes of this call start with the previous undecoded remainder
            consumed = error.start - len(pending) if pending else error.start
            prefix = (pending + block)[: error.start]
            try:
                line += codecs.decode(prefix, encoding, errors="replace").count(newline)
            except LookupError:  # pragma: no cover - encodings always known here
                pass
            return line, offset + consumed, (pending + block)[error.start : error.end]
        line += text.count(newline)
        offset += len(block)
        if final:
            return None


def detect_encoding(stream: BinaryIO, filename: str) -> str:
    """Choose the Python codec for a CSV file (see the module policy)."""
    stream.seek(0)
    sample = stream.read(SAMPLE_BYTES)
    declared = bom_encoding(sample) or bomless_utf16(sample)
    if declared:
        return declared
    problem = first_decode_error(stream, "utf-8")
    if problem is None:
        return "utf-8"
    line, offset, bad = problem
    if any(byte >= 0x80 for byte in sample[: max(offset, 0)]):
        raise ImportFileError(ImportIssue(
            filename, line, None,
            f"the file is UTF-8 but byte(s) {bad.hex(' ')} at byte {offset} are not valid UTF-8; "
            "re-save the file as UTF-8"))
    if first_decode_error(stream, "cp1252") is None:
        return "cp1252"
    best = charset_normalizer.from_bytes(sample).best()
    if best is None or first_decode_error(stream, best.encoding) is not None:
        raise ImportFileError(ImportIssue(
            filename, line, None,
            f"cannot work out the text encoding (byte(s) {bad.hex(' ')} at byte {offset}); "
            "re-save the file as UTF-8 CSV"))
    return best.encoding
