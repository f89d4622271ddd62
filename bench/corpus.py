"""Generate a benchmark corpus by scaling the seed reports up: every copy gets other places and other
numbers, so documents are distinct (no duplicate paragraphs to skip, no cache hits).

    python bench/corpus.py OUT_DIR --mb 10
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from kg.vocab import load_vocabulary

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _places_by_level() -> dict[str, list[str]]:
    vocab = load_vocabulary()
    levels: dict[str, list[str]] = {}
    for entry in vocab.entries.values():
        if entry.type == "Region" and entry.subtype:
            levels.setdefault(entry.subtype, []).append(entry.label)
    return {level: sorted(names) for level, names in levels.items()}


def _vary(text: str, places: dict[str, list[str]], rng: random.Random) -> str:
    """Swap every official place name for another of its level and perturb every number."""
    swaps = {name: rng.choice(names) for names in places.values() for name in names if name in text}
    if swaps:
        pattern = re.compile("|".join(map(re.escape, sorted(swaps, key=len, reverse=True))))
        text = pattern.sub(lambda m: swaps[m.group()], text)

    def perturb(match: re.Match) -> str:
        number = match.group()
        if match.string.startswith("年", match.end()) or len(number) == 4 and number.startswith(("19", "20")):
            return number  # years stay years
        decimals = len(number.split(".")[1]) if "." in number else 0
        return f"{float(number) * rng.uniform(0.8, 1.2):.{decimals}f}"

    return _NUMBER.sub(perturb, text)


def generate(out_dir: Path, megabytes: float, seed: int = 0) -> tuple[int, int]:
    """Write distinct documents until `megabytes` of UTF-8 text are written; returns (files, bytes)."""
    rng = random.Random(seed)
    sources = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    places = _places_by_level()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = files = 0
    while written < megabytes * 1_000_000:
        text = _vary(sources[files % len(sources)], places, rng)
        path = out_dir / f"doc_{files:06d}.txt"
        path.write_text(text, encoding="utf-8")
        written += len(text.encode("utf-8"))
        files += 1
    return files, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--mb", type=float, default=1.0, help="megabytes of text to write")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    files, written = generate(args.out_dir, args.mb, args.seed)
    print(f"{files} documents, {written / 1e6:.1f} MB in {args.out_dir}")


if __name__ == "__main__":
    main()
