"""Read reports from files and folders: encoding detection, HTML to text, document identity.

A file that cannot be used raises `ReadError` naming the file and the problem; the build skips it and
goes on. Text is cleaned one character for one character (control characters, lone surrogates), so
character offsets into the text stay offsets into the decoded file.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from charset_normalizer import from_bytes

from kg.model import Document

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm")
MAX_FILE_BYTES = 64 * 2**20  # far above any report; keeps a stray dump or disk image out of memory
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xef\xbb\xbf", "utf-8"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_CANDIDATES = ("gb18030", "utf-16-le", "utf-16-be", "big5")  # after UTF-8, tried in this order
_PLAUSIBLE = 0.8  # share of ordinary characters (ASCII, common hanzi, CJK punctuation) in real text
_CONVINCING = 0.95  # a candidate this plausible is taken without trying the others
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # in valid UTF-8: binary, or UTF-16 without its BOM
_DAMAGED_AT_MOST = 16  # bad sequences in UTF-8 text read with replacements (or 1% of its bytes, if more)

# one character for one character: controls become spaces (line breaks become \n), lone surrogates
# and non-characters become U+FFFD, so every output format can carry the text
_CLEAN = ({code: " " for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))}
          | {ord("\t"): "\t", ord("\n"): "\n", ord("\r"): "\n", 0x0B: "\n", 0x0C: "\n", 0x85: "\n",
             0x2028: "\n", 0x2029: "\n", 0xFFFE: "\ufffd", 0xFFFF: "\ufffd"}
          | {code: "\ufffd" for code in range(0xD800, 0xE000)})


class ReadError(Exception):
    """A file that cannot be read as a report."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = display_path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def display_path(path: str | Path) -> str:
    """A path as one printable line: undecodable bytes as \\xNN, control characters escaped."""
    text = str(path)
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file-name byte became: escaped below
        pass
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def clean_text(text: str) -> str:
    """Text every output can carry, with the same length (see the module docstring)."""
    return text.translate(_CLEAN)


def collect_inputs(inputs: list[Path]) -> tuple[list[Path], list[ReadError]]:
    """Expand folders into their supported files (recursive, symbolic links to folders not followed);
    return the files, sorted and without repeats, and the inputs that cannot be used."""
    files: set[Path] = set()
    problems: list[ReadError] = []
    for path in inputs:
        if path.is_dir():
            def unlistable(error: OSError) -> None:
                problems.append(ReadError(error.filename, f"cannot list folder ({error.strerror})"))

            for folder, _, names in os.walk(path, onerror=unlistable):
                files.update(Path(folder, name) for name in names
                             if os.path.splitext(name)[1].lower() in SUPPORTED_SUFFIXES)
        elif path.is_symlink() and not path.exists():
            problems.append(ReadError(path, "broken symbolic link"))
        elif path.exists():
            files.add(path)
        else:
            problems.append(ReadError(path, "no such file or folder"))
    return sorted(files), problems


def plausibility(text: str) -> float:
    """Share of characters that Chinese reports are made of: ASCII, tabs and line breaks, the common
    hanzi (GB2312 levels 1–2, Big5 frequent) and CJK punctuation. Mis-decoded bytes score far lower."""
    counts = Counter(text)
    ordinary = sum(count for char, count in counts.items() if _ordinary(char))
    return ordinary / len(text) if text else 1.0


def _ordinary(char: str) -> bool:
    if " " <= char <= "~" or char in "\t\n\r":
        return True
    for encoding, ranges in (("gb2312", ((0xA1A1, 0xA3FE), (0xB0A1, 0xF7FE))),
                             ("big5", ((0xA140, 0xA3BF), (0xA440, 0xC67E)))):
        try:
            code = int.from_bytes(char.encode(encoding), "big")
        except UnicodeEncodeError:
            continue
        if any(low <= code <= high for low, high in ranges):
            return True
    return False


def decode(raw: bytes, path: Path, warnings: list[str] | None = None) -> str:
    """Bytes to text: a byte-order mark decides; else valid UTF-8 without control characters; else the
    first convincing of GB18030, UTF-16 (little, big endian) and Big5, or the most plausible; else
    UTF-8 with a few damaged bytes replaced, or a detected encoding (both with a warning); else
    ReadError."""
    warnings = warnings if warnings is not None else []
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise ReadError(path, f"not valid {encoding.upper()} despite its byte-order mark") from None
    try:
        text = raw.decode("utf-8")
        if len(_CONTROLS.findall(text[:65536])) <= len(text[:65536]) // 100:
            return text  # other bytes are valid UTF-8 only by rare coincidence
    except UnicodeDecodeError:
        pass
    best, best_score = "", 0.0
    for encoding in _CANDIDATES:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        if score >= _CONVINCING:
            return text
        if score > best_score:
            best, best_score = text, score
    if best_score >= _PLAUSIBLE:
        return best
    replaced = raw.decode("utf-8", "replace")
    damaged = replaced.count("\ufffd") - raw.count("\ufffd".encode())
    if damaged <= max(_DAMAGED_AT_MOST, len(raw) // 100) and plausibility(replaced) >= _PLAUSIBLE:
        warnings.append(f"{display_path(path)}: {damaged} undecodable byte sequence(s) in UTF-8 text "
                        "replaced with U+FFFD")
        return replaced
    guess = from_bytes(raw).best()
    if guess is not None and plausibility(str(guess)) >= _PLAUSIBLE:
        warnings.append(f"{display_path(path)}: text encoding guessed as {guess.encoding}")
        return str(guess)
    if b"\x00" in raw:
        raise ReadError(path, "binary file (NUL bytes), not a text report")
    raise ReadError(path, "binary file or unknown text encoding, not a text report")


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page, one block element per line; scripts and styles dropped."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
              "table", "title", "td", "th", "ul", "ol", "dt", "dd", "blockquote", "pre", "header", "footer",
              "main", "aside", "nav", "figcaption", "caption", "hr"}
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
    """The text an HTML page shows, with block boundaries as line breaks (character references are
    decoded once: a page showing &lt;script&gt; shows text, not markup)."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return re.sub(r"\n[ \t\u3000]*(?:\n[ \t\u3000]*)+", "\n\n", "".join(parser.parts))


def read_bytes(path: Path) -> bytes:
    """A report file's bytes; raise ReadError when it is not a regular file, too large or unreadable."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ReadError(path, "not a regular file (a device, pipe or socket)")
        if info.st_size > MAX_FILE_BYTES:
            raise ReadError(path, f"too large ({info.st_size / 2**20:.0f} MiB; at most "
                                  f"{MAX_FILE_BYTES // 2**20} MiB are read)")
        return path.read_bytes()
    except OSError as error:
        problem = "broken symbolic link" if path.is_symlink() and not path.exists() else \
            f"cannot read ({error.strerror or error})"
        raise ReadError(path, problem) from error


def document_id(sha256: str) -> str:
    """A document's id from the SHA-256 of its bytes."""
    return f"doc-{sha256[:16]}"


def read_document(path: Path, warnings: list[str] | None = None, raw: bytes | None = None) -> tuple[Document, str]:
    """Read one report (from `raw`, its bytes, when they were read already); raise ReadError when it
    cannot be used. Warnings about a file that is still read (damaged bytes, a guessed encoding) are
    appended to `warnings`."""
    raw = read_bytes(path) if raw is None else raw
    text = decode(raw, path, warnings)
    if path.suffix.lower() in (".html", ".htm"):
        text = html_to_text(text)
    text = clean_text(text)
    if not text.strip():
        raise ReadError(path, "empty file (no text)")
    digest = hashlib.sha256(raw).hexdigest()
    document = Document(id=document_id(digest), path=display_path(path), name=display_path(path.name),
                        sha256=digest, n_chars=len(text))
    return document, text


def document_from_string(text: str, name: str = "text") -> tuple[Document, str]:
    """A document made from a string (the notebook API); the text is cleaned like a file's."""
    text = clean_text(text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    name = display_path(name)
    return Document(id=document_id(digest), path=name, name=name, sha256=digest, n_chars=len(text)), text
