"""A Parquet dataset folder as a survey (issue 14): ``households/`` and ``members/``,
hive-partitioned alike, classed partition by partition on the local engine or on Dask.

Checked as a user of the feature would check it: the classes, flags and counts are those of
the same households classed from one file; the streamed outputs hold what the library
returns; the Dask engine gives what the local one gives; an ID used again in a later
partition, members with no households, and broken folders are said, never dropped.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from io import StringIO
from pathlib import Path
from types import ModuleType

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import mdpoverty
from mdpoverty.cli.common import Exit
from mdpoverty.cli.main import main
from mdpoverty.engines import discover
from mdpoverty.read.survey import read_survey
from mdpoverty.reports.partitioned import report_dataset

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "survey.xlsx"
KEYS = ["province", "commune"]


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("household_id", kind="stable").reset_index(drop=True)


def one_line(res: object) -> str:
    """The one line a broken input gives on stderr (and no traceback)."""
    lines = res.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, res.stderr  # type: ignore[attr-defined]
    assert lines[0].startswith("mdpoverty: ")
    assert "Traceback" not in res.output  # type: ignore[attr-defined]
    return lines[0]


def with_keys(households: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Members with their household's province and commune (the partition keys)."""
    keys = households.drop_duplicates("household_id")[["household_id", *KEYS]]
    out = members.merge(keys, on="household_id", how="left", validate="many_to_one")
    assert out["province"].notna().all()
    return out


def write_dataset(
    households: pd.DataFrame | pa.Table,
    members: pd.DataFrame | pa.Table,
    root: Path,
    by: list[str] = KEYS,
) -> Path:
    """The pair as a dataset folder, the way pyarrow writes one (hive, keys out of the files)."""
    for side, table in (("households", households), ("members", members)):
        if isinstance(table, pd.DataFrame):
            table = pa.Table.from_pandas(table, preserve_index=False)
        ds.write_dataset(
            table,
            root / side,
            format="parquet",
            partitioning=by,
            partitioning_flavor="hive",
            use_threads=False,  # rows in input order within a partition
        )
    return root


def partition_dir(root: Path, side: str, commune: str) -> Path:
    """The folder of ``side`` holding the partition of ``commune``."""
    (found,) = [p for p in discover(root) if dict(p.keys).get("commune") == commune]
    files = found.households if side == "households" else found.members
    return Path(files[0]).parent


@pytest.fixture(scope="session")
def example_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = read_survey(EXAMPLE)
    households = raw.sheets["households"].frame.reset_index(drop=True)
    members = raw.sheets["members"].frame.reset_index(drop=True)
    return households, with_keys(households, members)


@pytest.fixture(scope="session")
def example_dataset(tmp_path_factory, example_frames) -> Path:
    return write_dataset(*example_frames, tmp_path_factory.mktemp("example") / "survey")


@pytest.fixture(scope="session")
def single() -> mdpoverty.Result:
    return mdpoverty.classify(EXAMPLE, lang="en")


@pytest.fixture(scope="session")
def dataset_result(example_dataset) -> mdpoverty.Result:
    return mdpoverty.classify(example_dataset, lang="en")


# --- 1. the same households as the single file ----------------------------------------------


def test_dataset_classes_flags_and_counts_equal_the_single_file(example_dataset, single):
    assert len(discover(example_dataset)) == 4  # the example's four communes
    got = mdpoverty.classify(example_dataset, lang="en")
    # partitions come in key order, the file in input order: compare household by household
    pd.testing.assert_frame_equal(by_id(got.households), by_id(single.households))
    assert got.counts == single.counts
    # the same problems, on the same households (sheet, row and header are the partition's)
    what = ["check", "severity", "household_id", "field", "value"]
    assert sorted(map(tuple, got.issues[what].astype(str).to_numpy().tolist())) == sorted(
        map(tuple, single.issues[what].astype(str).to_numpy().tolist())
    )
    # a warning about the standard is said for the run, not once per partition
    assert (got.issues["check"] == "provisional_standard").sum() == 1


def test_the_errors_example_as_a_dataset_classes_and_rejects_the_same(tmp_path):
    raw = read_survey(ROOT / "examples" / "survey-with-errors.xlsx")
    households = raw.sheets["households"].frame.reset_index(drop=True)
    members = raw.sheets["members"].frame.reset_index(drop=True)
    keys = households.drop_duplicates("household_id")[["household_id", *KEYS]]
    # a member whose ID matches no household lands in a partition of no keys
    members = members.merge(keys, on="household_id", how="left")
    got = mdpoverty.classify(write_dataset(households, members, tmp_path / "errors"), lang="en")
    want = mdpoverty.classify(ROOT / "examples" / "survey-with-errors.xlsx", lang="en")
    assert want.counts["households_rejected"] > 0  # the example has errors to find
    assert got.counts == want.counts
    classes = [by_id(r.households)[["household_id", "class"]] for r in (got, want)]
    pd.testing.assert_frame_equal(*classes)
    # every error the workbook gives on a household, the dataset gives on that household
    errors = [
        set(
            map(
                tuple,
                r.issues.loc[r.issues["severity"] == "error", ["check", "household_id"]]
                .astype(str)
                .to_numpy()
                .tolist(),
            )
        )
        for r in (got, want)
    ]
    assert errors[1] <= errors[0]


def test_cli_streamed_parquet_holds_the_library_households(
    example_dataset, dataset_result, tmp_path
):
    out = tmp_path / "out.parquet"
    res = run("classify", example_dataset, "-o", out, "--lang", "en")
    assert res.exit_code == Exit.OK, res.output
    written = pd.read_parquet(out)
    # read back with the library's dtypes too (Int64, boolean, string), as a single pass's
    pd.testing.assert_frame_equal(written, dataset_result.households)
    issues = pd.read_parquet(tmp_path / "out.issues.parquet")
    assert sorted(issues["check"]) == sorted(dataset_result.issues["check"])
    # and the file a user gets from the workbook holds the same rows
    single_out = tmp_path / "single.parquet"
    assert run("classify", EXAMPLE, "-o", single_out, "--lang", "en").exit_code == Exit.OK
    pd.testing.assert_frame_equal(by_id(written), by_id(pd.read_parquet(single_out)))


def test_cli_streamed_csv_equals_the_single_file_csv(example_dataset, tmp_path):
    out, single_out = tmp_path / "out.csv", tmp_path / "single.csv"
    assert run("classify", example_dataset, "-o", out).exit_code == Exit.OK
    assert run("classify", EXAMPLE, "-o", single_out).exit_code == Exit.OK
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    want = pd.read_csv(single_out, dtype=str, keep_default_na=False)
    assert len(got) == 300  # the header once, every household once
    pd.testing.assert_frame_equal(by_id(got), by_id(want))
    # piped (no -o): CSV on stdout, part by part, the header once
    piped = run("classify", example_dataset)
    assert piped.exit_code == Exit.OK
    on_stdout = pd.read_csv(StringIO(piped.stdout), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(by_id(on_stdout), by_id(want))


def test_validate_streamed_lists_the_single_file_issues(example_dataset, tmp_path):
    out, single_out = tmp_path / "issues.csv", tmp_path / "single-issues.csv"
    assert run("validate", example_dataset, "-o", out).exit_code == Exit.OK
    assert run("validate", EXAMPLE, "-o", single_out).exit_code == Exit.OK
    what = ["check", "severity", "household_id", "field"]
    got = pd.read_csv(out, dtype=str, keep_default_na=False)[what]
    want = pd.read_csv(single_out, dtype=str, keep_default_na=False)[what]
    assert sorted(map(tuple, got.to_numpy().tolist())) == sorted(
        map(tuple, want.to_numpy().tolist())
    )


def test_forms_and_measures_of_the_dataset_are_the_single_file_s(example_dataset):
    got, want = mdpoverty.report(example_dataset), mdpoverty.report(EXAMPLE)
    assert list(got) == list(want)
    for form in want:
        # the units come in partition order, numbered in that order: compare the rows as a set
        cols = [c for c in want[form].columns if c != "number"]
        assert list(got[form].columns) == list(want[form].columns), form
        rows = [
            sorted(map(tuple, f[cols].astype(str).to_numpy().tolist()))
            for f in (got[form], want[form])
        ]
        assert rows[0] == rows[1], form
    one = run("measures", example_dataset, "--by", "commune,area")
    assert one.exit_code == Exit.OK, one.output
    assert one.stdout == run("measures", EXAMPLE, "--by", "commune,area").stdout


# --- 2. a generated district, typed, partitioned two ways -----------------------------------


def _bench_generate() -> ModuleType:
    """``bench/generate.py`` under the name the bench smoke test loads it by."""
    key = "mdpoverty_bench_generate"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, ROOT / "bench" / "generate.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


@pytest.fixture(scope="session")
def district(tmp_path_factory) -> dict[str, Path]:
    """1,200 generated households (fixed seed) as a typed Parquet pair, and as datasets by
    province and by province and commune. Two of the four communes are put in a second
    province (in the pair too), so the province partitioning has two partitions."""
    bench = _bench_generate()
    gen = bench._examples_generator()
    households, members = gen.generate_district(1200, seed=bench.SEED, survey_year=2025)
    moved = households["commune"].isin(sorted(households["commune"].unique())[:2])
    households.loc[moved, "province"] = "Tỉnh Thử"
    hh, mm = bench.typed_tables(households, with_keys(households, members))
    root = tmp_path_factory.mktemp("district")
    (root / "pair").mkdir()
    pq.write_table(hh, root / "pair" / "households.parquet")
    pq.write_table(mm.drop(KEYS), root / "pair" / "members.parquet")
    return {
        "pair": root / "pair" / "households.parquet",
        "province": write_dataset(hh, mm, root / "by-province", ["province"]),
        "commune": write_dataset(hh, mm, root / "by-commune", KEYS),
    }


@pytest.fixture(scope="session")
def district_pair(district) -> mdpoverty.Result:
    return mdpoverty.classify(district["pair"], lang="en")


@pytest.mark.parametrize(("layout", "partitions"), [("province", 2), ("commune", 4)])
def test_generated_district_classes_as_the_pair(district, district_pair, layout, partitions):
    assert len(discover(district[layout])) == partitions
    got = mdpoverty.classify(district[layout], lang="en")
    assert len(got.households) == 1200
    pd.testing.assert_frame_equal(by_id(got.households), by_id(district_pair.households))
    assert got.counts == district_pair.counts


# --- 3. the Dask engine gives what the local engine gives -----------------------------------


@pytest.fixture(scope="module")
def scheduler():
    """One small local cluster for the module, reached by its address as a real one is."""
    distributed = pytest.importorskip("distributed")
    import logging

    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # 8787 may be someone's
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster.scheduler_address


@pytest.mark.parametrize("which", ["example", "district"])
def test_dask_classify_equals_local(scheduler, example_dataset, district, which):
    folder = example_dataset if which == "example" else district["commune"]
    local = mdpoverty.classify(folder, lang="en")
    dask = mdpoverty.classify(folder, lang="en", engine="dask", scheduler=scheduler)
    pd.testing.assert_frame_equal(dask.households, local.households)
    pd.testing.assert_frame_equal(dask.issues, local.issues)
    assert dask.counts == local.counts


def _cells(path: Path) -> dict[str, list[tuple]]:
    book = load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


def test_dask_report_forms_equal_local(scheduler, example_dataset, tmp_path):
    # the forms summed partition by partition (1, 4–8, 10, 12, 13), and the others, named,
    # from the round joined in memory: on Dask as in this process, cell for cell
    for forms, n in ((["--form", "all"], 9), (["--form", "9,11,14,15"], 4)):
        local, dask = tmp_path / "local.xlsx", tmp_path / "dask.xlsx"
        res = run("report", example_dataset, *forms, "-o", local)
        assert res.exit_code == Exit.OK, res.output
        res = run(
            "report",
            example_dataset,
            *forms,
            "-o",
            dask,
            "--engine",
            "dask",
            "--scheduler",
            scheduler,
        )
        assert res.exit_code == Exit.OK, res.output
        want, got = _cells(local), _cells(dask)
        assert list(got) == list(want) and len(want) == n, forms
        for sheet in want:
            assert got[sheet] == want[sheet], sheet


def test_summed_forms_of_a_dataset_equal_the_round_in_memory(example_dataset, tmp_path):
    # `report DIR` sums each partition's commune counts; the library joins every partition
    # first: the same workbook cells, the other forms named as needing --form
    summed = tmp_path / "summed.xlsx"
    res = run("report", example_dataset, "-o", summed)
    assert res.exit_code == Exit.OK, res.output
    assert "9, 11, 14, 15" in res.stderr and "--form 9,11,14,15" in res.stderr
    forms = "1,4,5,6,7,8,10,12,13"
    frames = mdpoverty.report(example_dataset, form=forms)
    got = report_dataset(example_dataset, forms.split(",")).frames
    assert list(got) == list(frames) == forms.split(",")
    for form, frame in frames.items():
        pd.testing.assert_frame_equal(got[form], frame, check_dtype=True, obj=f"Form {form}")
    cells = _cells(summed)
    assert list(cells) == [f"Biểu {f}" for f in forms.split(",")]


def test_dask_measures_equal_local(scheduler, district):
    folder = district["commune"]
    local = run("measures", folder, "--by", "commune")
    dask = run("measures", folder, "--by", "commune", "--engine", "dask", "--scheduler", scheduler)
    assert local.exit_code == dask.exit_code == Exit.OK, dask.output
    assert dask.stdout == local.stdout
    assert len(local.stdout.splitlines()) == 1 + 1 + 4  # header, all, four communes


def test_dask_streamed_output_equals_local_with_the_embedded_cluster(example_dataset, tmp_path):
    pytest.importorskip("distributed")
    local, dask = tmp_path / "local.parquet", tmp_path / "dask.parquet"
    assert run("classify", example_dataset, "-o", local).exit_code == Exit.OK
    res = run("classify", example_dataset, "-o", dask, "--engine", "dask")  # no --scheduler
    assert res.exit_code == Exit.OK, res.output
    pd.testing.assert_frame_equal(pd.read_parquet(dask), pd.read_parquet(local))
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "dask.issues.parquet"),
        pd.read_parquet(tmp_path / "local.issues.parquet"),
    )


# --- 4. an ID used again in a later partition ------------------------------------------------


@pytest.mark.parametrize(
    "retype",
    [lambda i: i, lambda i: f" {i.lower()}"],  # the same ID, or as an officer retypes it
    ids=["same", "retyped"],
)
def test_id_used_again_in_a_later_partition_is_an_error_on_the_later_row(
    example_frames, single, tmp_path, retype
):
    households, members = example_frames
    earlier, later = "Xã Bảo Thắng", "Xã Xuân Quang"  # key order: Bảo < Bắc < Lùng < Xuân
    copy = households[households["commune"] == earlier].iloc[[0]]
    first_id = copy["household_id"].iloc[0]
    dup_id = retype(first_id)
    copy_members = members[members["household_id"] == first_id]
    root = write_dataset(
        pd.concat([households, copy.assign(commune=later, household_id=dup_id)]),
        pd.concat([members, copy_members.assign(commune=later, household_id=dup_id)]),
        tmp_path / "dup",
    )
    got = mdpoverty.classify(root, lang="en")

    hh = got.households
    rows = hh[hh["household_id"].str.upper() == first_id]  # as written, the cell trimmed
    assert list(rows["commune"]) == [earlier, later]
    first_class = single.households.set_index("household_id").loc[first_id, "class"]
    assert list(rows["class"]) == [first_class, ""]  # the first stands, the later is not classed

    dups = got.issues[got.issues["check"] == "duplicate_id"]
    assert len(dups) == 1
    issue = dups.iloc[0]
    assert issue["severity"] == "error" and issue["household_id"] == dup_id.strip()
    # its sheet and row: the later partition's households, the copy's row under the header
    later_table = pq.read_table(partition_dir(root, "households", later)).to_pandas()
    (at,) = (later_table["household_id"] == dup_id).to_numpy().nonzero()[0]
    assert later in issue["sheet"] and issue["sheet"].startswith("households/")
    assert int(issue["row"]) == at + 2
    assert earlier in issue["message"]  # where the ID is first used

    c = got.counts
    assert c["households_in"] == 301
    assert c["households_in"] == c["households_classed"] + c["households_rejected"]
    assert c["households_rejected"] == 1
    assert c["members_in"] == len(members) + len(copy_members)
    assert c["members_in"] == c["members_classed"] + c["members_rejected"]
    assert c["members_rejected"] == len(copy_members)

    # the command says so: exit 1, the streamed files hold every row and the error
    out = tmp_path / "out.parquet"
    res = run("classify", root, "-o", out)
    assert res.exit_code == Exit.DATA, res.output
    assert len(pd.read_parquet(out)) == 301
    assert "duplicate_id" in set(pd.read_parquet(tmp_path / "out.issues.parquet")["check"])


# --- 5. members with no households folder of their key ----------------------------------------


def test_members_of_a_partition_without_households_are_reported(example_frames, tmp_path):
    households, members = example_frames
    strays = []
    for i, commune in enumerate(["Xã Mới", "Xã Ma"]):
        m = members[members["household_id"] == households["household_id"].iloc[i]]
        strays.append(m.assign(commune=commune, household_id=f"LOST-{i}"))
    root = write_dataset(
        households, pd.concat([members, *strays], ignore_index=True), tmp_path / "orphans"
    )
    got = mdpoverty.classify(root, lang="en")

    c = got.counts
    n_strays = sum(len(s) for s in strays)
    assert c["households_in"] == c["households_classed"] == 300
    assert c["members_in"] == len(members) + n_strays  # every input row accounted for
    assert c["members_in"] == c["members_classed"] + c["members_rejected"]
    assert c["members_rejected"] == n_strays
    for stray in strays:
        commune = stray["commune"].iloc[0]
        on_rows = got.issues[
            got.issues["sheet"].astype(str).str.contains(commune)
            & (got.issues["severity"] == "error")
        ]
        # each stray member row is an error on its own row of its partition's file
        assert sorted(on_rows["row"].astype(int)) == list(range(2, 2 + len(stray)))
        assert set(on_rows["household_id"]) == {stray["household_id"].iloc[0]}
        # and each partition missing its households is said, naming that partition
        said = got.issues["message"].str.contains(commune) & got.issues["sheet"].isin(["", None])
        assert said.sum() == 1, got.issues[["check", "message"]]


def test_stray_members_do_not_choose_a_standard_of_their_own(tmp_path):
    """A 2025 round (the 2022–2025 standard) with stray members in a partition before and
    one after the others: having no survey date, they must not pick today's standard."""
    bench = _bench_generate()
    households, members = bench._examples_generator().generate_district(
        200, seed=bench.SEED, survey_year=2025
    )
    members = with_keys(households, members)
    one = members[members["household_id"] == households["household_id"].iloc[0]]
    strays = [one.assign(commune=c, household_id=f"LOST-{c}") for c in ("Xã A", "Xã Zz")]
    hh, mm = bench.typed_tables(households, pd.concat([members, *strays], ignore_index=True))
    root = write_dataset(hh, mm, tmp_path / "strays")
    communes = [dict(p.keys)["commune"] for p in discover(root)]
    assert communes[0] == "Xã A" and communes[-1] == "Xã Zz"  # first and last in key order
    got = mdpoverty.classify(root, lang="en")
    assert got.standard.id == "vn-2022-2025"
    assert got.counts["households_classed"] == 200
    assert got.counts["members_rejected"] == sum(len(s) for s in strays)
    orphans = got.issues[got.issues["check"] == "orphan_member"]
    assert set(orphans["household_id"]) == {"LOST-Xã A", "LOST-Xã Zz"}

    out = tmp_path / "out.parquet"
    res = run("classify", root, "-o", out, "--lang", "en")
    assert res.exit_code != Exit.USAGE, res.output
    assert len(pd.read_parquet(out)) == 200
    assert "no survey dates" not in res.stderr  # nothing was chosen for the strays


def test_a_blank_key_is_a_partition_of_households_without_it(example_frames, tmp_path):
    households, members = example_frames
    households = households.copy()
    households.loc[[5, 150], "commune"] = None  # pyarrow writes commune=__HIVE_DEFAULT_PARTITION__
    members = with_keys(households, members.drop(columns=KEYS))
    root = write_dataset(households, members, tmp_path / "blank")
    assert any(dict(p.keys)["commune"] is None for p in discover(root))
    got = mdpoverty.classify(root, lang="en")
    once = mdpoverty.classify_frames(households, members.drop(columns=KEYS), lang="en")
    pd.testing.assert_frame_equal(by_id(got.households), by_id(once.households))
    assert got.counts == once.counts and got.counts["households_rejected"] == 2
    blank = set(households["household_id"].iloc[[5, 150]])
    errors = got.issues[got.issues["severity"] == "error"]
    assert set(errors["household_id"]) == blank
    assert set(errors["field"]) == {"commune"}


# --- 6. broken and hostile folders: one clear line, exit 2, no output ------------------------


@pytest.fixture
def copy_of(example_dataset, tmp_path) -> Path:
    return Path(shutil.copytree(example_dataset, tmp_path / "copy"))


def test_a_garbage_file_in_a_partition_is_one_line(copy_of, tmp_path):
    bad = partition_dir(copy_of, "households", "Xã Bắc Hà") / "notes.parquet"
    bad.write_text("not parquet at all\n")
    for out in ("out.parquet", "out.csv", "out.xlsx"):
        res = run("classify", copy_of, "-o", tmp_path / out, "--lang", "en")
        assert res.exit_code == Exit.USAGE, res.output
        line = one_line(res)
        assert "notes.parquet" in line and "file_unreadable" in line
        assert line.count("notes.parquet") == 1, line  # the file once, then why
        assert not (tmp_path / out).exists()
        assert not list(tmp_path.glob("out.issues.*"))


def test_a_folder_not_name_value_is_one_line(copy_of, tmp_path):
    stray = copy_of / "households" / "extra"
    stray.mkdir()
    shutil.copy(next(copy_of.glob("households/*/*/*.parquet")), stray / "part-0.parquet")
    res = run("classify", copy_of, "-o", tmp_path / "out.parquet", "--lang", "en")
    assert res.exit_code == Exit.USAGE
    line = one_line(res)
    assert "'extra'" in line and "name=value" in line
    assert not (tmp_path / "out.parquet").exists()


def test_sides_partitioned_by_different_keys_is_one_line(example_frames, tmp_path):
    households, members = example_frames
    root = tmp_path / "differ"
    write_dataset(households, members.iloc[:0], root)  # households by province and commune
    shutil.rmtree(root / "members", ignore_errors=True)
    ds.write_dataset(
        pa.Table.from_pandas(members, preserve_index=False),
        root / "members",
        format="parquet",
        partitioning=["province"],
        partitioning_flavor="hive",
    )
    res = run("classify", root, "-o", tmp_path / "out.csv", "--lang", "en")
    assert res.exit_code == Exit.USAGE
    assert "partitions_differ" in one_line(res)
    assert not (tmp_path / "out.csv").exists()


def test_a_workbook_past_the_row_limit_is_refused_before_reading(
    example_dataset, tmp_path, monkeypatch
):
    import mdpoverty.cli.dataset
    import mdpoverty.engines.stream

    monkeypatch.setattr(mdpoverty.cli.dataset, "XLSX_MAX_ROWS", 200)  # < 300 households

    def no_reading(*args, **kwargs):
        raise AssertionError("the dataset was read")

    monkeypatch.setattr(mdpoverty.engines.stream, "read_partition", no_reading)
    out = tmp_path / "out.xlsx"
    res = run("classify", example_dataset, "-o", out, "--lang", "en")
    assert res.exit_code == Exit.USAGE, res.output
    line = one_line(res)
    assert "300 households do not fit" in line and "out.parquet" in line
    assert not out.exists()


def test_annotate_a_dataset_is_a_usage_error(example_dataset, tmp_path):
    res = run("classify", example_dataset, "--annotate", "-o", tmp_path / "out.csv")
    assert res.exit_code == Exit.USAGE
    assert "--annotate" in one_line(res)
    assert not (tmp_path / "out.csv").exists()


def test_partitions_under_different_standards_stop_and_leave_no_output(example_frames, tmp_path):
    households, members = example_frames
    households = households.copy()
    # the last partition's households surveyed a year earlier: the 2022–2025 standard
    households.loc[households["commune"] == "Xã Xuân Quang", "survey_date"] = "2025-10-15"
    root = write_dataset(households, members, tmp_path / "years")
    out = tmp_path / "out.parquet"
    res = run("classify", root, "-o", out, "--lang", "en")
    assert res.exit_code == Exit.USAGE, res.output
    line = one_line(res)
    assert "Xã Xuân Quang" in line and "--standard" in line
    # the earlier partitions were written as they went: the file is not left half done
    assert not out.exists() and not (tmp_path / "out.issues.parquet").exists()


# --- 7. partition columns inside the files too -----------------------------------------------


def test_partition_columns_also_inside_the_files(example_frames, single, tmp_path):
    households, members = example_frames
    root = tmp_path / "inside"
    for side, frame in (("households", households), ("members", members)):
        for (province, commune), part in frame.groupby(KEYS, sort=True):
            folder = root / side / f"province={province}" / f"commune={commune}"
            folder.mkdir(parents=True)
            pq.write_table(pa.Table.from_pandas(part, preserve_index=False), folder / "p.parquet")
    got = mdpoverty.classify(root, lang="en")
    assert not got.households.columns.duplicated().any()
    pd.testing.assert_frame_equal(by_id(got.households), by_id(single.households))
    assert got.counts == single.counts


# --- found in review: inputs that must never be read silently wrong ------------------------


def test_a_partition_column_in_the_files_that_contradicts_its_folder_is_an_error_per_row(
    example_frames, single, tmp_path
):
    # the files of Xã Bắc Hà's folder say two of its households are in another commune: the
    # folder and the cells disagree, so those two rows are errors (not classed), located to
    # their row; every other household is classed as in the single file
    households, members = example_frames
    root = tmp_path / "contradicts"
    moved = households.index[households["commune"] == "Xã Bắc Hà"][:2]
    wrong_ids = set(households.loc[moved, "household_id"])
    for side, frame in (("households", households), ("members", members)):
        for (province, commune), part in frame.groupby(KEYS, sort=True):
            part = part.copy()
            if side == "households":
                part.loc[part.index.isin(moved), "commune"] = "Xã Bảo Thắng"
            folder = root / side / f"province={province}" / f"commune={commune}"
            folder.mkdir(parents=True)
            pq.write_table(pa.Table.from_pandas(part, preserve_index=False), folder / "p.parquet")
    got = mdpoverty.classify(root, lang="en")
    errors = got.issues[got.issues["check"] == "duplicate_column_differs"]
    assert set(errors["household_id"]) == wrong_ids
    assert (errors["severity"] == "error").all() and errors["row"].notna().all()
    classes = got.households.set_index("household_id")["class"].astype("string").fillna("")
    assert (classes[list(wrong_ids)] == "").all()
    want = single.households.set_index("household_id")["class"]
    rest = [i for i in want.index if i not in wrong_ids]
    assert (classes[rest] == want[rest]).all()
    assert got.counts["households_in"] == got.counts["households_classed"] + len(wrong_ids)


def test_a_partition_folder_linked_in_is_read_not_skipped(example_dataset, single, tmp_path):
    # one commune's two folders live elsewhere and are linked in: its households still count
    root = tmp_path / "linked"
    shutil.copytree(example_dataset, root)
    away = tmp_path / "away"
    for side in ("households", "members"):
        folder = partition_dir(root, side, "Xã Bắc Hà")
        target = away / side
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(folder), target)
        folder.symlink_to(target, target_is_directory=True)
    got = mdpoverty.classify(root, lang="en")
    assert got.counts == single.counts
    pd.testing.assert_frame_equal(by_id(got.households), by_id(single.households))


def test_forms_of_a_commune_split_over_partitions_add_up(example_frames, tmp_path):
    # partitioned by area, each commune's urban and rural households are in two partitions:
    # Form 1's counts, rates and totals are still the single file's
    households, members = example_frames
    m = members.merge(households[["household_id", "area"]], on="household_id")
    root = write_dataset(households, m, tmp_path / "by-area", by=["area"])
    assert len(discover(root)) == 2
    got = report_dataset(root, ["1", "4", "5"]).frames
    want = mdpoverty.report(EXAMPLE, form="1,4,5")
    for form in ("1", "4", "5"):
        cols = [c for c in want[form].columns if c != "number"]
        rows = [
            sorted(map(tuple, f[cols].astype(str).to_numpy().tolist()))
            for f in (got[form], want[form])
        ]
        assert rows[0] == rows[1], form


def test_same_named_communes_in_two_partitions_stay_two_groups_in_the_measures(
    example_frames, tmp_path
):
    # Xã Bắc Hà exists in Tỉnh Lào Cai and (here) in Tỉnh Hà Giang, each in its own partition:
    # two groups, named with their province, as one file of both provinces names them
    households, members = example_frames
    households = households.copy()
    other = households["commune"] == "Xã Xuân Quang"
    households.loc[other, "province"] = "Tỉnh Hà Giang"
    households.loc[other, "commune"] = "Xã Bắc Hà"
    members = with_keys(households, members.drop(columns=KEYS))
    root = write_dataset(households, members, tmp_path / "two-bac-ha")
    pair = tmp_path / "pair"
    pair.mkdir()
    households.to_csv(pair / "households.csv", index=False)
    members.drop(columns=KEYS).to_csv(pair / "members.csv", index=False)
    got = run("measures", root, "--by", "commune", "--lang", "en")
    want = run("measures", pair / "households.csv", "--by", "commune", "--lang", "en")
    assert got.exit_code == want.exit_code == Exit.OK, got.output + want.output
    table = pd.read_csv(StringIO(got.stdout))
    assert {"Xã Bắc Hà (Tỉnh Lào Cai)", "Xã Bắc Hà (Tỉnh Hà Giang)"} <= set(table["group"])
    assert got.stdout == want.stdout


def test_a_sample_survey_dataset_is_measured_with_its_standard_errors(example_frames, tmp_path):
    # sample weights: the standard errors need every household at once, so the partitions
    # are joined; the table is the single file's, standard errors included
    households, members = example_frames
    households = households.copy()
    households["sample_weight"] = 25.0
    root = write_dataset(households, members, tmp_path / "sample")
    pair = tmp_path / "pair"
    pair.mkdir()
    households.to_csv(pair / "households.csv", index=False)
    members.drop(columns=KEYS).to_csv(pair / "members.csv", index=False)
    got = mdpoverty.measures(root, by="commune")
    want = mdpoverty.measures(pair / "households.csv", by="commune")
    assert not got.census and "H_se" in got.measures
    cols = ["group", "H", "M0", "H_se", "M0_se"]
    pd.testing.assert_frame_equal(
        got.measures[cols].sort_values("group", ignore_index=True),
        want.measures[cols].sort_values("group", ignore_index=True),
    )
