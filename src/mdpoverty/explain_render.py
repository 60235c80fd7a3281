"""``mdpoverty why`` renderings of :func:`mdpoverty.explain`'s structure (presentation only):
plain text an officer can read aloud, and a printable workbook (one sheet, A4 portrait)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

T = {
    "vi": {
        "household": "Hộ",
        "row": "dòng",
        "head": "chủ hộ",
        "standard": "Chuẩn áp dụng",
        "errors": "Hộ chưa được phân loại vì dữ liệu có lỗi — sửa các ô sau rồi chạy lại:",
        "warnings": "Cảnh báo",
        "income": "Thu nhập",
        "figure": "số liệu dùng",
        "indicators": "Các chỉ số thiếu hụt",
        "deprived": "THIẾU HỤT",
        "not_deprived": "không thiếu hụt",
        "unknown": "chưa xác định",
        "override": "Điều chỉnh",
        "law": "căn cứ",
        "rule": "Quy tắc",
        "result": "Kết luận",
        "change": "Điều gì sẽ thay đổi kết quả",
        "previous": "So với kỳ trước",
        "prev_class": "phân loại kỳ trước",
        "transition": "biến động",
        "forms": "cột biểu",
        "not_found": "Không tìm thấy hộ",
        "form": "Biểu",
    },
    "en": {
        "household": "Household",
        "row": "row",
        "head": "head",
        "standard": "Standard used",
        "errors": "Not classed because its data has errors — fix these cells and run again:",
        "warnings": "Warnings",
        "income": "Income",
        "figure": "figure used",
        "indicators": "Indicators",
        "deprived": "DEPRIVED",
        "not_deprived": "not deprived",
        "unknown": "undetermined",
        "override": "Override",
        "law": "law",
        "rule": "Rule",
        "result": "Result",
        "change": "What would change the class",
        "previous": "Against the previous round",
        "prev_class": "previous class",
        "transition": "transition",
        "forms": "form columns",
        "not_found": "Household not found",
        "form": "Form",
    },
}


# Form 2 / Form 3 columns as their headings read (the forms number them 1–9)
FORM_COLUMN_VI = {
    "start": "đầu kỳ",
    "to_near_poor": "trở thành hộ cận nghèo",
    "above_near_poor": "vượt chuẩn cận nghèo",
    "escaped": "thoát cận nghèo",
    "to_poor": "trở thành hộ nghèo",
    "other_decrease": "giảm khác",
    "from_near_poor": "hộ cận nghèo trở thành hộ nghèo",
    "from_poor": "hộ nghèo trở thành hộ cận nghèo",
    "re_entered": "tái nghèo / tái cận nghèo",
    "newly_entered": "phát sinh mới",
    "other_increase": "tăng khác",
    "end": "cuối kỳ",
}


def _form_columns(form: str, codes: list[str], lang: str) -> str:
    from .reports.changes import form_columns

    order = form_columns(form)
    names = [
        f"{order.index(c) + 1} ({FORM_COLUMN_VI.get(c, c) if lang == 'vi' else c})" for c in codes
    ]
    return (
        f"{T[lang]['form']} {form}: " + ("cột " if lang == "vi" else "column ") + ", ".join(names)
    )


def _where(e: dict[str, Any], lang: str) -> str:
    parts = [str(e[k]) for k in ("sheet",) if e.get(k)]
    if e.get("row") is not None:
        parts.append(f"{T[lang]['row']} {e['row']}")
    if e.get("column"):
        parts.append(str(e["column"]))
    return ", ".join(parts)


def lines(x: dict[str, Any]) -> list[tuple[str, str]]:
    """The explanation as (section, line) pairs, in reading order."""
    lang = x["lang"]
    t = T[lang]
    out: list[tuple[str, str]] = []
    title = f"{t['household']} {x['household_id']}"
    if x.get("head_name"):
        title += f" — {t['head']} {x['head_name']}"
    place = ", ".join(str(x[k]) for k in ("village", "commune") if x.get(k))
    if place:
        title += f" ({place})"
    if x.get("row") is not None:
        title += f" — {x.get('sheet') or ''} {t['row']} {x['row']}".replace("  ", " ")
    out.append(("title", title))
    out.append(("standard", f"{t['standard']}: {x['standard']['why']}"))
    if x["status"] != "classed":
        out.append(("errors", t["errors"]))
        for e in x["errors"]:
            out.append(("errors", f"  • {_where(e, lang)}: {e['message']}"))
        return out
    inc = x["income"]
    if inc is not None:
        out.append(("income", f"{t['income']} ({t['figure']}: {inc['source_text']}):"))
        out.append(("income", f"  {inc['text']} ({t['law']}: {inc['line_reference']})"))
    out.append(("indicators", f"{t['indicators']} ({x['deprivation_count']}):"))
    for ind in x["indicators"]:
        state = (
            t["unknown"]
            if ind["deprived"] is None
            else (t["deprived"] if ind["deprived"] else t["not_deprived"])
        )
        facts = ind["facts"]
        head = f"  {ind['number']}. {ind['label']}: {state}"
        if len(facts) == 1:  # one fact reads on the indicator's own line
            out.append(("indicators", f"{head} — {facts[0]}"))
        else:
            out.append(("indicators", head))
            for f in facts:
                out.append(("facts", f"      – {f}"))
        if ind["override_text"]:
            out.append(("facts", f"      – {t['override']}: {ind['override_text']}"))
        out.append(("law", f"      ({t['law']}: {ind['reference']}; {ind['confidence_text']})"))
    out.append(("rule", f"{t['rule']}: {x['rule']}"))
    out.append(("result", f"{t['result']}: {x['verdict']}"))
    if x["what_would_change"]:
        out.append(("change", f"{t['change']}:"))
        for c in x["what_would_change"]:
            out.append(("change", f"  • {c}"))
    prev = x.get("previous")
    if prev and prev.get("transition"):
        out.append(("previous", f"{t['previous']}:"))
        out.append(("previous", f"  {t['prev_class']}: {prev['class_label'] or '—'}"))
        out.append(("previous", f"  {t['transition']}: {prev['transition_text']}"))
        cols = [_form_columns(f, c, lang) for f, c in prev["form_columns"].items() if c]
        if cols:
            out.append(("previous", f"  {t['forms']}: {'; '.join(cols)}"))
        for c in prev["changes"]:
            out.append(("previous", f"  • {c}"))
    if x["warnings"]:
        out.append(("warnings", f"{t['warnings']}:"))
        for e in x["warnings"]:
            out.append(("warnings", f"  • {_where(e, lang)}: {e['message']}"))
    return out


def text(explanations: list[dict[str, Any]]) -> str:
    blocks = ["\n".join(line for _, line in lines(x)) for x in explanations]
    return "\n\n".join(blocks) + "\n"


def not_found_line(household_id: str, message: str, lang: str) -> str:
    return f"{T[lang]['not_found']} {household_id}: {message}"


WIDTH = 72  # column A, in character widths: A4 portrait with its margins, unscaled
PER_LINE = {12: 78, 10: 95}  # characters of each font size that fit a line of it


def write_xlsx(explanations: list[dict[str, Any]], path: str | Path) -> None:
    """One sheet, a block per household (each on its own page), A4 portrait, wrapped text
    in rows as tall as their lines."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.pagebreak import Break
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    ws = wb.active
    ws.title = "Giải thích" if (explanations and explanations[0]["lang"] == "vi") else "Why"
    ws.column_dimensions["A"].width = WIDTH
    wrap = Alignment(wrap_text=True, vertical="top")
    fonts = {
        "bold": Font(name="Times New Roman", size=12, bold=True),
        "plain": Font(name="Times New Roman", size=12),
        "small": Font(name="Times New Roman", size=10, italic=True),
    }
    r = 1
    for i, x in enumerate(explanations):
        if i:
            ws.row_breaks.append(Break(id=r - 1))
        for section, line in lines(x):
            heading = section == "title" or (line.endswith(":") and not line.startswith(" "))
            kind = "bold" if heading or section == "result" else "plain"
            kind = "small" if section == "law" else kind
            value = line.strip() if section == "title" else line
            if value.startswith(("=", "+", "-", "@")):  # text, never a formula
                value = "'" + value
            cell = ws.cell(row=r, column=1, value=value)
            cell.alignment, cell.font = wrap, fonts[kind]
            size = 10 if kind == "small" else 12
            n = len(value) // PER_LINE[size] + 1
            ws.row_dimensions[r].height = n * (size + 3.5)
            r += 1
        r += 1
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.print_area = f"A1:A{max(r - 1, 1)}"
    wb.save(str(path))


__all__ = ["lines", "not_found_line", "text", "write_xlsx"]
