"""Record a benchmark run as a section of ``bench/RESULTS.md``, replacing an older run's.

A section is delimited by ``<!-- KEY -->`` … ``<!-- /bench -->``; a new run with the same key
(the benchmark, the day and the size) replaces it, any other key is appended.
"""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
END = "<!-- /bench -->"
HEADER = """# Benchmark results

Each section is one recorded run (`--record`); a run of the same benchmark on the same day
and size replaces its section. How to run them and read the tables: `bench/README.md`.
"""


def record_section(key: str, heading: str, text: str, path: Path = RESULTS) -> None:
    """Write ``text`` under ``heading`` as the section ``key`` of ``path``."""
    tag = f"<!-- {key} -->"
    section = f"{tag}\n{heading}\n\n{text.rstrip()}\n{END}\n"
    old = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(re.escape(tag) + r".*?" + re.escape(END) + r"\n?", re.S)
    if tag in old:
        new = pattern.sub(lambda _: section, old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + section
    path.write_text(new, encoding="utf-8")
