"""The expected figures that examples/README.md documents, by the example generator's own
reckoning (examples/generate.py, examples/generate_rounds.py), for the tests that check
mdpoverty against them. Nothing here comes from mdpoverty."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SURVEY = EXAMPLES / "survey.xlsx"  # the 2026 round: 2027–2030 standard, no districts
PREVIOUS = EXAMPLES / "previous-round.xlsx"  # the 2025 round: 2022–2025, no districts
ROUND_2024 = EXAMPLES / "round-2024.xlsx"  # the 2024 round: 2022–2025, districts
PROVINCE = "Tỉnh Lào Cai"
FORMER_UNITS = "former units"
MEASURES = {"Hộ": "households", "Nhân khẩu": "persons"}


def readme() -> str:
    return (EXAMPLES / "README.md").read_text(encoding="utf-8")


def table(heading: str) -> list[list[str]]:
    """Rows of the first Markdown table after ``heading`` (cells stripped of ` and *),
    without the header and the --- line."""
    text = readme().split(heading, 1)[1]
    lines = text.splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.startswith("|"))
    rows = []
    for ln in lines[first:]:
        if not ln.startswith("|"):
            break
        rows.append([c.strip().strip("`*") for c in ln.strip().strip("|").split("|")])
    return [r for r in rows[2:] if r and r[0]]


def form_table(heading: str) -> dict[tuple[str, str], list[int]]:
    """A Form 2 or 3 table: (unit, measure) -> the nine numbered columns, start to end."""
    return {(r[0], MEASURES[r[1]]): [int(x) for x in r[2:11]] for r in table(heading)}


def class_table(heading: str) -> dict[str, dict[str, int]]:
    """A class table: commune (or "total") -> class or "households" -> count."""
    text = readme().split(heading, 1)[1]
    header_line = next(ln for ln in text.splitlines() if ln.startswith("|"))
    header = [c.strip() for c in header_line.strip().strip("|").split("|")]
    out = {}
    for r in table(heading):
        row = dict(zip(header, r, strict=True))
        key = "total" if r[0] == "total" else row["commune"]
        out[key] = {k: int(v) for k, v in row.items() if k not in ("district", "commune")}
    return out


def communes(heading: str) -> list[str]:
    return [k for k in class_table(heading) if k != "total"]


SURVEY_CLASSES = "## Expected classes in `survey.xlsx`"
PREVIOUS_CLASSES = "### Classes in `previous-round.xlsx`"
CLASSES_2024 = "### Classes in `round-2024.xlsx`"
FORM2_NOW = "#### Form 2 (poor households), 2026 against 2025"
FORM3_NOW = "#### Form 3 (near-poor households), 2026 against 2025"
FORM2_CROSS = "#### Form 2 (poor households), 2025 against 2024"
FORM3_CROSS = "#### Form 3 (near-poor households), 2025 against 2024"
