"""What ``mdpoverty standards`` prints, in Vietnamese or English.

The legal references are printed as the data files hold them (they cite Vietnamese law);
everything the program says around them is in the reader's language, numbers written the
reader's way (2.200.000 đồng in Vietnamese).
"""

from __future__ import annotations

from ..i18n import number
from .standards import Standard

CONFIDENCE_VI = {
    "confirmed": "đã đối chiếu văn bản",
    "secondary": "theo nguồn thứ cấp",
    "best_reading": "cách hiểu hợp lý nhất",
}
UNIT_VI = {
    "VND/person/month": "đồng/người/tháng",
    "points": "điểm",
}
LINE_VI = {
    "policy_line": "Chuẩn mức sống tối thiểu",
    "poverty_line": "Chuẩn nghèo về thu nhập",
    "average_upper": "Mức sống trung bình (cận trên)",
    "score_line": "Điểm A quy đổi của chuẩn",
}


def _mark(confidence: str, lang: str) -> str:
    return f"[{CONFIDENCE_VI.get(confidence, confidence) if lang == 'vi' else confidence}]"


def listing_line(s: Standard, lang: str) -> str:
    years = f"{s.valid_from.year}–{s.valid_to.year}"
    if lang == "vi":
        flag = "  (tạm thời)" if s.provisional and "tạm thời" not in s.title else ""
        return f"{s.id:<14} danh sách {years}  {s.title}{flag}"
    flag = "  (provisional)" if s.provisional else ""
    return f"{s.id:<14} lists {years}  {s.title_en}{flag}"


def details(s: Standard, lang: str) -> list[str]:
    """The lines that show one standard."""
    vi = lang == "vi"
    title = s.title if vi else s.title_en
    out = [f"{s.id}: {title}", f"  {s.reference} {_mark(s.confidence, lang)}"]
    out.append(f"  {'tệp' if vi else 'source'}: {s.source}")
    years = f"{s.valid_from.year}–{s.valid_to.year}"
    out.append(f"  xác định danh sách các năm {years}" if vi else f"  sets the lists of {years}")
    if s.review is not None:
        r = s.review
        start, end = (_day_month(d) for d in (r.periodic_start, r.periodic_end))
        mark = _mark(r.confidence, lang)
        if vi:
            year = "N+1" if r.sets_next_year else "N"
            out.append(
                f"  rà soát định kỳ từ {start} đến {end} năm N xác định danh sách năm {year}"
                f" — {r.reference} {mark}"
            )
        else:
            year = "N+1" if r.sets_next_year else "N"
            out.append(
                f"  periodic review {r.periodic_start} to {r.periodic_end} (month-day) of year N "
                f"sets the lists of {year} — {r.reference} {mark}"
            )
    if s.provisional:
        note = (s.provisional_note_vi if vi else s.provisional_note_en) or s.reference
        out.append(f"  {'TẠM THỜI' if vi else 'PROVISIONAL'}: {note}")
    inc = s.income
    for key in ("policy_line", "poverty_line", "average_upper", "score_line"):
        v = getattr(inc, key)
        if v is not None:
            rural, urban = number(v.rural, lang), number(v.urban, lang)
            mark = _mark(v.confidence, lang)
            if vi:
                unit = UNIT_VI.get(v.unit, v.unit)
                out.append(
                    f"  {LINE_VI[key]}: nông thôn {rural}, thành thị {urban} {unit}"
                    f" — {v.reference} {mark}"
                )
            else:
                out.append(f"  {key}: rural {rural}, urban {urban} {v.unit} — {v.reference} {mark}")
        elif key != "policy_line":
            out.append(
                f"  {LINE_VI[key]}: chưa công bố (tỉnh bổ sung bằng --export TỆP)"
                if vi
                else f"  {key}: not published (a province adds it: --export FILE)"
            )
    n, cutoff = len(s.indicators), s.deprivation.cutoff
    out.append(
        f"  hộ nghèo khi thiếu hụt từ {cutoff} trong {n} chỉ số trở lên"
        if vi
        else f"  poor when deprived in >= {cutoff} of {n} indicators"
    )
    for code in s.codes:
        ind = s.indicators[code]
        mark = _mark(ind.confidence, lang)
        if vi:
            out.append(f"  {ind.number:>2}. {ind.label_vi} — {ind.reference} {mark}")
        else:
            out.append(f"  {ind.number:>2}. {code:<18} {ind.label_en} — {ind.reference} {mark}")
    return out


def _day_month(month_day: str) -> str:
    month, day = month_day.split("-")
    return f"{int(day)}/{int(month)}"
