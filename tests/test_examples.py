"""The bundled examples are what their generators write: fixed seeds, byte for byte, and
small. A change to the generator that is not followed by regenerating them fails here."""

from __future__ import annotations

import hashlib
import importlib
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WORKBOOKS = (
    "survey.xlsx",
    "survey-with-errors.xlsx",
    "survey-officer-layout.xlsx",
    "previous-round.xlsx",
    "round-2024.xlsx",
)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    sys.path.insert(0, str(EXAMPLES))
    try:
        generate = importlib.import_module("generate")
        rounds = importlib.import_module("generate_rounds")
    finally:
        sys.path.remove(str(EXAMPLES))
    out = tmp_path_factory.mktemp("examples")
    generate.build_examples(out, generate.DEFAULT_HOUSEHOLDS, generate.DEFAULT_SEED)
    args = ["--out", out / "previous-round.xlsx", "--older", out / "round-2024.xlsx"]
    assert rounds.main([str(a) for a in [*args, "--readme", out / "README.md"]]) == 0
    return out


@pytest.mark.parametrize("name", [*WORKBOOKS, "README.md"])
def test_the_examples_are_what_the_generators_write(regenerated: Path, name: str) -> None:
    # digests, not bytes: pytest's diff of two differing workbooks' bytes runs for an hour
    got = hashlib.sha256((regenerated / name).read_bytes()).hexdigest()
    want = hashlib.sha256((EXAMPLES / name).read_bytes()).hexdigest()
    assert got == want, f"{name} is not what the generators write: run examples/generate.py"


@pytest.mark.parametrize("name", WORKBOOKS)
def test_the_workbooks_stay_small(name: str) -> None:
    assert (EXAMPLES / name).stat().st_size < 2**20


def test_the_readme_points_nowhere_outside_the_repository() -> None:
    for name in ("README.md", "generate.py", "generate_rounds.py"):
        assert "shared/" not in (EXAMPLES / name).read_text(encoding="utf-8"), name


def test_the_officer_layout_example_classes_as_the_clean_one() -> None:
    """Issue 11's done-when: numbered rows, merged member IDs, repeated headers, total rows and
    a signature block; every household classed exactly as in survey.xlsx, exit 0, and the
    skipped rows listed as information."""
    import pandas as pd
    from click.testing import CliRunner

    import mdpoverty
    from mdpoverty.cli.main import main

    clean = mdpoverty.classify(EXAMPLES / "survey.xlsx")
    laid = mdpoverty.classify(EXAMPLES / "survey-officer-layout.xlsx")
    pd.testing.assert_frame_equal(laid.households, clean.households)
    info = laid.issues[laid.issues["severity"] == "info"]
    assert {"numbered_row", "repeated_header", "total_row", "signature_row"} <= set(info["check"])
    assert (laid.issues["severity"] == "error").sum() == 0
    res = CliRunner().invoke(main, ["classify", str(EXAMPLES / "survey-officer-layout.xlsx")])
    assert res.exit_code == 0, res.output
