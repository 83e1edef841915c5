"""Recognition speed: reading 10,000 resource cells as users write them.

    python bench/recognition.py [--rows 10000]

Cells are the phrases of ``tests/data/recognition_phrases.csv`` (six languages) with a
varying temperature or line number, so nearly every cell is a new text, as in a real file.
Printed: the first file in a new process (which loads the lemma dictionaries of six
languages once), a second file on a fresh recognizer (empty caches, dictionaries loaded),
and the naive way: fuzzy-matching every cell against every lexicon term with rapidfuzz.
Target (issue 11): a 10k-row file in under 1 s once the process is up.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._table import print_table  # noqa: E402
from symbiosis.recognition import Recognizer  # noqa: E402
from symbiosis.taxonomy import default_taxonomy  # noqa: E402

PHRASES = Path(__file__).resolve().parent.parent / "tests" / "data" / "recognition_phrases.csv"


def cells(n: int, seed: int = 1) -> list[str]:
    with PHRASES.open(encoding="utf-8") as fh:
        phrases = [r["text"] for r in csv.DictReader(fh)]
    rnd = random.Random(seed)
    out = []
    for k in range(n):
        p = phrases[k % len(phrases)]
        out.append(f"{p} {rnd.randint(20, 95)} °C" if k % 2 else f"{p} linje {rnd.randint(1, 400)}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10000)
    args = ap.parse_args()
    tax = default_taxonomy()
    texts = cells(args.rows)
    t0 = time.perf_counter()
    first = Recognizer(tax).recognise_many(texts)
    t_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = Recognizer(tax).recognise_many(cells(args.rows, seed=2))
    t_warm = time.perf_counter() - t0
    sure = sum(1 for r in second if r.sure)
    from rapidfuzz import fuzz, process

    terms = sorted({t.term.lower() for t in tax.knowledge.terms})
    sample = texts[:500]
    t0 = time.perf_counter()
    for text in sample:
        process.extractOne(text.lower(), terms, scorer=fuzz.token_set_ratio)
    t_naive = (time.perf_counter() - t0) * len(texts) / len(sample)
    print_table(["cells", "first file s (loads dictionaries)", "next file s", "naive fuzzy s",
                 "read with confidence"],
                [[len(texts), f"{t_first:.2f}", f"{t_warm:.2f}", f"{t_naive:.1f} (est.)",
                  f"{sure / len(second):.0%}"]])
    ok = t_warm < 1.0 and len(first) == len(texts)
    print("target: a 10k-row file in under 1 s:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
