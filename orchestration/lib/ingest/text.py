"""The bytes of a text export: its encoding, line ends, BOMs and blank lines, scanned in blocks,
and the normalised copy (UTF-8, LF line ends, no BOM, blank CSV lines marked) DuckDB reads when
it cannot read the export itself."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.config import Source
from orchestration.lib.ingest.errors import IngestError

# Encodings DuckDB reads itself; any other (UTF-16 too) is transcoded to UTF-8 by _readable.
DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "latin-1": "latin-1"}
BOM = b"\xef\xbb\xbf"
# What a blank CSV line becomes in a normalised copy (the control character "record separator"):
# DuckDB skips blank lines but counts them in its line numbers; as a line of its own it is a
# malformed record that keeps its number, and is then counted as a skipped line.
BLANK_LINE = "\x1e"


@dataclass
class _Text:
    """What one pass over the bytes of a text export found."""

    lines: int = 0  # physical lines: LF, CRLF and CR each end one; so does the end of the file
    quotes: bool = False  # a quote character: a record may span lines
    nul: bool = False  # a NUL byte (in NDJSON also its escape \u0000)
    separators: bool = False  # BLANK_LINE characters (in a normalised copy: its blank lines)
    rewrite: bool = False  # mixed or CR line ends, a BOM after the start, a blank CSV line


def _readable(path: Path, source: Source, target: Path, relative: str) -> tuple[Path, str, _Text]:
    """(path, encoding, what its bytes hold) of the file DuckDB reads: the export itself, or a copy
    written by streaming when DuckDB cannot read its encoding (transcoded to UTF-8) or its text
    needs normalising: every line end LF, no BOM, each blank CSV line BLANK_LINE. A copy has the
    export's lines, so line numbers are the export's. Bytes are scanned with bytes methods, a
    block of 1 MB at a time: no Python loop over lines."""
    encoding, csv_format = source.encoding.lower(), source.format == "csv"
    native = DUCKDB_ENCODINGS.get(encoding) if csv_format or encoding in ("utf-8", "utf8") else None
    utf8 = native in (None, "utf-8")
    try:
        if native:
            text = _scan(_blocks(path), csv_format, utf8)
            if not text.rewrite:
                return path, native, text
        with target.open("wb") as handle:
            pieces = _normalised(_blocks(path, None if native else encoding), csv_format, utf8)
            text = _scan(_written(pieces, handle), csv_format, utf8)
    except UnicodeDecodeError as error:
        raise IngestError(
            f"source '{source.name}', file {relative}, line {error.line}: not valid {source.encoding} "
            f"at byte {error.start}: {error.reason}"
        ) from error
    except OSError as error:
        raise IngestError(f"source '{source.name}', file {relative}: cannot read: {error}") from error
    return target, native or "utf-8", text


def _blocks(path: Path, codec: str | None = None) -> Iterator[bytes]:
    """The file's bytes, 1 MB at a time; decoded from `codec` and encoded as UTF-8 if given. A
    decoding error carries the byte offset in the file (start) and the line (line)."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict") if codec else None
    offset = lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            if decoder:
                state = decoder.getstate()
                try:
                    decoded = decoder.decode(block)
                except UnicodeDecodeError as error:
                    pending = len(state[0])
                    before = codecs.getincrementaldecoder(codec)(errors="ignore")
                    before.setstate(state)
                    error.line = lines + before.decode(block[: max(error.start - pending, 0)]).count("\n") + 1
                    error.start += offset - pending
                    raise
                lines += decoded.count("\n")
                offset += len(block)
                block = decoded.encode("utf-8")
            yield block
        if decoder:
            yield decoder.decode(b"", final=True).encode("utf-8")


def _scan(blocks: Iterator[bytes], csv_format: bool, utf8: bool) -> _Text:
    """What a text export holds, from its blocks: searches for one byte (memchr) on every block,
    for several bytes only where one of them occurs, and once a copy is due no more of them."""
    text = _Text()
    lf = cr = crlf = 0
    tail = b"\n"  # the last bytes of the block before: the file starts as a line does
    for number, block in enumerate(blocks):
        if number == 0 and utf8 and block.startswith(BOM):
            block = block[len(BOM) :]
        edge = tail + block[:8]  # what a pattern across two blocks would be in
        lf += block.count(b"\n")
        with_cr = b"\r" in block
        if with_cr or tail.endswith(b"\r"):
            cr += block.count(b"\r")
            crlf += block.count(b"\r\n") + (tail.endswith(b"\r") and block.startswith(b"\n"))
        text.quotes = text.quotes or b'"' in block
        text.separators = text.separators or BLANK_LINE.encode() in block
        escaped_nul = not csv_format and (b"\\u0000" in edge or (b"\\" in block and b"\\u0000" in block))
        text.nul = text.nul or b"\x00" in block or escaped_nul
        if not text.rewrite:
            inner_bom = utf8 and (BOM in edge or (b"\xef" in block and BOM in block))
            blank = csv_format and (
                b"\n\n" in edge or b"\n\n" in block or (with_cr and (b"\n\r\n" in edge or b"\n\r\n" in block))
            )
            text.rewrite = inner_bom or blank
        tail = (tail + block[-8:])[-8:]
    text.lines = lf + cr - crlf + (tail[-1:] not in (b"\n", b"\r"))
    text.rewrite = text.rewrite or cr != crlf or 0 < crlf != lf
    return text


def _normalised(blocks: Iterator[bytes], csv_format: bool, utf8: bool) -> Iterator[bytes]:
    """The text in pieces of whole lines (no CRLF or BOM split between two), normalised."""
    carry = b""
    for block in blocks:
        data = carry + block
        end = max(data.rfind(b"\n"), data.rfind(b"\r", 0, len(data) - 1))  # a last CR may start a CRLF
        carry = data[end + 1 :]
        yield _normalise(data[: end + 1], csv_format, utf8)
    yield _normalise(carry, csv_format, utf8)


def _normalise(lines: bytes, csv_format: bool, utf8: bool) -> bytes:
    lines = lines.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if utf8:
        lines = lines.replace(BOM, b"")
    if csv_format:  # the piece starts a line; the second pass marks every other of 3+ line ends
        mark = b"\n" + BLANK_LINE.encode() + b"\n"
        lines = (b"\n" + lines).replace(b"\n\n", mark).replace(b"\n\n", mark)[1:]
    return lines


def _written(pieces: Iterator[bytes], handle) -> Iterator[bytes]:
    for piece in pieces:
        handle.write(piece)
        yield piece
