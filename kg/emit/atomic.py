"""Outputs replaced whole: a build that fails or is interrupted leaves the previous files as they were."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(out_dir: Path, names: Iterable[str]) -> Iterator[dict[str, Path]]:
    """Temporary paths in `out_dir`, one per file name, for the block to write. When the block ends
    normally each is renamed over its real name (os.replace: atomic on one file system); when it
    raises, including on Ctrl-C, they are deleted and the real files are untouched::

        with replacing(Path("output"), ["graph.ttl"]) as paths:
            paths["graph.ttl"].write_text(turtle, encoding="utf-8")
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    temporary = {name: out_dir / f".{name}.{os.getpid()}.tmp" for name in names}
    try:
        yield temporary
        for name, path in temporary.items():
            os.replace(path, out_dir / name)
    finally:
        for path in temporary.values():
            path.unlink(missing_ok=True)
