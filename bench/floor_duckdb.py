"""The floor: the classification core written directly in DuckDB SQL, no validation.

What a data engineer would write instead of mdpoverty: read the Parquet pair, join members to
households on the ID, compute ages on the survey date, the 12 indicators of the 2022–2025
standard (the reviewer's ``dep_`` column wins where filled), the deprivation count, the
per-capita income and the class, and write ``household_id, class`` to Parquet. Two threads.
It checks nothing: a blank is simply "not deprived", a bad ID an unmatched member.

The law's numbers are not typed here: the SQL is built from the standard file
(:func:`mdpoverty.law.standards.load_standard`), the same data mdpoverty reads.

Usage (a fresh process per run, as ``bench_parquet.py`` times it)::

    python bench/floor_duckdb.py HOUSEHOLDS.parquet MEMBERS.parquet OUT.parquet
    python bench/floor_duckdb.py DATASET/households DATASET/members OUT.parquet
    python bench/floor_duckdb.py --sql QUERY.sql OUT.parquet   # the query written beforehand
    python bench/floor_duckdb.py --memory-limit 8GB --sql QUERY.sql OUT.parquet

A folder is read as a hive-partitioned dataset (``read_parquet('DIR/**/*.parquet',
hive_partitioning = true)``, the partition keys becoming columns the core ignores). The
benchmarks write the query first and time the ``--sql`` form, so the timed process imports
DuckDB only, not mdpoverty. ``--memory-limit`` sets DuckDB's ``memory_limit`` (it spills to
a temporary folder beside the output past it).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdpoverty.law.standards import Standard

STANDARD = "vn-2022-2025"
THREADS = 2


def _in(column: str, codes: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(c) for c in codes)})"


def _retirement(std: Standard) -> str:
    """Retirement age in months of a member, by survey year and sex (the schedule's row of
    the latest year not after the survey year; before the table, its first row)."""
    rows = sorted(std.retirement_age.schedule, key=lambda r: r.year, reverse=True)
    out = []
    for sex in ("male", "female"):
        cases = " ".join(f"WHEN sy >= {r.year} THEN {getattr(r, sex)}" for r in rows[:-1])
        out.append(f"WHEN sex = '{sex}' THEN CASE {cases} ELSE {getattr(rows[-1], sex)} END")
    return f"CASE {' '.join(out)} ELSE NULL END"


def source(path: str) -> str:
    """DuckDB's reader of a Parquet file, or of a hive-partitioned folder of them."""
    if Path(path).is_dir():
        return f"read_parquet('{Path(path) / '**' / '*.parquet'}', hive_partitioning = true)"
    return f"read_parquet('{path}')"


def core_sql(std: Standard, households: str, members: str) -> str:
    """The whole core as one query over the two Parquet files (or dataset folders)."""
    from mdpoverty.law.schema import ENROLLED_RANK

    p = {code: std.params(code) for code in std.codes}
    assert std.codes == [
        "employment",
        "dependents",
        "nutrition",
        "health_insurance",
        "adult_education",
        "school_attendance",
        "housing_quality",
        "housing_area",
        "water",
        "toilet",
        "telecom",
        "info_access",
    ], "the floor is written for the 2022–2025 standard's indicators"
    assert std.rule == "line_and_deprivations" and std.income.score_line is not None
    rank = " ".join(f"WHEN '{k}' THEN {v}" for k, v in ENROLLED_RANK.items())
    levels = sorted(p["school_attendance"].levels, key=lambda lv: lv.school_age_min, reverse=True)
    required = " ".join(
        f"WHEN school_age >= {lv.school_age_min} THEN {ENROLLED_RANK[lv.level]}" for lv in levels
    )
    ae = p["adult_education"]
    bands = " OR ".join(
        f"(age BETWEEN {b.age_min} AND {b.age_max if b.age_max is not None else 1000}"
        f" AND NOT coalesce({_in('education', b.credentials)}, false))"
        for b in ae.bands
    )
    emp, dep, hq = p["employment"], p["dependents"], p["housing_quality"]
    info = p["info_access"]
    assets = [*info.assets, *(["hears_loudspeaker"] if info.loudspeaker_counts else [])]
    inc = std.income

    def by_area(v) -> str:
        return f"CASE area WHEN 'urban' THEN {v.urban} WHEN 'rural' THEN {v.rural} END"

    flags = std.codes
    return f"""
WITH hh AS (
  SELECT *, year(survey_date) AS sy, month(survey_date) AS sm,
         day(survey_date) AS sd
  FROM {source(households)}
),
m0 AS (
  SELECT m.*, h.sy, h.sm, h.sd,
         CAST(substr(m.birth_date, 1, 4) AS INTEGER) AS byr,
         CASE WHEN length(m.birth_date) = 10 THEN CAST(substr(m.birth_date, 6, 2) AS INTEGER)
         END AS bmo,
         CASE WHEN length(m.birth_date) = 10 THEN CAST(substr(m.birth_date, 9, 2) AS INTEGER)
         END AS bdy
  FROM {source(members)} m JOIN hh h USING (household_id)
),
m1 AS (
  SELECT *, sy - byr - CASE WHEN bmo IS NOT NULL AND (sm < bmo OR (sm = bmo AND sd < bdy))
                      THEN 1 ELSE 0 END AS age,
         CASE WHEN bmo IS NOT NULL THEN (sy - byr) * 12 + (sm - bmo) - CASE WHEN sd < bdy
              THEN 1 ELSE 0 END ELSE (sy - byr) * 12 END AS months,
         sy - byr AS school_age,
         coalesce(CASE enrolled {rank} END, 0) AS rank
  FROM m0
),
m2 AS (
  SELECT household_id,
    age >= {emp.working_age_min} AND months < coalesce({_retirement(std)}, 1e9)
      AND coalesce({_in("work_status", emp.deprived_work_status)}, false) AS d_employment,
    (age >= 0 AND age < {dep.child_age_below}) OR ((age >= {dep.elderly_age_min}
      OR coalesce(disabled, false)) AND coalesce(social_allowance, false)) AS dependent,
    age >= 0 AND age < {p["nutrition"].child_age_below}
      AND coalesce(malnourished, false) AS d_nutrition,
    age >= {p["health_insurance"].age_min} AND health_insurance = false AS d_health_insurance,
    ({bands}) AND NOT (rank > 0 OR coalesce(on_job_training, false)) AS d_adult_education,
    age >= {p["school_attendance"].age_min} AND age < {p["school_attendance"].age_below}
      AND rank < CASE {required} ELSE 0 END AS d_school_attendance,
    coalesce(uses_telecom, false) AS telecom
  FROM m1
),
per_hh AS (
  SELECT household_id, count(*) AS n, bool_or(d_employment) AS employment,
    sum(CASE WHEN dependent THEN 1 ELSE 0 END) AS dependents, bool_or(d_nutrition) AS nutrition,
    bool_or(d_health_insurance) AS health_insurance, bool_or(d_adult_education) AS adult_education,
    bool_or(d_school_attendance) AS school_attendance, bool_or(telecom) AS telecom
  FROM m2 GROUP BY household_id
),
f AS (
  SELECT h.household_id, h.area, h.income_per_capita, h.household_income_12m,
    h.income_score, coalesce(m.n, 0) AS n,
    coalesce(h.dep_employment, coalesce(m.employment, false)) AS employment,
    coalesce(h.dep_dependents, coalesce(m.dependents / m.n > {dep.share_above}, false))
      AS dependents,
    coalesce(h.dep_nutrition, coalesce(m.nutrition, false)) AS nutrition,
    coalesce(h.dep_health_insurance, coalesce(m.health_insurance, false)) AS health_insurance,
    coalesce(h.dep_adult_education, coalesce(m.adult_education, false)) AS adult_education,
    coalesce(h.dep_school_attendance, coalesce(m.school_attendance, false))
      AS school_attendance,
    coalesce(h.dep_housing_quality, CASE WHEN h.housing_type IS NULL THEN
      (CASE WHEN h.durable_walls = false THEN 1 ELSE 0 END
       + CASE WHEN h.durable_pillars = false THEN 1 ELSE 0 END
       + CASE WHEN h.durable_roof = false THEN 1 ELSE 0 END) >= {hq.non_durable_structures_min}
      ELSE {_in("h.housing_type", hq.non_durable_types)} END) AS housing_quality,
    coalesce(h.dep_housing_area,
      coalesce(h.floor_area_m2 / m.n < {p["housing_area"].min_m2_per_person}, false))
      AS housing_area,
    coalesce(h.dep_water, h.water_source IS NOT NULL
      AND NOT {_in("h.water_source", p["water"].safe_sources)}) AS water,
    coalesce(h.dep_toilet, h.toilet_type IS NOT NULL
      AND NOT {_in("h.toilet_type", p["toilet"].hygienic_types)}) AS toilet,
    coalesce(h.dep_telecom, NOT coalesce(m.telecom, false)) AS telecom,
    coalesce(h.dep_info_access,
      NOT ({" OR ".join(f"coalesce(h.{a}, false)" for a in assets)})) AS info_access
  FROM hh h LEFT JOIN per_hh m USING (household_id)
),
c AS (
  SELECT *, {" + ".join(f"CAST({x} AS INTEGER)" for x in flags)} AS count,
    floor(coalesce(CAST(income_per_capita AS DOUBLE),
                   household_income_12m / 12.0 / nullif(n, 0)) + 0.5) AS income
  FROM f
)
SELECT household_id,
  CASE
    WHEN {by_area(inc.poverty_line)} IS NULL OR (income IS NULL AND income_score IS NULL) THEN ''
    WHEN (CASE WHEN income IS NOT NULL THEN income <= {by_area(inc.poverty_line)}
               ELSE income_score <= {by_area(inc.score_line)} END)
      THEN CASE WHEN count >= {std.deprivation.cutoff} THEN 'poor' ELSE 'near_poor' END
    WHEN income IS NOT NULL AND income <= {by_area(inc.average_upper)} THEN 'average'
    ELSE 'not_poor'
  END AS class
FROM c
"""


def query(households: str, members: str) -> str:
    """The core's query over the pair, for the standard of the benchmark's data."""
    from mdpoverty.law.standards import load_standard

    return core_sql(load_standard(STANDARD), households, members)


def run(sql: str, out: str, threads: int = THREADS, memory_limit: str | None = None) -> float:
    """Run the core's query, writing ``out``; returns the query's wall time in seconds."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute(f"SET temp_directory = '{Path(out).parent / 'duckdb-spill'}'")
    t0 = time.perf_counter()
    con.execute(f"COPY ({sql}) TO '{out}' (FORMAT parquet)")
    return time.perf_counter() - t0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sql", type=Path, help="the query, written beforehand")
    parser.add_argument("--memory-limit", help="DuckDB's memory_limit, e.g. 8GB")
    parser.add_argument("paths", nargs="+", help="[HOUSEHOLDS MEMBERS] OUT")
    args = parser.parse_args()
    if args.sql is not None and len(args.paths) == 1:
        text = args.sql.read_text(encoding="utf-8")
    elif args.sql is None and len(args.paths) == 3:
        text = query(args.paths[0], args.paths[1])
    else:
        parser.error("give HOUSEHOLDS MEMBERS OUT, or --sql QUERY OUT")
    print(f"{run(text, args.paths[-1], memory_limit=args.memory_limit):.3f}")
