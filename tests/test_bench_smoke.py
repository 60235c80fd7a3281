"""Smoke runs of the benchmarks on a tiny generated district (issue 14): the scripts run, the
inputs they generate are what they say, and the DuckDB floor classes as mdpoverty does. The
benchmarks themselves (1,000,000 households) are not part of the test suite."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _bench(name: str) -> ModuleType:
    """``bench/<name>.py`` as ``mdpoverty_bench_<name>`` (``generate`` is also an example
    script's module name: the bench's must not take its place)."""
    key = f"mdpoverty_bench_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, ROOT / "bench" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


generate = _bench("generate")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(generate, "DATA", tmp_path)
    return tmp_path


def test_generate_writes_the_three_formats_of_one_district(data_dir: Path) -> None:
    hp, mp = generate.ensure_pair(25, "parquet", quiet=True)
    hc, _ = generate.ensure_pair(25, "csv", quiet=True)
    xlsx = generate.ensure_workbook(25, quiet=True)
    assert xlsx.exists() and xlsx.parent == data_dir
    households = pq.read_table(hp)
    assert households.num_rows == 25
    assert households.schema.field("income_per_capita").type == pa.int64()
    assert households.schema.field("survey_date").type == pa.date32()
    assert pq.read_table(mp).schema.field("health_insurance").type == pa.bool_()
    assert hc.read_text(encoding="utf-8").count("\n") == 26  # header + 25 households
    import mdpoverty

    classes = [mdpoverty.classify(p).households["class"].tolist() for p in (hp, hc, xlsx)]
    assert classes[0] == classes[1] == classes[2]


def test_bench_parquet_smoke(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("duckdb")
    bench_parquet = _bench("bench_parquet")
    assert bench_parquet.generate is generate  # the data_dir fixture's module

    code = bench_parquet.main(["-n", "30", "-r", "1", "--no-warmup"])
    out = capsys.readouterr().out
    assert code == 0, out  # 0: every household mdpoverty classed has the floor's class
    assert "30 households classed, **0** with another class" in out
    assert "| DuckDB core" in out and "peak memory: mdpoverty / floor" in out


def test_floor_sql_gives_mdpoverty_classes_on_a_district(data_dir: Path, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    import mdpoverty

    floor_duckdb = _bench("floor_duckdb")

    hp, mp = generate.ensure_pair(300, "parquet", quiet=True)
    out = tmp_path / "floor.parquet"
    floor_duckdb.run(floor_duckdb.query(str(hp), str(mp)), str(out))
    floor = dict(duckdb.sql(f"SELECT household_id, class FROM '{out}'").fetchall())
    ours = mdpoverty.classify(hp).households
    assert len(floor) == len(ours) == 300
    assert set(ours["class"]) >= {"poor", "near_poor", "not_poor"}  # the rules are exercised
    assert {h: floor[h] for h in ours["household_id"]} == dict(
        zip(ours["household_id"], ours["class"], strict=True)
    )
