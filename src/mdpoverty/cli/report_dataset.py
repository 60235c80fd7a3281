"""``mdpoverty report`` on a Parquet dataset folder: the forms that are sums by commune,
built partition by partition (:mod:`mdpoverty.reports.partitioned`), written like a
round's forms."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..law.standards import Standard
from ..read.survey import format_for
from ..reports.forms import NO_BAND_NOTE, has_average_band
from ..reports.partitioned import SUMMED, DatasetReport, report_dataset
from .common import Console, Exit, say_standard
from .report import _warn, _write, not_classed_lines, tally_text


@dataclass
class _Tally:
    """What the forms writer reads of a round (:func:`.cli_report._write`)."""

    standard: Standard
    issues: pd.DataFrame
    year: int | None

    def survey_year(self) -> int | None:
        return self.year


def _notes(rep: DatasetReport) -> dict[str, list[tuple[str, str]]]:
    if "1" in rep.frames and not has_average_band(rep.standard):
        en, vi = NO_BAND_NOTE
        return {"1": [(en.format(standard=rep.standard.id), vi.format(standard=rep.standard.id))]}
    return {}


def report_dataset_cli(
    survey, wanted, standard, as_of, output, fmt, lang, verbosity, red, engine, scheduler
) -> int:
    """The dataset's summed forms among ``wanted``; the others are said to need --form."""
    con = Console(verbosity, lang)
    summed = [f for f in wanted if f in SUMMED]
    left = [f for f in wanted if f not in SUMMED and f not in ("2", "3")]
    with con.progress():
        rep = report_dataset(
            survey,
            summed,
            standard=standard,
            as_of=as_of,
            lang=lang,
            engine=engine,
            scheduler=scheduler,
        )
        frames, notes = rep.frames, _notes(rep)
        if red is not None:  # counts only: nothing to redact but the unit names stay
            frames = {k: red.frame(v) for k, v in frames.items()}
        tally = _Tally(rep.standard, rep.errors, rep.survey_year)
        if output:
            _write(frames, tally, output, fmt, notes)
    if not output:
        _write(frames, tally, output, fmt, notes)
    where = []
    if output and len(rep.errors) and format_for(output, fmt) == "xlsx":
        from ..write.forms_excel import UNCLASSED_SHEET
        from .progress import sheet_of

        where.append(sheet_of(lang, output, UNCLASSED_SHEET))
    text = tally_text(rep.counts, rep.units, lang)
    done = ", ".join(frames)
    con.closing(
        f"report: {text}; forms {done}",
        f"báo cáo: {text}; biểu {done}",
        (len(rep.errors), rep.warnings, where),
    )
    say_standard(con, rep.choices, rep.notes)
    if "2" in wanted or "3" in wanted:
        con.say(
            "forms 2 and 3 skipped: a dataset folder is compared with a previous round by "
            "--form 2,3 --previous, in memory",
            "bỏ qua biểu 2 và 3: so sánh thư mục dữ liệu với kỳ trước bằng --form 2,3 "
            "--previous (xử lý trong bộ nhớ)",
        )
    if left:
        con.say(
            f"forms {', '.join(left)} skipped: of a dataset folder they need the whole round in "
            f"memory; name them with --form {','.join(left)} to build them so",
            f"bỏ qua biểu {', '.join(left)}: với thư mục dữ liệu, các biểu này cần cả kỳ rà soát "
            f"trong bộ nhớ; chọn --form {','.join(left)} để lập theo cách đó",
        )
    _warn(
        con,
        [(f"Form {f}: {en}", f"Biểu {f}: {vi}") for f, lines in notes.items() for en, vi in lines],
        ("note", "ghi chú"),
    )
    if rep.counts["households_rejected"]:
        not_classed_lines(con, rep.unclassed)
    ok = rep.counts["households_rejected"] == 0 and rep.counts["households_in"]
    return Exit.OK if ok else Exit.DATA


__all__ = ["SUMMED", "report_dataset_cli"]
