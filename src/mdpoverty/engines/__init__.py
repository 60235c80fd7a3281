"""How the partitions of a dataset run: one after the other in this process (``local``,
streamed), or on a Dask cluster (``dask``). Every engine runs the same unit of work,
:func:`~mdpoverty.engines.stream.classify_partition`; no rule has a second implementation.
"""

from __future__ import annotations

import os

import pandas as pd

from ..member_table import join_members
from ..read.dataset import Partition, discover, is_dataset, read_partition
from .stream import ENGINES, Options, PartResult, classify_partition, run

# The rows a worksheet holds (Excel's limit), the header row included.
XLSX_MAX_ROWS = 1_048_576


def dataset_households(path: str | os.PathLike[str]) -> int:
    """The households of a dataset, from the files' metadata (nothing read)."""
    return sum(p.rows() for p in discover(path))


def combine(parts: list[PartResult]):  # -> core.Result
    """The partitions' results as one result, in partition order (what a single pass over
    the whole dataset gives; for outputs that need every row at once)."""
    from ..core import Result
    from ..law.rounds import merge_choices

    results = [p.result for p in parts]
    if not results:
        raise ValueError("no partitions")
    members = (
        join_members([r.members for r in results], [len(r.households) for r in results])
        if any(len(r.members.columns) for r in results)
        else results[0].members
    )
    counts: dict[str, int] = {}
    for r in results:
        for k, v in r.counts.items():
            counts[k] = counts.get(k, 0) + v
    choices = merge_choices([r.choice for r in results if r.choice is not None])
    issues = [r.issues for r in results if len(r.issues)]
    return Result(
        pd.concat([r.households for r in results], ignore_index=True),
        pd.concat(issues, ignore_index=True) if issues else results[0].issues,
        results[0].standard,
        source=parts[0].partition.root,
        counts=counts,
        choice=choices[0] if choices else None,
        extra=pd.concat([r.extra for r in results], ignore_index=True),
        notes=[n for r in results for n in r.notes],
        members=members,
    )


__all__ = [
    "ENGINES",
    "XLSX_MAX_ROWS",
    "Options",
    "PartResult",
    "Partition",
    "classify_partition",
    "combine",
    "dataset_households",
    "discover",
    "is_dataset",
    "read_partition",
    "run",
]
