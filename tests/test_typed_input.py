"""Typed input stays typed (issue 14): a Parquet pair whose columns are typed is validated as
it is, and every check fires on it exactly as on the same values written as text (CSV),
located to the same row, household and field."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import mdpoverty
from mdpoverty.ids import attach_members, fold_ids, fold_ids_arrow

ROOT = Path(__file__).resolve().parents[1]
KEY = ["check", "row", "household_id", "field", "value"]


def _module(name: str, path: Path):  # a script loaded as a module
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def district() -> tuple[pa.Table, pa.Table, pd.DataFrame, pd.DataFrame]:
    """30 synthetic households (seed 2025) as typed Arrow tables and as the CSV's text."""
    gen = _module("mdpoverty_examples_generate", ROOT / "examples" / "generate.py")
    bench = _module("mdpoverty_bench_generate", ROOT / "bench" / "generate.py")
    hh, m = gen.generate_district(30, seed=2025, survey_year=2025)
    ht, mt = bench.typed_tables(hh, m)
    text = [gen._csv_frame(f).astype(object).where(lambda d: d.notna(), None) for f in (hh, m)]
    return ht, mt, text[0], text[1]


def _write_pairs(
    tmp: Path, ht: pa.Table, mt: pa.Table, hc: pd.DataFrame, mc: pd.DataFrame
) -> tuple[Path, Path]:
    (tmp / "pq").mkdir()
    (tmp / "csv").mkdir()
    pq.write_table(ht, tmp / "pq" / "households.parquet")
    pq.write_table(mt, tmp / "pq" / "members.parquet")
    hc.to_csv(tmp / "csv" / "households.csv", index=False)
    mc.to_csv(tmp / "csv" / "members.csv", index=False)
    return tmp / "pq" / "households.parquet", tmp / "csv" / "households.csv"


def _set(table: pa.Table, name: str, row: int, value: object, type_: pa.DataType | None = None):
    """``table`` with ``value`` in ``name`` at ``row`` (the column retyped to ``type_``)."""
    t = type_ or table.schema.field(name).type
    values = table.column(name).to_pylist()
    if type_ is not None and pa.types.is_floating(type_):
        values = [None if v is None else float(v) for v in values]
    values[row] = value
    i = table.schema.get_field_index(name)
    return table.set_column(i, name, pa.array(values, t, from_pandas=False))


def _issues(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    r = mdpoverty.classify(path)
    issues = r.issues[KEY].astype(str).sort_values(KEY).reset_index(drop=True)
    return issues, r.households


def test_clean_typed_parquet_classes_and_issues_as_the_csv_pair(district, tmp_path: Path) -> None:
    ht, mt, hc, mc = district
    assert ht.schema.field("income_per_capita").type == pa.int64()  # typed, not text
    assert mt.schema.field("health_insurance").type == pa.bool_()
    p, c = _write_pairs(tmp_path, ht, mt, hc, mc)
    pi, ph = _issues(p)
    ci, ch = _issues(c)
    pd.testing.assert_frame_equal(pi, ci)
    pd.testing.assert_frame_equal(ph, ch)
    assert (ph["class"] != "").all()


def _days(year: int, month: int, day: int) -> int:
    day0 = np.datetime64("1970-01-01")
    return int((np.datetime64(f"{year:04d}-{month:02d}-{day:02d}") - day0).astype(int))


# (what is planted, its check, a function planting it in both forms)
Plant = Callable[[pa.Table, pa.Table, pd.DataFrame, pd.DataFrame], tuple]


def _negative_income(ht, mt, hc, mc):
    hc.loc[0, "income_per_capita"] = "-5"
    return _set(ht, "income_per_capita", 0, -5), mt, hc, mc


def _infinite_area(ht, mt, hc, mc):
    hc.loc[1, "floor_area_m2"] = "inf"
    return _set(ht, "floor_area_m2", 1, float("inf")), mt, hc, mc


def _nan_area(ht, mt, hc, mc):
    hc.loc[2, "floor_area_m2"] = "nan"
    return _set(ht, "floor_area_m2", 2, float("nan")), mt, hc, mc


def _null_commune(ht, mt, hc, mc):
    hc.loc[3, "commune"] = None
    return _set(ht, "commune", 3, None), mt, hc, mc


def _null_area(ht, mt, hc, mc):
    hc.loc[4, "area"] = None
    return _set(ht, "area", 4, None), mt, hc, mc


def _unknown_code(ht, mt, hc, mc):
    hc.loc[5, "water_source"] = "river"
    return _set(ht, "water_source", 5, "river"), mt, hc, mc


def _year_10000(ht, mt, hc, mc):
    hc.loc[6, "survey_date"] = "10000-01-01"
    days = ht.column("survey_date").cast(pa.int32()).to_pylist()
    days[6] = int(_days(10000, 1, 1))
    i = ht.schema.get_field_index("survey_date")
    col = pa.array(days, pa.int32()).cast(pa.date32())
    return ht.set_column(i, "survey_date", col), mt, hc, mc


def _float_yes_no(ht, mt, hc, mc):
    hc["has_tv"] = hc["has_tv"].map({"yes": "1", "no": "0", None: None})
    hc.loc[7, "has_tv"] = "1.5"
    return _set(ht, "has_tv", 7, 1.5, pa.float64()), mt, hc, mc


def _duplicate_id(ht, mt, hc, mc):
    first = hc.loc[8, "household_id"]
    hc.loc[9, "household_id"] = first
    return _set(ht, "household_id", 9, first), mt, hc, mc


def _negative_member_count(ht, mt, hc, mc):
    hc["member_count"] = "3"
    hc.loc[10, "member_count"] = "0"
    counts = pa.array([3] * ht.num_rows, pa.int64())
    ht = ht.append_column("member_count", counts)
    return _set(ht, "member_count", 10, 0), mt, hc, mc


def _member_id_case(ht, mt, hc, mc):
    low = mc.loc[0, "household_id"].lower()
    mc.loc[0, "household_id"] = low
    return ht, _set(mt, "household_id", 0, low), hc, mc


def _orphan(ht, mt, hc, mc):
    mc.loc[3, "household_id"] = "ZZ-99"
    return ht, _set(mt, "household_id", 3, "ZZ-99"), hc, mc


def _float_birth_year(ht, mt, hc, mc):
    years = [None if v is None else float(str(v)[:4]) for v in mt.column("birth_date").to_pylist()]
    years[5] = 1962.5
    mc["birth_date"] = [None if y is None else f"{y:g}" for y in years]
    i = mt.schema.get_field_index("birth_date")
    return ht, mt.set_column(i, "birth_date", pa.array(years, pa.float64())), hc, mc


def _null_insurance(ht, mt, hc, mc):
    mc.loc[6, "health_insurance"] = None
    return ht, _set(mt, "health_insurance", 6, None), hc, mc


def _integer_member_no(ht, mt, hc, mc):  # a text field given as integers: no issue
    return ht, mt, hc, mc


PLANTS: list[tuple[str, Plant]] = [
    ("out_of_range", _negative_income),
    ("not_a_number", _infinite_area),
    ("not_a_number", _nan_area),
    ("required", _null_commune),
    ("required", _null_area),
    ("unknown_code", _unknown_code),
    ("not_a_date", _year_10000),
    ("not_yes_no", _float_yes_no),
    ("duplicate_id", _duplicate_id),
    ("out_of_range", _negative_member_count),
    ("id_folded", _member_id_case),
    ("orphan_member", _orphan),
    ("not_a_date", _float_birth_year),
    ("needed", _null_insurance),
]


@pytest.mark.parametrize(("check", "plant"), PLANTS, ids=[p.__name__ for _, p in PLANTS])
def test_each_bad_value_gives_the_same_issue_typed_and_as_text(
    district, tmp_path: Path, check: str, plant: Plant
) -> None:
    ht, mt, hc, mc = district
    ht, mt, hc, mc = plant(ht, mt, hc.copy(), mc.copy())
    p, c = _write_pairs(tmp_path, ht, mt, hc, mc)
    pi, ph = _issues(p)
    ci, ch = _issues(c)
    assert check in set(pi["check"]), pi
    pd.testing.assert_frame_equal(pi, ci)
    pd.testing.assert_frame_equal(ph, ch)


def test_all_bad_values_at_once(district, tmp_path: Path) -> None:
    ht, mt, hc, mc = district
    hc, mc = hc.copy(), mc.copy()
    for _, plant in PLANTS:
        ht, mt, hc, mc = plant(ht, mt, hc, mc)
    p, c = _write_pairs(tmp_path, ht, mt, hc, mc)
    pi, ph = _issues(p)
    ci, ch = _issues(c)
    assert {check for check, _ in PLANTS} <= set(pi["check"])
    pd.testing.assert_frame_equal(pi, ci)
    pd.testing.assert_frame_equal(ph, ch)


def test_typed_pandas_frames_are_classified_as_their_text(district) -> None:
    ht, mt, hc, mc = district
    typed = mdpoverty.classify_frames(
        ht.to_pandas(types_mapper=pd.ArrowDtype), mt.to_pandas(types_mapper=pd.ArrowDtype)
    )
    text = mdpoverty.classify_frames(hc, mc)
    pd.testing.assert_frame_equal(typed.households, text.households)
    a, b = (
        r.issues[KEY].astype(str).sort_values(KEY).reset_index(drop=True) for r in (typed, text)
    )
    pd.testing.assert_frame_equal(a, b)


IDS = [
    "HN-01",
    "hn 01",
    "HN\u00a001",  # non-breaking space
    "H\u200bN-01",  # zero-width space
    "hn-01\t",
    "HN\x1c-01",  # a separator Python's \s matches, RE2's does not
    "HN\v-01",
    "Đ01",
    "đ 01",
    "D01",
    "Straße",
    "STRASSE",
    "\u200b",  # invisible only: blank
    None,
    "Ho\u0300a",  # decomposed "Hòa"
    "Hòa",
]


def test_ids_folded_in_arrow_as_in_python() -> None:
    ids = pd.Series(IDS, dtype=pd.ArrowDtype(pa.string()))
    assert fold_ids_arrow(ids).to_pylist() == list(fold_ids(ids))
    folded = fold_ids_arrow(ids).to_pylist()
    assert folded[:4] == ["hn-01", "hn01", "hn01", "hn-01"]
    assert folded[7] == folded[8] == "đ01" and folded[9] == "d01"  # diacritics count
    assert folded[10] == folded[11] == "strasse"  # casefold, not lower
    assert folded[12] is None and folded[13] is None
    assert folded[14] == folded[15] == "hòa"


def test_members_join_on_folded_ids_first_row_of_a_repeated_id() -> None:
    hh = pd.Series(["A-1", "B-2", "a 1", None, "C-3"], dtype=pd.ArrowDtype(pa.string()))
    m = pd.Series(["a-1", "C-3", "X", None, "b-2", "A-1"], dtype=pd.ArrowDtype(pa.string()))
    assert attach_members(hh, m).tolist() == [0, 4, -1, -1, 1, 0]
    assert attach_members(pd.Series([None, None], dtype=object), m).tolist() == [-1] * 6


def _append_row(table: pa.Table, cells: dict[str, object]) -> pa.Table:
    row = {name: [cells.get(name)] for name in table.column_names}
    return pa.concat_tables([table, pa.table(row, schema=table.schema)])


def test_total_rows_found_in_typed_columns_as_in_text(district, tmp_path: Path) -> None:
    """A total row under the data (a label, or only sums of the columns above), typed in a
    Parquet file: skipped, with the same issues, as in the CSV."""
    ht, mt, hc, mc = district
    income = sum(v for v in ht.column("income_per_capita").to_pylist() if v is not None)
    area = sum(v for v in ht.column("floor_area_m2").to_pylist() if v is not None)
    ht = _append_row(ht, {"head_name": "Tổng cộng", "income_per_capita": income})
    ht = _append_row(ht, {"income_per_capita": income, "floor_area_m2": area})
    extra = pd.DataFrame(
        [
            {"head_name": "Tổng cộng", "income_per_capita": str(income)},
            {"income_per_capita": str(income), "floor_area_m2": f"{area:g}"},
        ]
    )
    hc = pd.concat([hc, extra], ignore_index=True)
    p, c = _write_pairs(tmp_path, ht, mt, hc, mc)
    pi, ph = _issues(p)
    ci, ch = _issues(c)
    assert (pi["check"] == "total_row").sum() == 2, pi
    pd.testing.assert_frame_equal(pi, ci)
    pd.testing.assert_frame_equal(ph, ch)
