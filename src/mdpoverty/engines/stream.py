"""Class a dataset partition by partition: each partition is read, validated and classed on
its own (the same :func:`mdpoverty.core.classify_survey` as a file), handed to the caller,
and dropped before the next, so peak memory is the largest partition's.

A partition is to the dataset what a file is to a round (:mod:`mdpoverty.reports.batch`):
the standard is chosen from its own survey dates, and a household ID already used in an
earlier partition is an error on the later row — the first stands, as within one sheet —
and that household is not classed. IDs are compared folded (:mod:`mdpoverty.ids`) through
a 128-bit digest per ID, 16 bytes a household (27 M households: 0.4 GiB), so the check
needs no partition but the current one in memory.

The engine that runs the partitions is pluggable: ``local`` (one after the other, in this
process) or ``dask`` (:mod:`mdpoverty.engines.dask_engine`); either hands the results over
in partition order, and the duplicate check runs here, in order, for both.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import Text, UsageError
from ..law.standards import Standard
from ..progress import stage
from ..read.dataset import Partition, discover, read_partition
from ..reasons import NOT_CLASSED
from ..validate import Issues

if TYPE_CHECKING:  # core is imported by the unit of work, not at start
    from ..core import Result

ENGINES = ("local", "dask")


@dataclass(frozen=True)
class Options:
    """What every partition is classed with (picklable: sent to Dask workers)."""

    standard: str | Standard | None = None
    as_of: dt.date | None = None
    lang: str = "vi"


def classify_partition(part: Partition, options: Options) -> Result:
    """Read and class one partition; the unit of work of every engine."""
    from ..core import classify_survey

    with stage("read", detail=part.name) as s:
        raw = read_partition(part)
        s.set(sum(len(sheet.frame) for sheet in raw.sheets.values()))
    return classify_survey(raw, standard=options.standard, as_of=options.as_of, lang=options.lang)


def _digests(ids: pd.Series) -> np.ndarray:
    """A 16-byte digest of each folded ID (``b""`` for a blank one): two 64-bit hashes of
    different keys, so two distinct IDs share one with odds of about 1 in 10^20 at 27 M."""
    from ..ids import fold_ids_arrow

    folded = fold_ids_arrow(ids).to_numpy(zero_copy_only=False)
    a = pd.util.hash_array(folded, hash_key="mdpoverty-ids-01")
    b = pd.util.hash_array(folded, hash_key="mdpoverty-ids-02")
    out = np.empty(len(folded), dtype="S16")
    out.view(np.uint64).reshape(-1, 2)[:, 0] = a
    out.view(np.uint64).reshape(-1, 2)[:, 1] = b
    out[pd.isna(folded)] = b""
    return out


class SeenIds:
    """The household IDs of the partitions classed so far (sorted digests, with the sheet
    and row of each), to find an ID used again in a later partition."""

    def __init__(self) -> None:
        self._blocks: list[tuple[np.ndarray, np.ndarray, str]] = []

    def mark(self, result: Result, lang: str) -> None:
        """Blank the class of each household whose ID an earlier partition used, add its
        ``duplicate_id`` error, move it (and its members) from classed to rejected; then
        remember this partition's IDs."""
        hh = result.households
        if "household_id" not in hh or not len(hh):
            return
        digest = _digests(hh["household_id"])
        valid = digest != b""
        rows = result.extra["row"].to_numpy() if "row" in result.extra else np.arange(len(hh)) + 2
        first_row = np.full(len(hh), -1, dtype=np.int64)
        first_sheet = np.full(len(hh), "", dtype=object)
        for keys, key_rows, sheet in self._blocks:
            if not len(keys):
                continue
            at = np.minimum(np.searchsorted(keys, digest), len(keys) - 1)
            hit = valid & (first_row < 0) & (keys[at] == digest)
            first_row[hit] = key_rows[at[hit]]
            first_sheet[hit] = sheet
        dup = first_row >= 0
        sheet = str(result.extra["sheet"].iloc[0]) if "sheet" in result.extra and len(hh) else ""
        if dup.any():
            self._reject(result, dup, first_row, first_sheet, lang)
        own = valid & ~dup
        order = np.argsort(digest[own], kind="stable")
        keys = digest[own][order]
        keep = np.ones(len(keys), dtype=bool)  # a repeat inside the partition: its first row
        keep[1:] = keys[1:] != keys[:-1]
        self._blocks.append((keys[keep], rows[own][order][keep], sheet))

    @staticmethod
    def _reject(
        result: Result, dup: np.ndarray, first_row: np.ndarray, first_sheet: np.ndarray, lang: str
    ) -> None:
        hh, extra = result.households, result.extra
        classed_before = (hh["class"].astype("string").fillna("") != "").to_numpy()
        issues = Issues(lang)
        detail = [f"{r} ({s})" for r, s in zip(first_row[dup], first_sheet[dup], strict=True)]
        ids = hh["household_id"][dup]
        issues.add(
            "duplicate_id",
            sheet=str(extra["sheet"].iloc[0]) if "sheet" in extra else "",
            rows=extra["row"].to_numpy()[dup] if "row" in extra else None,
            column="household_id",
            field="household_id",
            values=ids,
            household_ids=ids,
            detail=Text(detail, detail),
        )
        result.issues = pd.concat([result.issues, issues.frame()], ignore_index=True)
        newly = dup & classed_before
        hh.loc[newly, "class"] = ""
        if "reason" in hh:
            hh.loc[newly, "reason"] = NOT_CLASSED[lang]
        if "reason_vi" in extra:
            extra.loc[newly, "reason_vi"] = NOT_CLASSED["vi"]
        c = result.counts
        moved = int(newly.sum())
        c["households_classed"] -= moved
        c["households_rejected"] += moved
        if len(result.members.columns) and "household_pos" in result.members:
            pos = result.members["household_pos"].to_numpy()
            gone = int(np.isin(pos, np.flatnonzero(newly)).sum())
            c["members_classed"] -= gone
            c["members_rejected"] += gone


class _SaidOnce:
    """An issue on no sheet (the standard is provisional, has no average band) is said for
    the run, not once per partition."""

    def __init__(self) -> None:
        self._said: set[tuple[str, str, str, str]] = set()

    def once(self, issues: pd.DataFrame) -> pd.DataFrame:
        general = (issues["sheet"].astype("string").fillna("") == "") & issues["row"].isna()
        if not general.any():
            return issues
        at = np.flatnonzero(general.to_numpy())  # a handful of rows: the rest are on cells
        # the message too: a partition's own file-level issue (its households missing) names
        # the partition, and is said for each partition it concerns
        cols = [issues[c].to_numpy()[at] for c in ("check", "field", "value", "message_en")]
        keys = list(zip(*cols, strict=True))
        drop = np.zeros(len(issues), dtype=bool)
        drop[at] = [k in self._said for k in keys]
        self._said.update(keys)
        return issues[~drop].reset_index(drop=True) if drop.any() else issues


@dataclass
class PartResult:
    partition: Partition
    result: Result


def run(
    path: str | os.PathLike[str],
    options: Options,
    *,
    engine: str = "local",
    scheduler: str | None = None,
) -> Iterator[PartResult]:
    """Class a dataset folder partition by partition, yielding each partition's result in
    partition order (the caller writes it and lets it go)."""
    parts = discover(path)
    runner: Callable[[list[Partition], Options], Iterable[Result]]
    if engine == "dask":
        from .dask_engine import run_partitions as runner_dask

        runner = lambda ps, o: runner_dask(ps, o, scheduler)  # noqa: E731
    else:
        runner = _local
    seen, said = SeenIds(), _SaidOnce()
    codes: tuple[str, ...] | None = None
    with stage("partitions", len(parts)) as progress:
        for part, result in _in_order(parts, options, runner):
            if codes is None:
                codes, first = tuple(result.standard.codes), result.standard.id
            elif tuple(result.standard.codes) != codes:
                raise UsageError(
                    f"{part.name}: classed under {result.standard.id}, an earlier partition "
                    f"under {first}; pass --standard",
                    f"{part.name}: phân loại theo chuẩn {result.standard.id}, phân vùng trước "
                    f"theo chuẩn {first}; hãy chọn --standard",
                )
            seen.mark(result, options.lang)
            result.issues = said.once(result.issues)
            yield PartResult(part, result)
            del result  # not held while the next partition is classed: one in memory
            progress.advance()


def _local(parts: list[Partition], options: Options) -> Iterator[Result]:
    for part in parts:
        yield classify_partition(part, options)


def _in_order(
    parts: list[Partition],
    options: Options,
    runner: Callable[[list[Partition], Options], Iterable[Result]],
) -> Iterator[tuple[Partition, Result]]:
    """Each partition with its result. The partitions with households run on the engine; a
    partition of members only (no households folder of its keys) is classed here, under the
    run's standard: it has no survey date to choose one by, and today's date could pick
    another standard and stop the run. Its members are all reported; none is dropped. One
    that comes before the first partition with households is given just after it."""
    full = [p for p in parts if p.households]
    pos = {p: i for i, p in enumerate(parts)}
    strays = [p for p in parts if not p.households]
    std = options.standard

    def before(limit: float) -> Iterator[tuple[Partition, Result]]:
        while strays and pos[strays[0]] < limit:
            part = strays.pop(0)
            result = classify_partition(part, Options(std, options.as_of, options.lang))
            result.choice = None  # no households: nothing was chosen by its dates
            yield part, result

    for part, result in zip(full, runner(full, options), strict=True):
        if std is not None:
            yield from before(pos[part])
        first = std is None
        if first:
            std = result.standard
        yield part, result
        del result  # let the caller's copy be the last: one partition in memory at a time
        if first:
            yield from before(pos[part])
    yield from before(float("inf"))


__all__ = ["ENGINES", "Options", "PartResult", "SeenIds", "classify_partition", "run"]
