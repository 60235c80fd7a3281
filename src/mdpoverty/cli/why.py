"""``mdpoverty why``: why each named household has its class, against the law.

Parses options, calls :func:`mdpoverty.explain` per household and renders what it returns:
text to read aloud (the default), the same structure as JSON (``docs/explain.md``), or a
printable workbook. One summary line goes to stderr; outputs are written atomically.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import core
from ..errors import UsageError
from ..explain import explain
from ..explain_render import text, write_xlsx
from ..write.tables import atomic_path
from .common import Console, Exit, _parse_date, handled, say_standard
from .lang import lang_option

WHY_HELP = (
    "\b\nExit codes:\n"
    "  0  every household explained\n"
    "  1  a household not in the survey, or one not classed (its errors are listed)\n"
    "  2  usage error, or an input file that cannot be read\n"
    "  3  internal error (a bug: please report it)"
)


@click.command(epilog=WHY_HELP)
@click.argument("survey", type=click.Path())
@click.argument("household_ids", nargs=-1, required=True)
@click.option(
    "--members",
    type=click.Path(),
    help="Members CSV/Parquet, when not beside the households file.",
)
@click.option(
    "--previous",
    type=click.Path(),
    help="The previous round (survey, folder or classify output): the household's class "
    "then, its transition (the Form 2/3 column) and what changed.",
)
@click.option(
    "--standard",
    help="Bundled standard id or a TOML file (default: the standard of the survey's round).",
)
@click.option(
    "--as-of",
    callback=_parse_date,
    help="Survey date for households without one (YYYY-MM-DD or dd/mm/yyyy).",
)
@click.option(
    "--format",
    "form",
    type=click.Choice(["text", "json", "xlsx"]),
    help="text (default), json, or xlsx (default: from -o's suffix).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write to this file (format from suffix).",
)
@lang_option
@click.option("-q", "--quiet", count=True, help="Less on stderr (repeatable).")
@click.option("-v", "--verbose", count=True, help="More on stderr (repeatable).")
@handled
def why(
    survey, household_ids, members, previous, standard, as_of, form, output, lang, quiet, verbose
) -> int:
    """Explain why each HOUSEHOLD_ID of SURVEY has its class: the standard and round, the
    income figure against the line, each indicator with the members or facts that decided
    it, the reviewer's overrides, the legal references, the rule that gives the class and
    what would change it; with --previous, the transition. A household with errors gets its
    errors, each located to its cell."""
    if form is None:
        suffix = Path(output).suffix.lower() if output else ""
        form = {".json": "json", ".xlsx": "xlsx"}.get(suffix, "text")
    if form == "xlsx" and not output:
        raise UsageError("--format xlsx needs -o FILE.xlsx", "--format xlsx cần -o TỆP.xlsx")
    con = Console(verbose - quiet, lang)
    result = core.classify(survey, members=members, standard=standard, as_of=as_of, lang=lang)
    prev = None
    if previous:
        from ..reports.batch import load_round

        prev = load_round(previous, standard=standard, as_of=as_of, lang=lang)
    done, missing = [], []
    for hid in household_ids:
        try:
            done.append(explain(result, hid, lang=lang, previous=prev))
        except UsageError as exc:
            missing.append(hid)
            con.say(exc.text("en"), exc.text("vi"), level=-1)
    if form == "json":
        body = json.dumps(done, ensure_ascii=False, indent=2) + "\n"
    elif form == "text":
        body = text(done) if done else ""
    if output:
        with atomic_path(output) as tmp:
            if form == "xlsx":
                write_xlsx(done, tmp)
            else:
                Path(tmp).write_text(body, encoding="utf-8")
    elif done:
        click.echo(body, nl=False)
    unclassed = sum(x["status"] != "classed" for x in done)
    con.closing(  # the summary line first (naming the file written), then the standard
        f"{len(done)} households explained, {unclassed} not classed, {len(missing)} not found",
        f"đã giải thích {len(done)} hộ, {unclassed} hộ chưa phân loại, {len(missing)} hộ không tìm "
        "thấy",
    )
    say_standard(con, result.choice, result.notes)
    return Exit.OK if not missing and not unclassed else Exit.DATA


__all__ = ["why"]
