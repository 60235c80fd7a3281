"""The survey handed back with its errors marked: a copy of the officer's own workbook where
every cell with an issue is filled red (error) or amber (warning) and carries an Excel comment
(the message and how to fix it), behind a first sheet listing the issues with links to them.

The copy is made by rewriting the zip, not by loading the workbook: every part the marks do
not touch is copied as it is (themes, images, other sheets, data validation, merged cells,
column widths, defined names), and a marked sheet's XML is streamed and edited only on its
marked rows, so a 100,000-household workbook is annotated in seconds and keeps everything
openpyxl would lose. What changes:

- the marked sheets: a style index (``s="N"``) on each marked cell (a cell that does not
  exist yet, a blank one, is inserted) and a ``<legacyDrawing>`` for the comments;
- ``styles.xml``: two fills, and per (style of a marked cell, severity) a clone of that cell
  format with the fill, so number and date formats survive; fonts for the issue list;
- new parts: ``commentsN.xml`` + ``vmlDrawingN.vml`` per marked sheet and the issue sheet,
  with their relationships and content types; ``workbook.xml`` lists the issue sheet first.

A sheet that already has comments or a legacy drawing, or XML written with namespace
prefixes, is annotated through openpyxl instead (slower, keeps less, but merges comments).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from ..errors import MdpovertyError, UsageError
from ..progress import stage
from . import ooxml
from .issue_parts import (
    AUTHOR,
    FIX,
    HEADERS,
    MAX_COMMENT,
    SEVERITY,
    SHEET_TITLE,
    WIDTHS,
    comments_xml,
    fix_text,
    issue_rows,
    issue_sheet_xml,
    merge_comments,
    merge_vml,
    sheet_title,
    vml_blocks,
    vml_ids,
    vml_xml,
)
from .ooxml import Fallback, col_letters, sheet_ref
from .sheet_xml import FILLS, Mark, edit_sheet, header_texts, top_rows

# The marked sheets are deflated again. On the members sheet of the 100,000-household
# benchmark, zlib level 2 deflates as fast as level 1 and 5 % smaller, 3.4x faster than
# level 6 (what openpyxl and Excel use), for a part 20 % larger.
COMPRESSLEVEL = 2


@dataclass
class Annotated:
    """What :func:`annotate_workbook` did: cells marked, issues listed, how it was written."""

    path: Path
    marked_cells: int
    listed: int
    engine: str  # "zip" (the fast rewrite) or "openpyxl"
    note: str = ""  # why openpyxl was used
    # each issue's marked cell ("C12"), aligned with the issues (None: no cell to mark), and
    # its sheet: for links from another workbook to the cell
    refs: list[str | None] = field(default_factory=list)


def annotate_target(survey: str | Path, path: str | Path | None = None) -> Path:
    """Where the annotated copy of ``survey`` goes (``survey.checked.xlsx`` by default).

    Raises :class:`UsageError` for a survey that is not an .xlsx workbook, or a target that
    would overwrite the survey: before any work is done.
    """
    src = Path(survey)
    if src.suffix.lower() != ".xlsx":
        raise UsageError(
            f"{src}: --annotate marks cells in an .xlsx workbook; this survey is "
            f"{src.suffix or 'not a workbook'} (the issue table locates every problem instead)",
            f"{src}: --annotate chỉ đánh dấu được ô trong tệp Excel .xlsx; khảo sát này là "
            f"{src.suffix or 'tệp không phải Excel'} (hãy dùng bảng lỗi để tìm từng lỗi)",
        )
    target = Path(path) if path else src.with_name(f"{src.stem}.checked.xlsx")
    if target.suffix.lower() != ".xlsx":
        raise UsageError(
            f"{target}: the annotated workbook must be an .xlsx file",
            f"{target}: tệp đánh dấu lỗi phải là tệp .xlsx",
        )
    if target.resolve() == src.resolve():
        raise UsageError(
            f"{target}: the annotated copy would overwrite the survey; choose another name",
            f"{target}: bản đánh dấu lỗi sẽ ghi đè lên tệp khảo sát; hãy chọn tên khác",
        )
    return target


def _header_row(rows: dict[int, dict[int, str]], wanted: set[str]) -> int | None:
    """The header row: the one the reader would pick (most known headers), else the one with
    most of the issues' column texts."""
    from ..law.schema import SHEETS, fold, header_lookup

    lookups = [header_lookup(kind) for kind in SHEETS]
    best, best_score = None, 0
    for r in sorted(rows):
        folded = {fold(text) for text in rows[r].values()}
        score = max(len({lk[f] for f in folded if f in lk}) for lk in lookups)
        if score > best_score:
            best, best_score = r, score
    if best is not None and best_score >= 2:
        return best
    counts = {r: len(wanted & set(cells.values())) for r, cells in rows.items()}
    r = max(counts, key=lambda k: (counts[k], -k), default=None)
    return r if r is not None and counts[r] else None


def _note(issue, lang: str) -> str:
    sev = SEVERITY[lang].get(issue.severity, issue.severity)
    msg = getattr(issue, f"message_{lang}", None) or issue.message
    fix = fix_text(issue.check, lang)
    text = f"[{sev}] {msg}"
    return text + (f"\n{FIX[lang]}: {fix}" if fix else "")


def locate(
    zin: zipfile.ZipFile,
    wb_part: str,
    sheets: list[ooxml.SheetInfo],
    issues: pd.DataFrame,
    lang: str,
) -> tuple[dict[str, dict[int, dict[int, Mark]]], list[str | None]]:
    """Marks per sheet part (row -> column -> mark), and each issue's cell reference (None
    when it has no cell: a whole-file issue, or a column the sheet does not have)."""
    by_name = {s.name: s for s in sheets}
    marks: dict[str, dict[int, dict[int, Mark]]] = {}
    refs: list[str | None] = [None] * len(issues)
    columns: dict[str, tuple[int | None, dict[str, int], dict[str, int]]] = {}
    for name in issues["sheet"].dropna().unique():
        info = by_name.get(str(name))
        if info is None:
            continue
        rows = header_texts(zin, wb_part, top_rows(zin, info.part))
        wanted = set(issues.loc[issues["sheet"] == name, "column"].dropna().astype(str).str.strip())
        hr = _header_row(rows, wanted)
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        for c, text in sorted((rows.get(hr) or {}).items()):
            first.setdefault(text, c)
            last[text] = c
        columns[str(name)] = (hr, first, last)
    for i, issue in enumerate(issues.itertuples(index=False)):
        sheet = issue.sheet if isinstance(issue.sheet, str) else None
        if sheet not in columns or pd.isna(issue.row) or not isinstance(issue.column, str):
            continue
        hr, first, last = columns[sheet]
        row = int(issue.row)
        text = issue.column.strip()
        col = (last if row == hr else first).get(text)
        if col is None:
            continue  # a missing column: listed, nothing to mark
        refs[i] = f"{col_letters(col)}{row}"
        cell = marks.setdefault(by_name[sheet].part, {}).setdefault(row, {}).setdefault(col, Mark())
        cell.add(issue.severity, _note(issue, lang))
    return marks, refs


def _zip_annotate(source: Path, tmp: Path, issues: pd.DataFrame, lang: str) -> Annotated:
    with zipfile.ZipFile(source) as zin:
        names = set(zin.NameToInfo)
        wb_part = ooxml.workbook_part(zin)
        sheets = ooxml.worksheets(zin, wb_part)
        marks, refs = locate(zin, wb_part, sheets, issues, lang)
        wb_rels = ooxml.relationships(zin, wb_part)
        styles_part = next(
            (
                ooxml.resolve(wb_part, r["Target"])
                for r in wb_rels
                if r.get("Type") == ooxml.REL_STYLES
            ),
            None,
        )
        if styles_part is None or styles_part not in names:
            raise Fallback("workbook without styles.xml")
        styles = ooxml.Styles(zin.read(styles_part))
        sheet_rels = {s.part: ooxml.relationships(zin, s.part) for s in sheets}
        # names of the new parts
        new_parts: dict[str, bytes] = {}
        overrides: list[tuple[str, str]] = []
        edits: dict[str, tuple[str | None, bool]] = {}  # sheet part -> (legacy rel id, unselect)
        taken = set(names)
        claimed = set().union(*(vml_ids(zin.read(n)) for n in names if n.endswith(".vml")))
        block = max([100, *(b + 1 for b in claimed)])  # VML shape-id blocks no drawing uses
        for s in sheets:
            cells = marks.get(s.part)
            if not cells:
                continue
            rels = sheet_rels[s.part]
            flat = sorted(((r, c, m) for r, cols in cells.items() for c, m in cols.items()))
            refs_marks = [(f"{col_letters(c)}{r}", m) for r, c, m in flat]
            comments = [r for r in rels if r.get("Type") == ooxml.REL_COMMENTS]
            vmls = [r for r in rels if r.get("Type") == ooxml.REL_VML]
            if any("threadedComment" in r.get("Type", "") for r in rels):
                raise Fallback(f"sheet {s.name!r} has threaded comments")
            if len(comments) > 1 or len(vmls) > 1 or (vmls and not comments):
                raise Fallback(f"sheet {s.name!r} has a legacy drawing of its own")
            add: list[tuple[str, str, str]] = []
            rel_ids = [r["Id"] for r in rels]
            had: set[str] = set()
            if comments:  # the officer's own comments: ours are added to them
                cpart = ooxml.resolve(s.part, comments[0]["Target"])
                new_parts[cpart], had = merge_comments(zin.read(cpart), refs_marks)
            else:
                cpart, _ = ooxml.free_name(taken, "xl/comments{}.xml")
                taken.add(cpart)
                new_parts[cpart] = comments_xml(refs_marks)
                add.append((ooxml.rel_id(rel_ids, 1), ooxml.REL_COMMENTS, "/" + cpart))
                overrides.append((cpart, ooxml.CT_COMMENTS))
            shapes = [(r, c, m) for r, c, m in flat if f"{col_letters(c)}{r}" not in had]
            if vmls:
                vpart = ooxml.resolve(s.part, vmls[0]["Target"])
                new_parts[vpart] = merge_vml(zin.read(vpart), shapes, block)
                edits[s.part] = (None, True)
            else:
                vpart, _ = ooxml.free_name(taken, "xl/drawings/vmlDrawing{}.vml")
                taken.add(vpart)
                new_parts[vpart] = vml_xml(shapes, block)
                rid_v = ooxml.rel_id(rel_ids, 2)
                add.append((rid_v, ooxml.REL_VML, "/" + vpart))
                edits[s.part] = (rid_v, True)
            block += vml_blocks(len(shapes))
            if add:
                rels_name = ooxml.rels_name(s.part)
                new_parts[rels_name] = ooxml.add_rels(
                    zin.read(rels_name) if rels_name in names else None, add
                )
        for s in sheets:  # a selected tab left unselected: the issue sheet is the one shown
            if s.part not in edits:
                with zin.open(s.part) as fh:
                    if re.search(rb'tabSelected="(?:1|true)"', fh.read(64 * 1024)):
                        edits[s.part] = (None, True)

        title = sheet_title([s.name for s in sheets], lang)
        ipart, _ = ooxml.free_name(taken, "xl/worksheets/mdpovertyIssues{}.xml")
        wb_rid = ooxml.rel_id((r["Id"] for r in wb_rels), 1)
        overrides.append((ipart, ooxml.CT_WORKSHEET))
        new_parts[ooxml.rels_name(wb_part)] = ooxml.add_rels(
            zin.read(ooxml.rels_name(wb_part)), [(wb_rid, ooxml.REL_WORKSHEET, "/" + ipart)]
        )
        new_parts[wb_part] = ooxml.workbook_xml(zin.read(wb_part), title, wb_rid)
        new_parts["[Content_Types].xml"] = ooxml.content_types(
            zin.read("[Content_Types].xml"), overrides, bool(marks)
        )
        new_parts[ipart] = issue_sheet_xml(issues, refs, lang, styles)

        infos = {info.filename: info for info in zin.infolist()}
        spooled = _edit_sheets(source, tmp, {n: infos[n] for n in edits}, edits, marks, styles)
        try:
            with zipfile.ZipFile(
                tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL
            ) as zout:
                zout.writestr(
                    ooxml.member("[Content_Types].xml", infos.get("[Content_Types].xml")),
                    new_parts.pop("[Content_Types].xml"),
                )
                for name, info in infos.items():
                    if name == "[Content_Types].xml" or name == styles_part:
                        continue
                    if name in spooled:
                        ooxml.put_deflated(zout, name, info, spooled[name])
                    elif name in new_parts:
                        zout.writestr(ooxml.member(name, info), new_parts.pop(name))
                    else:
                        ooxml.copy_member(zin, zout, info)
                for name, data in new_parts.items():
                    zout.writestr(ooxml.member(name), data)
                zout.writestr(ooxml.member(styles_part, infos[styles_part]), styles.render())
        finally:
            for part in spooled.values():
                part.path.unlink(missing_ok=True)
    cells = sum(len(cols) for rows in marks.values() for cols in rows.values())
    return Annotated(tmp, cells, len(issues), "zip", refs=refs)


def _edit_sheets(source, tmp, infos, edits, marks, styles) -> dict[str, ooxml.Deflated]:
    """Each sheet to edit, streamed through :func:`edit_sheet` and deflated into a spool file
    beside the output, the sheets side by side on threads (zlib runs without the GIL)."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    def one(name: str) -> ooxml.Deflated:
        rid, unselect = edits[name]
        spool = tmp.with_name(f"{tmp.name}.{len(name)}-{abs(hash(name))}.part")
        with zipfile.ZipFile(source) as zin, zin.open(infos[name]) as fh:
            chunks = iter(lambda: fh.read(ooxml.CHUNK), b"")
            pieces = edit_sheet(chunks, marks.get(name, {}), styles, rid, unselect)
            try:
                return ooxml.deflate(pieces, spool, COMPRESSLEVEL)
            except BaseException:
                spool.unlink(missing_ok=True)
                raise

    done: dict[str, ooxml.Deflated] = {}
    workers = max(1, min(len(infos), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(one, name) for name in infos}
        try:
            for name, future in futures.items():
                done[name] = future.result()
        except BaseException:
            for future in futures.values():
                future.cancel()
            for future in futures.values():
                if not future.cancelled() and future.exception() is None:
                    future.result().path.unlink(missing_ok=True)
            raise
    return done


def _openpyxl_annotate(source: Path, tmp: Path, issues: pd.DataFrame, lang: str) -> Annotated:
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = load_workbook(source, rich_text=True)
    with zipfile.ZipFile(source) as zin:
        wb_part = ooxml.workbook_part(zin)
        sheets = ooxml.worksheets(zin, wb_part)
        marks, refs = locate(zin, wb_part, sheets, issues, lang)
    by_part = {s.part: s.name for s in sheets}
    n = 0
    for part, rows in marks.items():
        ws = wb[by_part[part]]
        for r, cols in rows.items():
            for c, mark in cols.items():
                cell = ws.cell(row=r, column=c)
                cell.fill = PatternFill("solid", fgColor=FILLS[mark.severity])
                text = "\n\n".join(mark.notes)
                if cell.comment is not None:
                    text = f"{cell.comment.text}\n\n{text}"
                cell.comment = Comment(text[:MAX_COMMENT], AUTHOR, width=300, height=150)
                n += 1
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = False
    title = sheet_title(wb.sheetnames, lang)
    ws = wb.create_sheet(title, 0)
    ws.append(HEADERS[lang])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFD9D9D9")
    for sheet, row, column, ref, hid, value, sev, message, fix in issue_rows(issues, refs, lang):
        value = None if value is None else str(value)
        ws.append([sheet, row, column, ref, hid, value, SEVERITY[lang].get(sev, sev), message, fix])
        line = ws.max_row
        ws.cell(line, 7).fill = PatternFill("solid", fgColor=FILLS.get(sev, "FFFFFFFF"))
        if ref:
            link = ws.cell(line, 4)
            link.hyperlink = "#" + sheet_ref(sheet, ref)
            link.font = Font(underline="single", color="FF0563C1")
        for c in (3, 6, 8, 9):
            ws.cell(line, c).alignment = Alignment(wrap_text=True, vertical="top")
    for i, w in enumerate(WIDTHS, 1):
        ws.column_dimensions[col_letters(i)].width = w
    ws.freeze_panes = "A2"
    ws.sheet_view.tabSelected = True
    wb.active = 0
    wb.save(tmp)
    return Annotated(tmp, n, len(issues), "openpyxl", refs=refs)


def annotate_workbook(
    source: str | Path, target: str | Path, issues: pd.DataFrame, lang: str = "vi"
) -> Annotated:
    """Write a copy of workbook ``source`` to ``target`` with ``issues`` marked on their cells.

    ``issues`` is :attr:`mdpoverty.core.Result.issues` for that workbook. ``source`` is never
    written to; ``target`` appears complete or not at all (an atomic write that lands with
    the run's other outputs inside :func:`mdpoverty.read.survey.output_set`).
    """
    from ..read.safety import check_xlsx
    from .tables import atomic_path

    source = Path(source)
    check_xlsx(source)  # zip bombs, XML entities, far cells: refused before anything inflates
    lang = lang if lang in SHEET_TITLE else "vi"
    issues = issues.reset_index(drop=True)
    try:
        with (
            atomic_path(target) as tmp,
            stage("annotate", len(issues), detail=Path(target).name) as progress,
        ):
            try:
                done = _zip_annotate(source, tmp, issues, lang)
            except (Fallback, ET.ParseError, KeyError, ValueError, IndexError) as exc:
                # a part laid out otherwise than expected: the slow road, which keeps less
                done = _openpyxl_annotate(source, tmp, issues, lang)
                done.note = str(exc) or type(exc).__name__
            progress.set(len(issues))
    except OSError as exc:  # a folder that cannot be written to, a full disk
        raise MdpovertyError(
            f"{target}: cannot write the annotated workbook: {exc.strerror or exc}",
            f"{target}: không ghi được tệp đánh dấu lỗi: {exc.strerror or exc}",
        ) from None
    done.path = Path(target)
    return done


__all__ = ["Annotated", "annotate_target", "annotate_workbook"]
