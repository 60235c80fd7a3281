"""A review round read from one or many files, and the report entry point.

``report()`` is the library call behind ``mdpoverty report`` (GitHub issue 4): read,
validate and class every survey of a round together (several commune workbooks, or a folder
of them), link it to the previous round when one is given, build the official forms of
``shared/domain.md`` §5/§8 and check that they add up before returning them.

A survey may be given as a path (an ``.xlsx`` survey workbook, a households ``.csv`` /
``.parquet`` with its members file beside it, or a classify output with ``household_id``
and ``class`` columns), a folder of those, a :class:`~mdpoverty.core.Result`, a classify
output frame, or a list of any of these.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import Result
from ..engines import is_dataset
from ..errors import InputFileError, UsageError
from ..law.schema import fold, sheet_lookup
from ..law.standards import Standard, load_standard, standard_for_flags
from ..member_table import join_members
from ..progress import stage
from ..validate import ISSUE_COLUMNS
from . import changes, forms, forms_more
from .form_checks import check_forms
from .forms_more import NEED_FLAGS, NEED_MEMBERS

Source = str | os.PathLike | Result | pd.DataFrame
Engine = tuple[str, str | None]  # how a dataset folder's partitions run: (engine, scheduler)
FORMS = tuple(str(i) for i in range(1, 16))
SURVEY_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".parquet")  # what a folder is read for
# the data sheet of `mdpoverty classify -o out.xlsx` (§8 columns and codes); "Kết quả" in
# workbooks written before the lists
OUTPUT_SHEETS = ("Dữ liệu", "Kết quả")
REPORT_SHEET = "Biểu 1"  # a workbook written by `mdpoverty report`: never an input
_TRUE = {"true", "1", "yes", "có", "x"}
_FALSE = {"false", "0", "no", "không", ""}


@dataclass
class Round:
    """One review round: every household of every file, classed (§8 columns), in file order.

    ``extra`` is aligned with ``households`` (survey_date, previous_class, poverty_exit_date
    …); ``issues`` is the issue table of all files with a ``source`` column; ``sources`` the
    files read, in order.
    """

    households: pd.DataFrame
    extra: pd.DataFrame
    issues: pd.DataFrame
    standard: Standard | None
    sources: list[str] = field(default_factory=list)
    # which standard each classed file used and why (StandardChoice), for the stderr line
    choices: list = field(default_factory=list)
    # how each file was read where it was a guess (a CSV's encoding), for stderr
    notes: list = field(default_factory=list)
    # the members (mdpoverty.member_table), ``household_pos`` into ``households``; None when
    # the round was read from classify outputs (no members): Forms 8–15 need a survey
    members: pd.DataFrame | None = None

    @property
    def classed(self) -> pd.Series:
        return self.households["class"].astype("string").fillna("") != ""

    @property
    def counts(self) -> dict[str, int]:
        return round_counts(self.households)

    def unclassed(self) -> pd.DataFrame:
        """Unit keys and members of the households left out (errors in their inputs)."""
        return self.households.loc[~self.classed, [*forms.KEYS, "members"]]

    def survey_year(self) -> int | None:
        return most_common_year(year_counts(self.extra))


def round_counts(households: pd.DataFrame) -> dict[str, int]:
    """Households read, classed and left out, and the persons of those classed (the counts
    of a report's summary line; they add up over files and partitions)."""
    classed = (households["class"].astype("string").fillna("") != "").to_numpy()
    members = pd.to_numeric(households["members"], errors="coerce").fillna(0)
    return {
        "households_in": len(households),
        "households_classed": int(classed.sum()),
        "households_rejected": int((~classed).sum()),
        "persons_classed": int(members[classed].sum()),
    }


def year_counts(extra: pd.DataFrame) -> pd.Series:
    """Households per survey year (``extra``'s ``survey_date``); they add up over parts."""
    dates = extra.get("survey_date")
    if dates is None:
        return pd.Series(dtype="int64")
    years = pd.to_numeric(dates.astype("string").str[:4], errors="coerce").dropna()
    return years.value_counts()


def most_common_year(counts: pd.Series) -> int | None:
    """The year most households were surveyed in (the earlier one on a tie)."""
    if not len(counts):
        return None
    return int(counts.groupby(level=0).sum().sort_index().idxmax())


# ------------------------------------------------------------------------------- reading


def expand(sources: Source | Sequence[Source]) -> list[Source]:
    """Paths, folders and in-memory results → a flat list; a folder gives its survey files
    in name order (members files, hidden files, Excel lock files and reports skipped)."""
    items: Sequence[Source]
    if isinstance(sources, str | os.PathLike | Result | pd.DataFrame):
        items = [sources]
    else:
        items = list(sources)
    out: list[Source] = []
    for item in items:
        if isinstance(item, str | os.PathLike) and is_dataset(item):
            out.append(item)  # a Parquet dataset folder is one survey, classed by partition
        elif isinstance(item, str | os.PathLike) and Path(item).is_dir():
            found = [
                p
                for p in sorted(Path(item).iterdir())
                if p.is_file()
                and p.suffix.lower() in SURVEY_SUFFIXES
                and not p.name.startswith((".", "~$"))
                and not any(w in p.name for w in ("members", "thanh-vien", ".issues."))
                and not _is_report(p)
            ]
            if not found:
                raise InputFileError(
                    f"{item}: no survey files in the folder [file_not_found]",
                    f"{item}: thư mục không có tệp khảo sát [file_not_found]",
                )
            out.extend(found)
        else:
            out.append(item)
    if not out:
        raise UsageError("no survey given", "chưa chọn tệp khảo sát")
    return out


def _sheet_names(path: Path) -> list[str]:
    try:
        import fastexcel

        return list(fastexcel.read_excel(str(path)).sheet_names)
    except Exception:  # the survey reader says what is wrong with the file
        return []


def _has_members_sheet(names: list[str]) -> bool:
    lookup = sheet_lookup()
    return any(lookup.get(fold(n)) == "members" for n in names)


def _is_report(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm") and REPORT_SHEET in _sheet_names(path)


def _parse_bool(col: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(col.dtype):
        return col.astype("boolean")
    text = col.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=col.index, dtype="boolean")
    out[text.isin(_TRUE).fillna(False).to_numpy(bool)] = True
    out[text.isin(_FALSE).fillna(False).to_numpy(bool)] = False
    return out


def read_classify_output(path: Path) -> pd.DataFrame | None:
    """A classify output (``household_id`` and ``class`` columns) as text, else None."""
    suffix = path.suffix.lower()
    need = {"household_id", "class"}
    try:
        if suffix == ".csv":
            if not need <= set(pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns):
                return None
            return pd.read_csv(
                path, dtype="string", keep_default_na=False, na_values=[""], encoding="utf-8-sig"
            )
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            if not need <= set(pq.read_schema(path).names):
                return None
            return pd.read_parquet(path)
        if suffix == ".json":
            records = json.loads(path.read_text(encoding="utf-8"))
            frame = pd.DataFrame(records)
            return frame if need <= set(frame.columns) else None
        if suffix in (".xlsx", ".xlsm"):
            names = _sheet_names(path)
            ours = [n for n in OUTPUT_SHEETS if n in names]
            sheet = ours[0] if ours else (names[0] if names else None)
            if sheet is None or (not ours and _has_members_sheet(names)):
                return None  # a survey workbook: no need to open a sheet to know
            from ..read.safety import check_xlsx

            check_xlsx(path)  # the survey reader's guard first: a far cell aborts calamine
            # the header is row 1, or row 2 under a note line (a provisional standard's)
            for header in (0, 1):
                head = pd.read_excel(
                    path, sheet_name=sheet, nrows=0, header=header, engine="calamine"
                )
                if need <= set(map(str, head.columns)):
                    return pd.read_excel(
                        path, sheet_name=sheet, dtype=str, header=header, engine="calamine"
                    )
            return None
    except InputFileError:
        raise  # a hostile workbook: refused with the survey reader's own line
    except Exception:  # calamine has error types of its own: the survey reader says what is wrong
        return None
    return None


def frame_round(frame: pd.DataFrame, standard: Standard | None = None, source: str = "") -> Round:
    """A :class:`Round` from a classify-output table (§8 columns; ``class`` empty = not
    classed). Missing unit columns are blank, missing ``members`` 0, missing ``agricultural``
    false; ``previous_class`` and ``poverty_exit_date`` columns, when present, go to ``extra``."""
    hh = frame.reset_index(drop=True).copy()
    hh.columns = [str(c) for c in hh.columns]
    for k in ("household_id", *forms.KEYS, "class"):
        hh[k] = (hh[k] if k in hh else pd.Series(pd.NA, index=hh.index)).astype("string")
    hh["class"] = hh["class"].fillna("").str.strip()
    members = hh["members"] if "members" in hh else pd.Series(0, index=hh.index)
    hh["members"] = (
        pd.to_numeric(members, errors="coerce").astype("Float64").round().astype("Int64")
    )
    hh["agricultural"] = (
        _parse_bool(hh["agricultural"])
        if "agricultural" in hh
        else pd.Series(False, index=hh.index)
    ).astype("boolean")
    for c in [c for c in hh.columns if c.startswith("dep_")]:
        hh[c] = _parse_bool(hh[c])
    extra = pd.DataFrame(index=hh.index)
    for c in ("survey_date", "previous_class", "poverty_exit_date"):
        extra[c] = (
            hh[c].astype("string") if c in hh else pd.Series(pd.NA, index=hh.index, dtype="string")
        )
    issues = pd.DataFrame({c: pd.Series(dtype=object) for c in [*ISSUE_COLUMNS, "source"]})
    return Round(hh, extra.reset_index(drop=True), issues, standard, [source] if source else [])


def _result_round(result: Result, source: str) -> Round:
    issues = result.issues.copy()
    issues["source"] = source
    hh = result.households.reset_index(drop=True)
    extra = (
        result.extra.reset_index(drop=True) if len(result.extra) else pd.DataFrame(index=hh.index)
    )
    members = result.members if len(result.members.columns) else None
    return Round(
        hh, extra, issues, result.standard, [source], [result.choice], result.notes, members
    )


def _one(
    item: Source,
    standard: Standard | None,
    as_of: dt.date | None,
    lang: str,
    engine: Engine = ("local", None),
) -> Round:
    from .. import core

    if isinstance(item, Result):
        return _result_round(item, item.source or "<result>")
    if isinstance(item, pd.DataFrame):
        return frame_round(item, standard, "<frame>")
    path = Path(item)
    frame = read_classify_output(path) if path.is_file() else None
    if frame is not None:  # classed already: its flag columns say by which standard
        return frame_round(frame, standard or standard_for_flags(frame.columns), str(path))
    run, scheduler = engine  # a dataset folder's partitions: here or on a Dask cluster
    result = core.classify(
        path, standard=standard, as_of=as_of, lang=lang, engine=run, scheduler=scheduler
    )
    return _result_round(result, str(path))


def _cross_file_duplicates(rounds: list[Round], hh: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Mark a household ID already used in an earlier file as not classed; its issue rows."""
    source = np.repeat(np.arange(len(rounds)), [len(r.households) for r in rounds])
    ids = hh["household_id"].astype("string")
    valid = ids.notna() & (ids != "")
    first_source = pd.Series(source, index=hh.index)[valid].groupby(ids[valid]).transform("first")
    dup = pd.Series(False, index=hh.index)
    dup[valid] = source[valid.to_numpy()] != first_source.to_numpy()
    if not dup.any():
        return pd.DataFrame(columns=[*ISSUE_COLUMNS, "source"])
    names = np.asarray([Path(r.sources[0]).name if r.sources else "" for r in rounds], dtype=object)
    later = names[source[dup.to_numpy()]]
    first = names[first_source[dup[valid]].to_numpy()]
    dup_ids = ids[dup].to_numpy(dtype=object)
    extra = pd.concat([r.extra.reset_index(drop=True) for r in rounds], ignore_index=True)
    where = dup.to_numpy()
    sheet = extra["sheet"].to_numpy(dtype=object)[where] if "sheet" in extra else ""
    row = extra["row"].to_numpy(dtype=object)[where] if "row" in extra else [pd.NA] * len(dup_ids)
    vi = [
        f"mã hộ '{i}' đã có trong tệp {f}; hộ ở tệp này không được dùng"
        for i, f in zip(dup_ids, first, strict=True)
    ]
    en = [
        f"household ID '{i}' already appears in {f}; this row is not used"
        for i, f in zip(dup_ids, first, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "sheet": sheet,
            "row": pd.array(row, dtype="Int64"),
            "column": "household_id",
            "value": dup_ids,
            "check": "duplicate_id",
            "severity": "error",
            "message": vi if lang == "vi" else en,
            "household_id": dup_ids,
            "field": "household_id",
            "message_vi": vi,
            "message_en": en,
            "source": later,
        }
    )
    hh.loc[dup, "class"] = ""
    return frame


#: Files of a round read at once. Each file already reads its two sheets in two threads
#: (fastexcel releases the GIL); one file more than the cores keeps them busy while another
#: file is validated. Measured on 25 village workbooks of 100,000 households, 2 cores:
#: 8.5 s one at a time, 6.2 s three at a time (bench/bench_district.py).
FILES_AT_ONCE = min(8, (os.cpu_count() or 1) + 1)


def _load_all(
    items: list[Source],
    std: Standard | None,
    as_of: dt.date | None,
    lang: str,
    engine: Engine = ("local", None),
) -> list[Round]:
    """Every item of a round, several files at once; results in order, and the first
    failure in file order is the one raised (as if read one after the other)."""
    if len(items) < 2:  # one file: its own stages (read, validate, classify) say it all
        return [_one(item, std, as_of, lang, engine) for item in items]
    with stage("files", len(items)) as progress:
        if FILES_AT_ONCE < 2:
            out = []
            for item in items:
                out.append(_one(item, std, as_of, lang, engine))
                progress.advance()
            return out
        from concurrent.futures import ThreadPoolExecutor, wait

        pool = ThreadPoolExecutor(max_workers=min(FILES_AT_ONCE, len(items)))
        try:
            # each file in a fresh context (as threads start on Python 3.11): its stages
            # reach no reporter, whatever a newer Python lets threads inherit
            futures = [
                pool.submit(contextvars.Context().run, _one, item, std, as_of, lang, engine)
                for item in items
            ]
            pending = set(futures)
            while pending:  # the count as files finish; the worker threads report nothing
                finished, pending = wait(pending, return_when="FIRST_COMPLETED")
                progress.advance(len(finished))
                if any(f.exception() is not None for f in finished):
                    break  # the first failure in file order is raised below
            return [f.result() for f in futures]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # an error or a signal: start no more


def load_round(
    surveys: Source | Sequence[Source],
    *,
    standard: str | os.PathLike[str] | Standard | None = None,
    as_of: dt.date | None = None,
    lang: str = "vi",
    engine: str = "local",
    scheduler: str | None = None,
) -> Round:
    """Read, validate and class every survey of a round together (files, folders, results).

    A household ID used in an earlier file is an error on the later file's row (the first
    stands, as within a workbook, §7): that household is not classed. All files must be
    classed under standards with the same indicators, else :class:`UsageError`. A Parquet
    dataset folder's partitions run on ``engine`` (``local``, or ``dask`` with ``scheduler``
    the address of a cluster; see :func:`mdpoverty.core.classify`).
    """
    if isinstance(surveys, Round):
        return surveys
    std = load_standard(standard) if isinstance(standard, str | os.PathLike) else standard
    rounds = _load_all(expand(surveys), std, as_of, lang, (engine, scheduler))
    codes = {tuple(r.standard.codes) for r in rounds if r.standard is not None}
    if len(codes) > 1:
        ids = sorted({r.standard.id for r in rounds if r.standard is not None})
        raise UsageError(
            f"the files are classed under different standards ({', '.join(ids)}); pass --standard",
            f"các tệp được phân loại theo các chuẩn khác nhau ({', '.join(ids)}); "
            "hãy chọn --standard",
        )
    hh = pd.concat([r.households for r in rounds], ignore_index=True)
    extra = pd.concat(
        [r.extra.reindex(range(len(r.households))) for r in rounds], ignore_index=True
    )
    issue_frames = [r.issues for r in rounds if len(r.issues)]
    hh["class"] = hh["class"].astype("string").fillna("")
    dup_issues = _cross_file_duplicates(rounds, hh, lang) if len(rounds) > 1 else None
    if dup_issues is not None and len(dup_issues):
        issue_frames.append(dup_issues)
    issues = (
        pd.concat(issue_frames, ignore_index=True)
        if issue_frames
        else pd.DataFrame(columns=[*ISSUE_COLUMNS, "source"])
    )
    std_final = next((r.standard for r in rounds if r.standard is not None), None)
    if std_final is None:
        std_final = load_standard("vn-2022-2025")
    return Round(
        hh,
        extra,
        issues,
        std_final,
        [s for r in rounds for s in r.sources],
        [c for r in rounds for c in r.choices if c is not None],
        [n for r in rounds for n in r.notes],
        _members(rounds),
    )


def _members(rounds: list[Round]) -> pd.DataFrame | None:
    """The members of every file, their household positions moved to the joined round's;
    None unless every file has its members."""
    if any(r.members is None for r in rounds):
        return None
    return join_members([r.members for r in rounds], [len(r.households) for r in rounds])


# ------------------------------------------------------------------------------- the report


def parse_forms(form: str | int | Iterable[str | int]) -> list[str]:
    """ "all", "1".."5", 3, or a list of them → the forms in order."""
    items = [form] if isinstance(form, str | int) else list(form)
    out: list[str] = []
    for f in items:
        text = str(f).strip().lower()
        picked = list(FORMS) if text == "all" else [p.strip() for p in text.split(",")]
        for p in picked:
            if p not in FORMS:
                raise UsageError(
                    f"unknown form {f!r}: use 1 to 15, several (1,4,10) or all",
                    f"không có biểu {f!r}: dùng 1 đến 15, nhiều biểu (1,4,10) hoặc all",
                )
            if p not in out:
                out.append(p)
    return sorted(out, key=int)


def has_previous_column(current: Round) -> bool:
    prev = current.extra.get("previous_class")
    return prev is not None and bool(prev.notna().any())


def on_current_map(previous: Round, current: Round) -> Round:
    """The previous round on the current round's map (rounds across the 2025 reform, §2b:
    see :func:`~mdpoverty.reports.changes.on_current_map`); the same round when both rounds
    are on one map."""
    moved = changes.on_current_map(previous.households, current.households)
    if moved is previous.households:
        return previous
    return replace(previous, households=moved)


def build_forms(
    current: Round, wanted: Sequence[str], previous: Round | None = None
) -> dict[str, pd.DataFrame]:
    """The form frames of ``wanted`` for a loaded round; Forms 2/3 need ``previous`` or a
    ``previous_class`` column (else they are skipped when the caller asked for all forms,
    and a :class:`UsageError` when asked for by number).

    The units are the current round's (with the previous round's where both are on one map);
    across the 2025 reform the previous round is first moved onto the current map
    (:func:`on_current_map`), and Forms 1, 4 and 5 list the current units only. Form 1's
    average-living-standard columns are empty when the standard has no such band."""
    hh = current.households
    if previous is not None:
        previous = on_current_map(previous, current)
    link = None
    can_change = previous is not None or has_previous_column(current)
    if can_change and ("2" in wanted or "3" in wanted):
        link = changes.link_rounds(
            hh,
            current.extra,
            previous.households if previous is not None else None,
            previous.extra if previous is not None else None,
        )
    order = forms.unit_order(hh, link) if link is not None else forms.unit_order(hh)
    # the row of households of a unit gone in the reform is Forms 2/3's alone
    current_order = order[order["commune"] != changes.GONE_UNIT].reset_index(drop=True)
    out: dict[str, pd.DataFrame] = {}
    if "1" in wanted:
        band = forms.has_average_band(current.standard) if current.standard is not None else True
        out["1"] = forms.form1(hh, current_order, average_band=band)
    if "2" in wanted or "3" in wanted:
        if link is None:
            raise UsageError(
                "Forms 2 and 3 need the previous round: --previous, or a previous_class column",
                "Biểu 2 và 3 cần kết quả kỳ trước: --previous, hoặc cột Phân loại đầu kỳ",
            )
        unclassed = current.unclassed()
        if previous is not None:
            unclassed = pd.concat([unclassed, previous.unclassed()], ignore_index=True)
        for f in ("2", "3"):
            if f in wanted:
                out[f] = changes.change_form(link, f, order, unclassed)
    if "4" in wanted or "5" in wanted:
        codes = current.standard.codes if current.standard is not None else []
        f4 = forms.form4(hh, codes, current_order)
        if "4" in wanted:
            out["4"] = f4
        if "5" in wanted:
            out["5"] = forms.form5(f4)
    std = current.standard
    out.update(
        forms_more.build_more(
            current.households, current.extra, current.members, std, wanted, current_order
        )
    )
    return {k: out[k] for k in sorted(out, key=int)}


def map_notes(rounds: Sequence[tuple[str, Round | None]]) -> list[tuple[str, str]]:
    """Warnings (en, vi) about the map of the rounds: a province where some households have
    a district and others none (shown as a "(không có huyện)" group, never merged) — one per
    round and province; and rounds classed under different standards (the 2025 round under
    2022–2025, the 2026 round under 2027–2030), whose changes are not the households' alone.
    ``rounds``: (label, round), the label "" for the current round first."""
    out = []
    for label, r in rounds:
        if r is None:
            continue
        prefix_en = f"{label}: " if label else ""
        prefix_vi = "kỳ trước: " if label else ""
        for row in forms.district_gaps(r.households).itertuples(index=False):
            out.append(
                (
                    f"{prefix_en}{row.province or '(no province)'}: {row.without_district} "
                    f"households have no district while {row.with_district} have one; they "
                    f"are reported under '{forms.NO_DISTRICT}' — fill the district column (or "
                    "blank it everywhere for a round since 1 July 2025)",
                    f"{prefix_vi}{row.province or '(không rõ tỉnh)'}: {row.without_district} hộ "
                    f"không ghi huyện trong khi {row.with_district} hộ có; các hộ này được "
                    f"tổng hợp vào dòng '{forms.NO_DISTRICT}' — hãy điền cột huyện (hoặc để "
                    "trống toàn bộ nếu là kỳ rà soát sau 1/7/2025)",
                )
            )
    standards = [r.standard.id for _, r in rounds if r is not None and r.standard is not None]
    if len(set(standards)) > 1:
        now, before = standards[0], standards[-1]
        out.append(
            (
                f"the rounds were classed under different standards ({now}; previous round "
                f"{before}): a change of class or of a rate mixes the change of the standard "
                "(its lines and indicators) with the households' own change",
                f"hai kỳ được phân loại theo hai chuẩn khác nhau ({now}; kỳ trước {before}): "
                "biến động hộ và tỷ lệ gồm cả phần do thay đổi chuẩn (chuẩn thu nhập, chỉ số), "
                "không chỉ do hộ thay đổi",
            )
        )
    return out


#: Under Forms 2/3 when the rounds are on two maps (the 2025 reform): how they were laid out.
REFORM_NOTE = (
    "the previous round has districts and this one has none (or the other way round): the form "
    "is laid out on this round's units; households are placed by their ID, a household gone "
    "in the commune where it was if that commune still stands, else in the row "
    f"'{changes.GONE_UNIT}' of its province",
    "kỳ trước có cấp huyện, kỳ này không (hoặc ngược lại): biểu lập theo các đơn vị của kỳ "
    "này; hộ được xếp theo mã hộ, hộ không còn trong kỳ này xếp vào xã cũ nếu xã đó vẫn còn, "
    f"nếu không thì vào dòng '{changes.GONE_UNIT}' của tỉnh",
)


def form_notes(
    current: Round, frames: dict[str, pd.DataFrame], previous: Round | None = None
) -> dict[str, list[tuple[str, str]]]:
    """Notes (en, vi) written under a form: Form 1 without its average-living-standard
    columns when the standard publishes no band (§3, the provisional 2027–2030 standard);
    Forms 2/3 of rounds across the 2025 reform, laid out on the current map."""
    out: dict[str, list[tuple[str, str]]] = {}
    std = current.standard
    if "1" in frames and std is not None and not forms.has_average_band(std):
        en, vi = forms.NO_BAND_NOTE
        out["1"] = [(en.format(standard=std.id), vi.format(standard=std.id))]
    if previous is not None and changes.maps_differ(current.households, previous.households):
        for f in ("2", "3"):
            if f in frames:
                out[f] = [REFORM_NOTE]
    return out


def report(
    surveys: Source | Sequence[Source] | Round,
    *,
    form: str | int | Iterable[str | int] = "all",
    previous: Source | Sequence[Source] | Round | None = None,
    standard: str | os.PathLike[str] | Standard | None = None,
    as_of: dt.date | None = None,
) -> dict[str, pd.DataFrame]:
    """The official report forms (``shared/domain.md`` §5, §8) as tidy frames, keyed "1"–"5".

    ``surveys``: the current round — file(s), folder(s), :class:`Result`, classify-output
    frame, or a loaded :class:`Round`; read, validated and classed together. ``previous``:
    the previous round in any of those shapes (a survey is classed; a classify output is
    read as is); without it, Forms 2/3 use the survey's ``previous_class`` column. An
    explicit ``standard`` applies to both rounds (else each file's survey date picks it);
    ``as_of`` only to the current round. ``form="all"`` gives every form that can be made
    (Forms 2/3 only with a previous round, Forms 4/5 only with the deprivation flags).
    Households with errors are left out of the counts and counted per unit in
    ``not_classed``.

    Raises :class:`~mdpoverty.reports.form_checks.ReportCheckError` if the forms do not add up
    (subtotals, rates, Forms 2/3 balance, figures shared between forms): never the case for
    frames built here, so it means a bug.

    >>> import mdpoverty
    >>> forms = mdpoverty.report(  # doctest: +SKIP
    ...     "examples/survey.xlsx", previous="examples/previous-round.xlsx"
    ... )
    >>> forms["1"][["number", "unit", "households", "poor_households"]]  # doctest: +SKIP
    """
    wanted = parse_forms(form)
    explicit = not (isinstance(form, str) and form.strip().lower() == "all")
    current = load_round(surveys, standard=standard, as_of=as_of)
    prev = None
    if previous is not None:
        prev = load_round(previous, standard=standard)
    if not explicit and prev is None and not has_previous_column(current):
        wanted = [f for f in wanted if f not in ("2", "3")]
    codes = current.standard.codes if current.standard is not None else []
    if not explicit and any(f"dep_{c}" not in current.households for c in codes):
        wanted = [f for f in wanted if f not in NEED_FLAGS]
    if not explicit and current.members is None:
        wanted = [f for f in wanted if f not in NEED_MEMBERS]
    out = build_forms(current, wanted, prev)
    check_forms(out)
    return out


def change_list(
    previous: Source | Sequence[Source] | Round,
    current: Source | Sequence[Source] | Round,
    *,
    standard: str | os.PathLike[str] | Standard | None = None,
    as_of: dt.date | None = None,
    changed_only: bool = False,
) -> pd.DataFrame:
    """The per-household change list between two rounds (``mdpoverty changes``, §4)."""
    prev = load_round(previous, standard=standard)
    cur = load_round(current, standard=standard, as_of=as_of)
    prev = on_current_map(prev, cur)
    link = changes.link_rounds(cur.households, cur.extra, prev.households, prev.extra)
    return changes.change_list(link, changed_only=changed_only)


__all__ = [
    "FORMS",
    "Round",
    "build_forms",
    "change_list",
    "expand",
    "form_notes",
    "frame_round",
    "load_round",
    "map_notes",
    "on_current_map",
    "parse_forms",
    "read_classify_output",
    "report",
]
