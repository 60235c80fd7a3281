"""An editable copy of a standard file for a province (``mdpoverty standards X --export``).

The copy is the standard's own TOML text (its references and comments kept) with a new id,
and, for every value the law has not published (the average-living-standard band, the
checklist score equivalents), a commented placeholder table. Loaded unchanged, the copy is
the same standard; uncommented and filled from the province's decision, it is the province's
standard (``--standard tinh.toml``). A placeholder left unfilled is not a number, so loading
it is an error naming the key, never a silent zero.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .standards import Standard

FILL = "<điền số / fill in>"

# The tables a standard may lack, and what their placeholder says. No number is written:
# the province fills them from its own decision.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "average_upper": (
        "## Hộ có mức sống trung bình (average living standard): poverty line < income <= these.",
        "## Not published for this standard: fill from the province's decision, then remove the",
        '## leading "# " of the table\'s lines (a blank left as it is stops the run, naming it).',
        "[income.average_upper]",
        f'rural = "{FILL}"   # VND/person/month, above the rural poverty line',
        f'urban = "{FILL}"   # VND/person/month, above the urban poverty line',
        'unit = "VND/person/month"',
        'reference = "Quyết định số …/QĐ-UBND ngày … của UBND tỉnh …"',
        'confidence = "confirmed"',
    ),
    "score_line": (
        "## Checklist score A (Điểm A / B1) equivalent of the poverty line: score <= these",
        "## means income at or below the line. Not published for this standard: fill from the",
        "## province's decision, then remove the leading \"# \" of the table's lines.",
        "[income.score_line]",
        f'rural = "{FILL}"   # points',
        f'urban = "{FILL}"   # points',
        'unit = "points"',
        'reference = "Quyết định số …/QĐ-UBND ngày … của UBND tỉnh …"',
        'confidence = "confirmed"',
    ),
}

_ID_LINE = re.compile(r'^id\s*=\s*"[^"]*".*$', re.MULTILINE)


def unpublished(std: Standard) -> list[str]:
    """The income tables ``std`` does not have (in :data:`PLACEHOLDERS` order)."""
    return [name for name in PLACEHOLDERS if getattr(std.income, name) is None]


def export_text(std: Standard, new_id: str, today: dt.date | None = None) -> str:
    """The TOML text of an editable copy of ``std`` named ``new_id``."""
    text = Path(std.source).read_text(encoding="utf-8")
    text, n = _ID_LINE.subn(f'id = "{new_id}"   # exported from {std.id}', text, count=1)
    if not n:  # a file always has its id (the model requires it): keep the text as it is
        text = f'id = "{new_id}"\n' + text
    day = today or dt.date.today()
    head = [
        f"# Editable copy of the standard {std.id}, exported by mdpoverty on {day:%d/%m/%Y}.",
        f"# Use it with: mdpoverty classify survey.xlsx --standard {new_id}.toml",
    ]
    missing = unpublished(std)
    if missing:
        head.append(
            "# Values this standard does not publish are at the end, commented out: "
            + ", ".join(f"[income.{m}]" for m in missing)
            + "."
        )
        if std.provisional:
            head.append(
                "# Once filled, say so in provisional_note_vi / provisional_note_en "
                "(the runs repeat that note)."
            )
    out = "\n".join(head) + "\n\n" + text.rstrip("\n") + "\n"
    for name in missing:
        out += "\n" + "\n".join(f"# {line}" for line in PLACEHOLDERS[name]) + "\n"
    return out


__all__ = ["FILL", "PLACEHOLDERS", "export_text", "unpublished"]
