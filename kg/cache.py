"""An on-disk cache of per-document extraction results, so a rebuild only extracts what changed.

An entry is keyed by the SHA-256 of the document's bytes, under a folder named after the pipeline
version: a hash of the `kg` package's source files and of the ontology data files (vocabularies,
cues, ontology). Changing any rule, vocabulary or the code gives a new version, and the entries
of older versions are removed. Entries are written whole (a temporary file renamed), so an
interrupted build leaves no half entry; a cache entry that cannot be read is ignored.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re
import shutil
from pathlib import Path

from kg.data import ONTOLOGY_DIR

PACKAGE_DIR = Path(__file__).resolve().parent
_VERSION_DIR = re.compile(r"[0-9a-f]{16}")


@functools.cache
def pipeline_version() -> str:
    """A hash of everything extraction depends on: kg/**/*.py and ontology/*.yaml, *.ttl."""
    digest = hashlib.sha256()
    files = [*PACKAGE_DIR.rglob("*.py"), *ONTOLOGY_DIR.glob("*.yaml"), *ONTOLOGY_DIR.glob("*.ttl")]
    for path in sorted(set(files), key=lambda p: (p.name, str(p))):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


class ExtractionCache:
    """Extraction results by document hash. `hits` and `misses` count this build's look-ups."""

    def __init__(self, folder: Path) -> None:
        self.root = Path(folder)
        self.folder = self.root / pipeline_version()
        self.hits = self.misses = 0

    def _path(self, sha256: str) -> Path:
        return self.folder / f"{sha256}.pickle"

    def __contains__(self, sha256: str) -> bool:
        """Is there an entry for this document (it may still prove unreadable)?"""
        return self._path(sha256).is_file()

    def get(self, sha256: str):
        try:
            with self._path(sha256).open("rb") as handle:
                value = pickle.load(handle)
        except Exception:  # missing, or unreadable (a cache is never worth failing a build for)
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, sha256: str, value) -> None:
        try:
            if not self.folder.is_dir():
                self.folder.mkdir(parents=True, exist_ok=True)
                for stale in self.root.iterdir():  # entries of other pipeline versions are of no more use
                    if stale != self.folder and stale.is_dir() and _VERSION_DIR.fullmatch(stale.name):
                        shutil.rmtree(stale, ignore_errors=True)
            temporary = self.folder / f".{sha256}.{os.getpid()}.tmp"
            with temporary.open("wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self._path(sha256))
        except OSError:
            pass  # a cache that cannot be written only costs time
