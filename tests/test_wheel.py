"""The wheel carries everything a user needs: built, installed into a fresh virtualenv and
run from another folder, not from this checkout (a data file that only a clone has fails
here, even when every other test passes)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with the wheel installed (its dependencies come from this environment)."""
    tmp = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp.glob("mdpoverty-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The dependencies are this environment's (a virtualenv in CI, whose packages
    # --system-site-packages would not see): its site-packages go on the new venv's path
    # after its own, so the wheel's mdpoverty is the one imported, and the .pth files there
    # (this checkout's editable install) are not processed.
    ask = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    own = subprocess.run([str(python), "-c", ask], capture_output=True, text=True, check=True)
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(own.stdout.strip(), "_test_dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert pip.returncode == 0, pip.stderr
    return venv


def _run(venv: Path, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MDPOVERTY_LANG")}
    return subprocess.run(
        [str(venv / "bin" / "mdpoverty"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )


def test_the_installed_package_is_the_wheels(installed: Path, tmp_path: Path) -> None:
    code = "import mdpoverty, pathlib; print(pathlib.Path(mdpoverty.__file__).resolve())"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert str(installed.resolve()) in where.stdout, where.stdout + where.stderr


def test_classify_and_standards_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    res = _run(installed, "classify", EXAMPLES / "survey.xlsx", "-o", "ket-qua.xlsx", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "ket-qua.xlsx").stat().st_size > 0
    listed = _run(installed, "standards", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    for name in (p.stem for p in (ROOT / "data" / "thresholds").glob("*.toml")):
        assert name in listed.stdout
        shown = _run(installed, "standards", name, cwd=tmp_path)
        assert shown.returncode == 0, shown.stderr


@pytest.mark.parametrize("weights", sorted(p.stem for p in (ROOT / "data/weights").glob("*.toml")))
def test_every_bundled_weights_file_by_name(installed: Path, tmp_path: Path, weights: str) -> None:
    # the bundled weights are the 2022-2025 standard's: the 2025 round is classed under it
    res = _run(
        installed,
        "measures",
        EXAMPLES / "previous-round.xlsx",
        "--weights",
        weights,
        "--format",
        "csv",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("group,")


def test_targets_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    res = _run(
        installed,
        "targets",
        EXAMPLES / "survey.xlsx",
        "--previous",
        EXAMPLES / "previous-round.xlsx",
        "--format",
        "csv",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
