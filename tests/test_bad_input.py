"""Every command that reads a survey meets a bad file the same way (csvkit's shared tests).

csvkit gives each of its tools the same empty / corrupt / wrong-type file tests through one
mixin (``tests/utils.py``); here one table of bad files meets every command and every place a
command takes a survey (the survey itself, ``--previous``, either side of ``changes``). The
promise, from the README's exit codes: exit 2, one line on stderr that starts ``mdpoverty:``,
names the file and ends with a check id ``mdpoverty explain`` knows; nothing on stdout, no
traceback, no output file and no temporary file left behind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES
from test_io import BAD_FILES

import mdpoverty
from mdpoverty.cli.common import Exit
from mdpoverty.cli.main import main

GOOD = str(EXAMPLES / "survey.xlsx")
PREV = str(EXAMPLES / "previous-round.xlsx")  # the round before GOOD

# Each way a command takes a survey: BAD is where the bad file goes, OUT an output file.
INVOCATIONS: dict[str, list[str]] = {
    "classify": ["classify", "BAD", "-o", "OUT.csv"],
    "validate": ["validate", "BAD", "-o", "OUT.csv"],
    "report": ["report", "BAD", "--form", "1", "-o", "OUT.xlsx"],
    "report --previous": ["report", GOOD, "--form", "2", "--previous", "BAD", "-o", "OUT.xlsx"],
    "changes (previous)": ["changes", "BAD", GOOD, "-o", "OUT.csv"],
    "changes (current)": ["changes", GOOD, "BAD", "-o", "OUT.csv"],
    "measures": ["measures", "BAD", "-o", "OUT.csv"],
    "measures --previous": ["measures", GOOD, "--previous", "BAD", "-o", "OUT.csv"],
    "targets": ["targets", "BAD", "--previous", PREV, "-o", "OUT.csv"],
    "targets --previous": ["targets", GOOD, "--previous", "BAD", "--years", "1", "-o", "OUT.csv"],
}


def _missing(p: Path) -> None:
    pass  # nothing written: the path does not exist


def _folder(p: Path) -> None:
    p.mkdir()


FILES: dict[str, Callable[[Path], None]] = {
    **BAD_FILES,
    "missing.xlsx": _missing,
    "folder.xlsx": _folder,
}


def run(invocation: str, bad: Path, out: Path) -> tuple[int, str, str]:
    args = [str(bad) if a == "BAD" else a for a in INVOCATIONS[invocation]]
    args = [a.replace("OUT", str(out)) if a.startswith("OUT") else a for a in args]
    res = CliRunner().invoke(main, args)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.stdout, res.stderr


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("invocation", sorted(INVOCATIONS))
def test_a_bad_file_is_one_clear_line_for_every_command(
    tmp_path: Path, invocation: str, name: str
) -> None:
    bad = tmp_path / name
    FILES[name](bad)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, stdout, stderr = run(invocation, bad, out_dir / "result")
    assert code == Exit.USAGE, (code, stdout, stderr)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    line = lines[0]
    assert line.startswith("mdpoverty: ") and name in line, line
    check = line.rsplit("[", 1)[-1].rstrip("]")
    assert line.endswith("]") and check in mdpoverty.CHECKS, line
    assert stdout == "" and "Traceback" not in stderr
    assert list(out_dir.iterdir()) == [], "an output or temporary file was left"


@pytest.mark.parametrize("invocation", sorted(INVOCATIONS))
def test_the_same_commands_succeed_on_the_good_file(tmp_path: Path, invocation: str) -> None:
    """The table above is not vacuous: with the good survey in BAD's place each one works."""
    code, _, stderr = run(invocation, Path(GOOD), tmp_path / "result")
    assert code == Exit.OK, stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    main_output = "result." + INVOCATIONS[invocation][-1].rsplit(".", 1)[1]
    assert main_output in names, names
    assert not [n for n in names if n.endswith(".tmp")], names


WRONG_SUFFIX = {
    "classify": ["classify", GOOD, "-o", "OUT.xls"],
    "validate": ["validate", GOOD, "-o", "OUT.docx"],
    "report": ["report", GOOD, "--form", "1", "-o", "OUT.xls"],
    "changes": ["changes", GOOD, GOOD, "-o", "OUT.txt"],
    "measures": ["measures", GOOD, "-o", "OUT.xls"],
    "targets": ["targets", GOOD, "--previous", PREV, "-o", "OUT.xls"],
}


@pytest.mark.parametrize("command", sorted(WRONG_SUFFIX))
def test_an_output_suffix_we_cannot_write_is_refused_before_any_work(
    tmp_path: Path, command: str
) -> None:
    args = [a.replace("OUT", str(tmp_path / "ket-qua")) for a in WRONG_SUFFIX[command]]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == Exit.USAGE, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mdpoverty: "), res.stderr
    assert "ket-qua." in lines[0] and "--format" in lines[0], lines[0]
    assert "đã ghi" not in res.stderr and res.stdout == ""  # refused before reading the survey
    assert list(tmp_path.iterdir()) == []
    # the same name with --format is the user's explicit choice, and is written
    fmt = "xlsx" if command in ("report", "classify") else "csv"
    res = CliRunner().invoke(main, [*args, "--format", fmt])
    assert res.exit_code == Exit.OK, res.output
    assert (tmp_path / ("ket-qua." + args[-1].rsplit(".", 1)[1])).exists()


def test_an_output_folder_that_does_not_exist_yet_is_made(tmp_path: Path) -> None:
    """Chosen: like ``mkdir -p``, so a cron job can write to ``reports/2026/`` on its first run;
    the summary line names the path written."""
    out = tmp_path / "reports" / "2026" / "ket-qua.csv"
    res = CliRunner().invoke(main, ["classify", GOOD, "-o", str(out)])
    assert res.exit_code == Exit.OK, res.output
    assert out.exists() and str(out) in res.stderr


def test_a_reader_that_stops_early_is_not_an_error() -> None:
    """`mdpoverty classify survey.xlsx | head` (the README's own example) ends quietly with
    141, as `yes | head` does, not with an internal error. The reading end is closed before
    mdpoverty writes, so the write always meets a broken pipe (a small output could
    otherwise fit in the pipe's buffer before the reader stops)."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "mdpoverty.cli.main", "classify", GOOD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line
    stderr = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == Exit.BROKEN_PIPE, stderr
    assert "lỗi nội bộ" not in stderr and "Traceback" not in stderr, stderr  # vi by default
    assert "BrokenPipe" not in stderr and "Exception ignored" not in stderr, stderr
