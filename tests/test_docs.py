"""The README's two commands are the ones CI runs; every command and check is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mdpoverty.cli.main import main
from mdpoverty.errors import CHECKS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    return [b.strip() for b in blocks[:2]]


def test_readme_starts_with_install_and_test_commands() -> None:
    install, tests = _readme_commands()
    assert install.startswith("pip install -e . && mdpoverty classify examples/survey.xlsx")
    assert "pytest" in tests and "[test]" in tests


def test_ci_runs_the_readme_test_command_exactly() -> None:
    _, tests = _readme_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def test_readme_example_paths_exist() -> None:
    install, _ = _readme_commands()
    for token in install.split():
        if token.startswith("examples/"):
            assert (ROOT / token).exists(), token


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help(command: str) -> None:
    res = CliRunner().invoke(main, [command, "--help"])
    assert res.exit_code == 0 and len(res.stdout) > 100
    assert f"`mdpoverty {command}" in README or f"mdpoverty {command} " in README


def test_exit_codes_documented_in_readme_and_help() -> None:
    res = CliRunner().invoke(main, ["--help"])
    for code in ("0", "1", "2", "3"):
        assert f"| {code} |" in README
        assert f"  {code}  " in res.stdout


def test_every_check_has_both_languages_and_a_fix() -> None:
    for c in CHECKS.values():
        assert c.en and c.vi and c.fix_en and c.fix_vi
        assert c.severity in ("error", "warning", "info")


def _modules() -> list[str]:
    import pkgutil

    import mdpoverty

    return sorted(
        m.name
        for m in pkgutil.walk_packages(mdpoverty.__path__, "mdpoverty.")
        if not m.name.endswith("__main__")
    )


@pytest.mark.parametrize("module", _modules())
def test_each_module_imports_on_its_own(module: str) -> None:
    """Every module imports first in a fresh interpreter: no import cycle anywhere."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_the_tree_shows_the_stages() -> None:
    """Reading, the law, reports, Alkire–Foster, writing, engines and the command line each
    have a folder of their own."""
    src = ROOT / "src" / "mdpoverty"
    for stage in ("read", "law", "reports", "af", "write", "engines", "cli"):
        assert (src / stage / "__init__.py").is_file(), stage


@pytest.mark.parametrize(
    "module",
    ["cli.measures", "cli.report", "cli.common", "cli.main", "cli.lists", "cli.targets"],
)
def test_each_command_module_imports_on_its_own(module: str) -> None:
    """A command module must not need `mdpoverty.cli.main` imported first (no import cycle)."""
    import subprocess
    import sys

    code = f"import mdpoverty.{module}"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def _docs_generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_pages_are_generated_from_the_code() -> None:
    """docs/cli-reference.md is every --help, docs/checks.md every check: both up to date."""
    gen = _docs_generator()
    assert gen.stale() == [], "run: python docs/generate.py"
    reference = (ROOT / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    reference_vi = (ROOT / "docs" / "cli-reference.vi.md").read_text(encoding="utf-8")
    for command in main.commands:
        assert f"## mdpoverty {command}\n" in reference
        assert f"## mdpoverty {command}\n" in reference_vi
    # each page in its own language: Click's words too
    assert reference.count("Usage: mdpoverty") == len(main.commands) + 1
    assert reference_vi.count("Cách dùng: mdpoverty") == len(main.commands) + 1
    assert "Usage:" not in reference_vi and "Cách dùng" not in reference
    checks = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    for check in CHECKS:
        assert f"## `{check}` (" in checks
    assert "docs/cli-reference.md" in README and "docs/checks.md" in README
    assert "docs/cli-reference.vi.md" in README


def test_a_stale_reference_page_is_noticed(tmp_path: Path, monkeypatch) -> None:
    gen = _docs_generator()
    monkeypatch.setattr(gen, "DOCS", tmp_path)
    assert gen.main_([]) == 0 and gen.stale() == []
    page = tmp_path / "checks.md"
    page.write_text(page.read_text(encoding="utf-8").replace("(error)", "(warning)", 1))
    assert gen.stale() == ["checks.md"]
    assert gen.main_(["--check"]) == 1


def test_every_data_folder_ships_in_the_wheel():
    """A data folder missing from the wheel works in a clone and fails after ``pip install .``."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    folders = {f"data/{p.name}" for p in (ROOT / "data").iterdir() if p.is_dir()}
    assert folders <= set(shipped), sorted(folders - set(shipped))
    for folder in folders:
        assert shipped[folder] == f"mdpoverty/_{folder}"


@pytest.mark.parametrize("failing", ["pip", "python"])
def test_ci_fails_when_the_install_or_the_tests_fail(failing: str) -> None:
    """Under ``set -e`` an ``a && b`` list whose ``a`` fails does not stop the script; CI must."""
    import subprocess

    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    _, tests = _readme_commands()
    at = lines.index(tests)
    block = lines[at:]
    block = block[: next(i for i, line in enumerate(block) if line.strip() == "fi") + 1]
    script = "\n".join(
        [
            "set -euo pipefail",
            "pip() { return 0; }",
            "python() { return 0; }",
            f"{failing}() {{ return 7; }}",
            "set +e",
            *block,
            "echo REACHED_THE_LINT_STEP",
        ]
    )
    run = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    assert run.returncode == 7, run.stdout + run.stderr
    assert "REACHED_THE_LINT_STEP" not in run.stdout
