"""``mdpoverty lists``: the lists each agency needs to act (issue 13, item 2).

Parses options, classes the survey, selects the households (:mod:`mdpoverty.reports.support_lists`)
and writes the list: a printable Vietnamese workbook (``-o x.xlsx``), or the tidy table with
codes (CSV, Parquet, JSON), or a table on a terminal.
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import core
from ..errors import UsageError
from ..read.survey import format_for, write_table
from ..support import LISTS, load_agencies
from .common import (
    EXIT_HELP,
    Console,
    Exit,
    _emit,
    common_options,
    handled,
    provisional_note,
    redact_options,
    redactor_for,
    say_standard,
    survey_options,
)

NAMES_VI = {
    "beneficiaries": "hộ được hưởng chính sách",
    "service-gaps": "hộ thiếu hụt theo ngành",
    "stable-work": "hộ chưa có việc làm bền vững",
    "credit": "hộ cần vay vốn",
    "social-protection": "hộ không có khả năng lao động",
}


def _round_line(result) -> str:
    parts = []
    if result.choice is not None:
        r = result.choice.round
        parts.append(f"Kỳ rà soát năm {r.year} (danh sách năm {r.lists_year})")
    parts.append(
        f"chuẩn {result.standard.id}" + (" (tạm thời)" if result.standard.provisional else "")
    )
    return " — ".join(parts)


@click.command(epilog=EXIT_HELP)
@survey_options
@click.option(
    "--list",
    "kind",
    type=click.Choice(LISTS),
    required=True,
    help="Which list: beneficiaries (poor, near-poor and newly escaped households in a support "
    "window, with priority groups), service-gaps (deprived poor and near-poor households by "
    "the agency responsible), stable-work (no working-age member in stable work), credit "
    "(asking for credit, or short of capital or tools), social-protection (no labour "
    "capacity).",
)
@click.option(
    "--agencies",
    "agencies_file",
    type=click.Path(dir_okay=False),
    help="A province's own indicator → agency mapping (TOML, as data/support/agencies.toml) "
    "for --list service-gaps.",
)
@common_options
@redact_options
@handled
def lists(
    survey,
    members,
    standard,
    as_of,
    kind,
    agencies_file,
    output,
    fmt,
    lang,
    quiet,
    verbose,
    redact,
    redact_key_file,
) -> int:
    """Write the list an agency needs to act on SURVEY's results.

    Each list carries the household's ID, head's name, village and commune, sorted by
    commune and village, and states its legal basis in its header. With -o list.xlsx a
    printable Vietnamese workbook (service-gaps: one sheet per agency), a sheet 'Căn cứ'
    (the windows, groups and agency mapping with their references and confidence marks)
    and 'Dữ liệu' (the codes). With .csv/.parquet/.json the tidy table with codes.
    Newly escaped households are counted from poverty_exit_date to the survey date; the
    window's last day is inside.
    """
    red = redactor_for(redact, redact_key_file)
    if agencies_file and kind != "service-gaps":
        raise UsageError(
            "--agencies is for --list service-gaps",
            "--agencies chỉ dùng với --list service-gaps",
        )
    agencies = load_agencies(agencies_file) if kind == "service-gaps" else None
    con = Console(verbose - quiet, lang)
    from ..reports.support_lists import build

    with con.progress():
        result = core.classify(survey, members=members, standard=standard, as_of=as_of, lang=lang)
        std = result.standard
        table = build(
            kind,
            result.households,
            result.extra,
            codes=list(std.codes),
            agencies=agencies,
            as_of=as_of,
        )
    households = table["household_id"].nunique() if len(table) else 0
    if red is not None:
        table = red.frame(table)
    if output:
        path = Path(output)
        fmt = format_for(path, fmt)
        if fmt == "xlsx":
            from ..reports.batch import report
            from ..write.forms_excel import issuer_of
            from ..write.support_lists import write_support_list

            classed = result.households["class"].astype("string").fillna("") != ""
            issuer = issuer_of(report(result, form=("1",))["1"]) if classed.any() else ""
            labels = {c: (std.indicators[c].number, std.indicators[c].label_vi) for c in std.codes}
            note = provisional_note(result.choice, lang)
            write_table(
                table,
                path,
                "xlsx",
                lambda tmp: write_support_list(
                    kind,
                    table,
                    tmp,
                    agencies=agencies,
                    codes=list(std.codes),
                    labels=labels,
                    issuer=issuer,
                    round_line=_round_line(result),
                    note=note,
                ),
            )
        else:
            write_table(table, path, fmt)
    else:
        if fmt in ("xlsx", "parquet"):
            raise UsageError(f"--format {fmt} needs -o FILE", f"--format {fmt} cần -o TỆP")
        _emit(table, fmt if fmt != "table" else None, kind)
    c = result.counts
    con.closing(  # the summary line first, naming the files written
        f"lists {kind}: {households} households of {c['households_classed']} classed "
        f"({c['households_rejected']} not classed, left out)",
        f"danh sách {NAMES_VI[kind]}: {households} hộ trong {c['households_classed']} hộ đã "
        f"phân loại ({c['households_rejected']} hộ chưa phân loại, không tính)",
    )
    say_standard(con, result.choice, result.notes)
    missing = [col for col in _needs(kind) if col not in result.extra]
    if missing:
        con.say(
            f"warning: the survey has no column {', '.join(missing)}: the list may be incomplete",
            f"cảnh báo: phiếu không có cột {', '.join(missing)}: danh sách có thể thiếu",
        )
    return Exit.OK if c["households_rejected"] == 0 and c["households_in"] else Exit.DATA


def _needs(kind: str) -> list[str]:
    from ..support import load_support

    if kind == "credit":
        cfg = load_support()["credit"]
        return [cfg["need"], *cfg["causes"]]
    if kind == "social-protection":
        return ["no_labour_capacity"]
    return []


__all__ = ["lists"]
