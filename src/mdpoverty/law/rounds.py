"""Which standard a review round uses (domain §2a), and the line that says why.

A standard belongs to the period whose lists it sets, not to the date a survey was taken:
the periodic review of year N (its window is data: ``[review]`` of the standard files) sets
the lists of year N+1; a regular review during year N re-assesses under year N's lists. The
survey's dates (the most common round among its rows; ``--as-of`` dates the rows without
one) pick the round, and with no date at all today's date stands in; ``--standard``
overrides the standard, never the round. Rows dated in another round than the
chosen one are warned about, each on its own cell. No month or day from the law is written
here: the window comes from the standard files.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import StandardError
from .standards import Review, Standard, bundled, load_standard

Reason = Literal["as_of", "survey_dates", "today"]


@dataclass(frozen=True)
class ReviewRound:
    """One review round: the periodic review of late ``year``, or the regular reviews
    during ``year``; ``lists_year`` is the year whose lists it sets or re-assesses."""

    periodic: bool
    year: int
    lists_year: int

    @property
    def key(self) -> int:
        """One number per round, in time order (a year's regular reviews, then its periodic)."""
        return self.year * 2 + int(self.periodic)

    @classmethod
    def from_key(cls, key: int, lists_year: int) -> ReviewRound:
        return cls(bool(key % 2), key // 2, lists_year)

    def text(self, lang: str) -> str:
        if lang == "vi":
            if self.periodic:
                return (
                    f"kỳ rà soát định kỳ cuối năm {self.year}, "
                    f"xác định danh sách năm {self.lists_year}"
                )
            return f"kỳ rà soát thường xuyên năm {self.year}, theo danh sách năm {self.lists_year}"
        if self.periodic:
            return (
                f"the periodic review of late {self.year}, which sets the {self.lists_year} lists"
            )
        return f"the regular reviews of {self.year}, under the {self.lists_year} lists"


def rounds_of(
    year: np.ndarray, month: np.ndarray, day: np.ndarray, review: Review
) -> tuple[np.ndarray, np.ndarray]:
    """Per date (float arrays, NaN where unknown): whether it falls in the periodic window,
    and the lists year its round sets (NaN where the date is unknown)."""
    start, end = review.window
    month_day = month * 100 + day
    with np.errstate(invalid="ignore"):
        periodic = (month_day >= start) & (month_day <= end)
    lists = year + (periodic & review.sets_next_year)
    return periodic, np.where(np.isnan(month_day), np.nan, lists)


def round_of_day(day: dt.date, review: Review) -> ReviewRound:
    periodic, lists = rounds_of(
        np.array([day.year], float),
        np.array([day.month], float),
        np.array([day.day], float),
        review,
    )
    return ReviewRound(bool(periodic[0]), day.year, int(lists[0]))


def default_review() -> Review:
    """The review window of the bundled standards (the latest that states one)."""
    for name in reversed(bundled()):
        std = load_standard(name)
        if std.review is not None:
            return std.review
    raise StandardError(
        "no bundled standard states its review window ([review])",
        "không có chuẩn nào nêu thời gian rà soát ([review])",
    )


def standard_for_lists(year: int) -> Standard:
    """The bundled standard that sets the lists of ``year`` (a provisional one only when no
    other does: for 2027 the provisional 2027–2030 standard is the only one)."""
    found = [load_standard(name) for name in bundled()]
    for allow_provisional in (False, True):
        for std in found:
            if std.sets_lists_of(year) and (allow_provisional or not std.provisional):
                return std
    raise StandardError(
        f"no bundled standard sets the lists of {year}; pass --standard",
        f"không có chuẩn nào xác định danh sách năm {year}; hãy dùng --standard",
    )


def standard_for_day(day: dt.date) -> Standard:
    """The bundled standard of the review round ``day`` belongs to."""
    return standard_for_lists(round_of_day(day, default_review()).lists_year)


def _dmy(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def date_range_text(first: dt.date, last: dt.date) -> str:
    """15/10–14/11/2026, or 15/12/2026–14/01/2027 across years, or one date."""
    if first == last:
        return _dmy(first)
    if first.year == last.year:
        return f"{first.day:02d}/{first.month:02d}–{_dmy(last)}"
    return f"{_dmy(first)}–{_dmy(last)}"


@dataclass(frozen=True)
class StandardChoice:
    """Which standard a run used and why: printed on stderr by every command that classes."""

    standard_id: str
    reason: Reason  # what dated the round: the survey's dates, --as-of, or today
    round: ReviewRound
    first: dt.date  # the chosen round's dates (or the --as-of / today date)
    last: dt.date
    override: bool = False  # the standard was given (--standard), not picked
    provisional: bool = False
    note_vi: str = ""
    note_en: str = ""

    @property
    def lists_year(self) -> int:
        return self.round.lists_year

    def _why(self, lang: str) -> str:
        vi = lang == "vi"
        when = self.round.text(lang)
        day = date_range_text(self.first, self.last)
        if self.reason == "as_of":
            return (
                f"ngày --as-of {day} thuộc {when}"
                if vi
                else (f"the --as-of date {day} belongs to {when}")
            )
        if self.reason == "today":
            return (
                f"khảo sát không có ngày rà soát; theo ngày hôm nay {day} (chọn ngày khác "
                f"bằng --as-of), thuộc {when}"
                if vi
                else f"the survey has no survey dates; today's date {day} (set another with "
                f"--as-of) belongs to {when}"
            )
        return (
            f"ngày rà soát {day} thuộc {when}"
            if vi
            else (f"the survey dates {day} belong to {when}")
        )

    def text(self, lang: str = "vi") -> str:
        """The one line: which standard and why."""
        vi = lang == "vi"
        head = f"chuẩn {self.standard_id}" if vi else f"standard {self.standard_id}"
        if self.override:
            head += " (chọn bằng --standard)" if vi else " (chosen with --standard)"
            return head if self.reason == "today" else f"{head}; {self._why(lang)}"
        return f"{head}: {self._why(lang)}"

    def warning(self, lang: str = "vi") -> str:
        """The provisional-standard line ("" for a standard that is not provisional)."""
        if not self.provisional:
            return ""
        return provisional_line(self.standard_id, self.note_vi, self.note_en, lang)


def provisional_line(standard_id: str, note_vi: str, note_en: str, lang: str = "vi") -> str:
    """The one warning line of a run under a provisional standard."""
    if lang == "vi":
        return f"cảnh báo: chuẩn {standard_id} là chuẩn TẠM THỜI" + (
            f": {note_vi}" if note_vi else ""
        )
    return f"warning: standard {standard_id} is PROVISIONAL" + (f": {note_en}" if note_en else "")


def merge_choices(choices: list[StandardChoice]) -> list[StandardChoice]:
    """One choice per standard, reason and round (a district's files in one line), their
    date ranges joined, in first-seen order."""
    out: dict[tuple, StandardChoice] = {}
    for c in choices:
        key = (c.standard_id, c.reason, c.round, c.override)
        seen = out.get(key)
        out[key] = (
            c
            if seen is None
            else replace(seen, first=min(seen.first, c.first), last=max(seen.last, c.last))
        )
    return list(out.values())


@dataclass
class RowRounds:
    """Each survey row's round (key, NaN where undated) and lists year, with the window used."""

    key: np.ndarray
    lists_year: np.ndarray
    dated: np.ndarray


def _date_parts(hh: pd.DataFrame, as_of: dt.date | None) -> tuple[np.ndarray, ...]:
    """Each row's survey date as (year, month, day) floats; a blank date is ``as_of``'s
    (domain §7: survey_date, else --as-of), NaN when there is neither."""

    def part(name: str, default: int | None) -> np.ndarray:
        s = hh.get(f"survey_date_{name}")
        arr = np.full(len(hh), np.nan) if s is None else s.to_numpy(dtype=float, na_value=np.nan)
        if default is not None:
            arr = np.where(np.isnan(arr), default, arr)
        return arr

    return (
        part("year", as_of.year if as_of else None),
        part("month", as_of.month if as_of else None),
        part("day", as_of.day if as_of else None),
    )


def row_rounds(hh: pd.DataFrame, review: Review, as_of: dt.date | None = None) -> RowRounds:
    year, month, day = _date_parts(hh, as_of)
    periodic, lists = rounds_of(year, month, day, review)
    dated = ~np.isnan(lists)
    key = np.where(dated, np.nan_to_num(year) * 2 + periodic, np.nan)
    return RowRounds(key, lists, dated)


def _majority(rows: RowRounds) -> float | None:
    """The most common round among dated rows; a tie goes to the later round."""
    if not rows.dated.any():
        return None
    keys, counts = np.unique(rows.key[rows.dated], return_counts=True)
    best = np.flatnonzero(counts == counts.max())
    return float(keys[best[-1]])


def _dates(hh: pd.DataFrame, as_of: dt.date | None, where: np.ndarray) -> tuple[dt.date, dt.date]:
    y, m, d = (part[where] for part in _date_parts(hh, as_of))
    stamps = (y * 10000 + m * 100 + d).astype(np.int64)
    lo, hi = int(stamps.min()), int(stamps.max())
    return (
        dt.date(lo // 10000, lo // 100 % 100, lo % 100),
        dt.date(hi // 10000, hi // 100 % 100, hi % 100),
    )


def choose(
    hh: pd.DataFrame,
    standard: str | os.PathLike[str] | Standard | None,
    as_of: dt.date | None,
    today: dt.date | None = None,
) -> tuple[Standard, StandardChoice, RowRounds, float | None]:
    """The standard for a survey's households, why, each row's round and the chosen round.

    Each row's date is its survey date, else ``as_of`` (the option's meaning everywhere: the
    date of households without one); the most common round among the rows is the survey's
    round (a tie goes to the later round); with no date at all, today's date stands in as
    ``as_of`` would. ``standard`` (a loaded standard, a bundled id or a path) overrides the
    standard of that round, not the round.
    """
    explicit: Standard | None = None
    if isinstance(standard, Standard):
        explicit = standard
    elif standard is not None:
        explicit = load_standard(standard)
    review = (explicit.review if explicit is not None else None) or default_review()
    rows = row_rounds(hh, review, as_of)
    own = row_rounds(hh, review).dated  # rows with a date of their own
    chosen_key = _majority(rows)
    reason: Reason
    if chosen_key is not None:
        first, last = _dates(hh, as_of, rows.dated & (rows.key == chosen_key))
        rnd = round_of_day(first, review)
        reason = "survey_dates" if own.any() else "as_of"
    else:
        day = today or dt.date.today()
        rnd = round_of_day(day, review)
        reason = "today"
        first = last = day
    std = explicit if explicit is not None else standard_for_lists(rnd.lists_year)
    choice = StandardChoice(
        std.id,
        reason,
        rnd,
        first,
        last,
        override=explicit is not None,
        provisional=std.provisional,
        note_vi=std.provisional_note_vi,
        note_en=std.provisional_note_en,
    )
    return std, choice, rows, chosen_key


__all__ = [
    "ReviewRound",
    "RowRounds",
    "StandardChoice",
    "choose",
    "date_range_text",
    "default_review",
    "merge_choices",
    "provisional_line",
    "round_of_day",
    "rounds_of",
    "standard_for_day",
    "standard_for_lists",
]
