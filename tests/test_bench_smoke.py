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


@pytest.mark.parametrize("by_commune", [False, True], ids=["province", "province,commune"])
def test_generate_dataset_is_one_country_partitioned_alike(
    tmp_path: Path, by_commune: bool
) -> None:
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    out = tmp_path / "dataset"
    generate.ensure_dataset(
        300, by_commune=by_commune, provinces=3, communes=2, out=out, quiet=True
    )
    assert sorted(p.name for p in out.iterdir()) == ["households", "members"]
    keys = ["province", "commune"] if by_commune else ["province"]
    tables = {}
    for name in ("households", "members"):
        dataset = ds.dataset(out / name, format="parquet", partitioning="hive")
        for f in dataset.files:  # hive folders as pyarrow writes them, the keys not in the files
            folders = Path(f).relative_to(out / name).parts
            assert [p.split("=")[0] for p in folders[:-1]] == keys and folders[
                -1
            ] == "part-0.parquet"
            assert not set(keys) & set(pq.read_schema(f).names)
        tables[name] = dataset.to_table(columns=["household_id", *keys])
    households, members = tables["households"], tables["members"]
    assert households.num_rows == 300
    assert len(set(households["household_id"].to_pylist())) == 300  # unique in the country
    assert len(set(households["province"].to_pylist())) == 3
    places = {tuple(r[k] for k in keys) for r in households.select(keys).to_pylist()}
    assert len(places) == (6 if by_commune else 3)
    assert {tuple(r[k] for k in keys) for r in members.select(keys).to_pylist()} == places
    # every member's household is in the member's own partition
    own = {(r["household_id"], *(r[k] for k in keys)) for r in households.to_pylist()}
    assert all((r["household_id"], *(r[k] for k in keys)) in own for r in members.to_pylist())
    assert members.num_rows > households.num_rows
    if not by_commune:  # a survey must name each household's commune: in the file, then
        communes = ds.dataset(out / "households", format="parquet").to_table(columns=["commune"])
        assert communes["commune"].null_count == 0
        assert all(c.startswith("Xã ") for c in communes["commune"].to_pylist())
    sizes = pc.value_counts(households["province"]).field("counts").to_pylist()
    assert max(sizes) > min(sizes)  # provinces are not equal


def test_floor_on_a_partitioned_dataset_classes_as_mdpoverty(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    import pyarrow.dataset as ds

    import mdpoverty

    floor_duckdb = _bench("floor_duckdb")
    data = generate.ensure_dataset(200, provinces=2, out=tmp_path / "d", quiet=True)
    out = tmp_path / "floor.parquet"
    floor_duckdb.run(floor_duckdb.query(str(data / "households"), str(data / "members")), str(out))
    floor = dict(duckdb.sql(f"SELECT household_id, class FROM '{out}'").fetchall())
    # mdpoverty on the same households as one Parquet pair (the partition keys as columns)
    pair = tmp_path / "pair"
    pair.mkdir()
    for name in ("households", "members"):
        table = ds.dataset(data / name, format="parquet", partitioning="hive").to_table()
        pq.write_table(table, pair / f"{name}.parquet")
    ours = mdpoverty.classify(pair / "households.parquet").households
    assert len(floor) == len(ours) == 200
    assert set(ours["class"]) >= {"poor", "near_poor", "not_poor"}  # the rules are exercised
    assert {h: floor[h] for h in ours["household_id"]} == dict(
        zip(ours["household_id"], ours["class"], strict=True)
    )


def test_bench_dataset_smoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("duckdb")
    bench_dataset = _bench("bench_dataset")
    argv = ["-n", "300", "--provinces", "3", "--data", str(tmp_path / "d"), "--tmp", str(tmp_path)]
    code = bench_dataset.main(argv)
    out, err = capsys.readouterr()
    assert "[1/1] floor:" in out  # the floor reads the dataset whatever mdpoverty does
    assert code == 0, out + err  # 0: every row written, each classed as the floor classes it
    assert "300 households classed, **0** with another class" in out
    assert "rows out: 300 (households in: 300)" in out
