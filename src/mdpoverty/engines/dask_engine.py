"""The partitions of a dataset on a Dask cluster (``--engine dask``).

Each partition is one task running :func:`~mdpoverty.engines.stream.classify_partition`
— the same read, validation and rules as the local engine, on a worker — and its result
comes back to this process, in partition order, to be written and let go. Households and
members travel together: a task reads both sides of its partition (co-partitioned by the
folders), so no member ever crosses to another worker. At most a few tasks per worker are
in flight, so a country does not pile up on the client while the output is written.

Without a scheduler address a :class:`distributed.LocalCluster` is started for the run
(a process per core, one thread each: the rules release the GIL only in NumPy/Arrow). A
real cluster's workers need mdpoverty installed and the dataset folder at the same path
(a shared file system).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..read.dataset import Partition
from .stream import Options, classify_partition

if TYPE_CHECKING:
    from ..core import Result

#: tasks in flight per worker: one running, one queued, one coming back
IN_FLIGHT_PER_WORKER = 3


def _work(part: Partition, options: Options) -> Result:
    result = classify_partition(part, options)
    result.context = None  # the typed survey stays on the worker (it is for `why`)
    return result


def _client(stack: contextlib.ExitStack, scheduler: str | None):  # -> distributed.Client
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError(
            "--engine dask needs Dask: pip install 'mdpoverty[dask]'",
            "--engine dask cần Dask: pip install 'mdpoverty[dask]'",
        ) from None
    if scheduler:
        try:
            return stack.enter_context(Client(scheduler, timeout="20s"))
        except OSError as exc:
            raise UsageError(
                f"cannot reach the Dask scheduler {scheduler}: {exc}",
                f"không kết nối được bộ điều phối Dask {scheduler}: {exc}",
            ) from None
    cluster = stack.enter_context(
        LocalCluster(
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # no dashboard, and the scheduler's own HTTP routes on a free port: not 8787,
            # which a second run (or a notebook's cluster) holds, and Dask then warns on stderr
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        )
    )
    return stack.enter_context(Client(cluster))


def run_partitions(
    parts: list[Partition], options: Options, scheduler: str | None = None
) -> Iterator[Result]:
    """Each partition's result, in partition order, classed on the cluster."""
    with contextlib.ExitStack() as stack:
        client = _client(stack, scheduler)
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        window = workers * IN_FLIGHT_PER_WORKER
        pending: deque = deque()
        todo = iter(enumerate(parts))
        run_id = uuid.uuid4().hex[:12]  # keys of this run only, on a cluster shared by many

        def submit() -> None:
            for i, part in todo:
                pending.append(
                    client.submit(_work, part, options, key=f"mdpoverty-{run_id}-{i}", pure=False)
                )
                return

        for _ in range(window):
            submit()
        while pending:
            future = pending.popleft()
            result = future.result()
            future.release()
            submit()
            yield result
            del result  # gone before the next one arrives


__all__ = ["IN_FLIGHT_PER_WORKER", "run_partitions"]
