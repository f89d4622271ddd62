"""Read reports from files and folders: encoding detection, HTML to text, document identity."""

from __future__ import annotations

import hashlib
import html
import re
from html.parser import HTMLParser
from pathlib import Path

from charset_normalizer import from_bytes

from kg.model import Document

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm")
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


class ReadError(Exception):
    """A file that cannot be read as a report; the message names the file and the problem."""


def collect_inputs(inputs: list[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders into their supported files (sorted, recursive); return files and warnings."""
    files: list[Path] = []
    warnings: list[str] = []
    for path in inputs:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*")
                                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES))
        elif path.is_file():
            files.append(path)
        else:
            warnings.append(f"{path}: no such file or folder")
    return files, warnings


def decode(raw: bytes, path: Path) -> str:
    """Bytes to text: BOMs first, then strict UTF-8, then GB18030, then detection."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding)
    if b"\x00" in raw[:4096]:
        raise ReadError(f"{path}: binary file (NUL bytes), not a text report")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    best = from_bytes(raw).best()
    if best is None:
        raise ReadError(f"{path}: cannot detect the text encoding")
    return str(best)


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page, one block element per line; scripts and styles dropped."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
              "table", "title", "td", "th"}
    HIDDEN = {"script", "style", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The text an HTML page shows, with block boundaries as line breaks."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts))
    return re.sub(r"\n[ \t\u3000]*(?:\n[ \t\u3000]*)+", "\n\n", text)


def read_document(path: Path) -> tuple[Document, str]:
    """Read one report; raise ReadError with a clear message when it cannot be used."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ReadError(f"{path}: cannot read ({error.strerror or error})") from error
    if not raw.strip():
        raise ReadError(f"{path}: empty file")
    text = decode(raw, path)
    if path.suffix.lower() in (".html", ".htm"):
        text = html_to_text(text)
    digest = hashlib.sha256(raw).hexdigest()
    document = Document(id=f"doc-{digest[:16]}", path=str(path), name=path.name, sha256=digest,
                        n_chars=len(text))
    return document, text


def document_from_string(text: str, name: str = "text") -> tuple[Document, str]:
    """A document made from a string (the notebook API)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(id=f"doc-{digest[:16]}", path=name, name=name, sha256=digest, n_chars=len(text)), text
