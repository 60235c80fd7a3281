"""Smoke runs of the benchmarks on a tiny generated district (issue 14): the scripts run, the
inputs they generate are what they say, and the DuckDB floor classes as mdpoverty does. The
benchmarks themselves (1,000,000 households) are not part of the test suite."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402


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
    import bench_parquet

    code = bench_parquet.main(["-n", "30", "-r", "1", "--no-warmup"])
    out = capsys.readouterr().out
    assert code == 0, out  # 0: every household mdpoverty classed has the floor's class
    assert "30 households classed, **0** with another class" in out
    assert "| DuckDB core" in out and "peak memory: mdpoverty / floor" in out


def test_floor_sql_gives_mdpoverty_classes_on_a_district(data_dir: Path, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    import floor_duckdb

    import mdpoverty

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
