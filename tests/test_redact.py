"""--redact (issue 13, item 4): no name, birth date or raw household ID in any byte of any
output, pseudonyms keyed and stable, counts and forms unchanged."""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES

from mdpoverty.cli.main import main
from mdpoverty.redact import ENV_KEY, Redactor

KEY = "a-province-key-kept-offline-2026"
OTHER_KEY = "another-province-key-0000000000"
ERRORS = EXAMPLES / "survey-with-errors.xlsx"
SURVEY = EXAMPLES / "survey.xlsx"
PREVIOUS = EXAMPLES / "previous-round.xlsx"


def _fold(text: object) -> str:
    s = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "d")
    return "".join(c for c in s if not unicodedata.combining(c)).lower().replace(" ", "")


def _secrets(path: Path) -> dict[str, set[str]]:
    """Every head and member name, full birth date and household ID as written in ``path``
    (read here with openpyxl, not by mdpoverty)."""
    found: dict[str, set[str]] = {"name": set(), "birth": set(), "id": set()}
    wanted = {"maho": "id", "hotenchuho": "name", "hovaten": "name", "ngaysinh": "birth"}
    wb = openpyxl.load_workbook(path, read_only=True)
    for ws in wb.worksheets:
        cols: dict[int, str] = {}
        for row in ws.iter_rows(values_only=True):
            if not cols:
                cols = {i: wanted[_fold(v)] for i, v in enumerate(row) if _fold(v) in wanted}
                continue
            for i, kind in cols.items():
                v = row[i] if i < len(row) else None
                if v is None or str(v).strip() == "":
                    continue
                if isinstance(v, dt.datetime | dt.date):
                    found[kind] |= {v.strftime("%Y-%m-%d"), v.strftime("%d/%m/%Y")}
                elif kind == "birth" and len(str(v).strip()) <= 4:
                    continue  # a bare birth year: too short to tell from any other number
                else:
                    found[kind].add(str(v).strip())
    found["id"] = {i for i in found["id"] if len(i) >= 5}
    return found


def _text(path: Path) -> str:
    """Every byte of an output, as text: xlsx parts unzipped, Parquet decoded, JSON loaded."""
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            # every part but docProps/ (the writer's own timestamps: on the day a planted
            # birth date names, "2026-12-08" is the workbook's creation date, not a person's)
            return "\n".join(
                z.read(n).decode("utf-8", "replace")
                for n in z.namelist()
                if not n.startswith("docProps/")
            )
    if path.suffix == ".parquet":
        table = pq.read_table(path).to_pandas()
        return data.decode("latin-1") + table.to_csv()
    text = data.decode("utf-8")
    if path.suffix == ".json":
        text += json.dumps(json.loads(text), ensure_ascii=False)
    return text


def run(*args: str, key: str | None = KEY) -> object:
    env = {ENV_KEY: key} if key is not None else {ENV_KEY: ""}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _leaks(paths: list[Path], secrets: dict[str, set[str]]) -> list[tuple[str, str, str]]:
    out = []
    for p in paths:
        text = _text(p)
        for kind, values in secrets.items():
            out += [(p.name, kind, v) for v in values if v in text]
    return out


def test_the_scan_finds_what_an_unredacted_run_writes(tmp_path: Path) -> None:
    """The oracle can fail: without --redact the same scan finds names, dates and IDs."""
    secrets = _secrets(ERRORS)
    assert len(secrets["name"]) > 300 and len(secrets["id"]) > 290 and secrets["birth"]
    out = tmp_path / "c.xlsx"
    run("classify", str(ERRORS), "-o", str(out))
    kinds = {kind for _, kind, _ in _leaks([out], secrets)}
    assert {"name", "id"} <= kinds
    run("validate", str(ERRORS), "-o", str(tmp_path / "v.csv"))
    assert {k for _, k, _ in _leaks([tmp_path / "v.csv"], secrets)} >= {"id", "birth"}


def test_no_name_birth_date_or_id_in_any_output(tmp_path: Path) -> None:
    secrets = _secrets(ERRORS)
    for k, v in _secrets(PREVIOUS).items():
        secrets[k] |= v
    written: list[Path] = []
    for fmt in ("xlsx", "csv", "parquet", "json"):
        for cmd in ("classify", "validate"):
            out = tmp_path / f"{cmd}.{fmt}"
            r = run(cmd, str(ERRORS), "-o", str(out), "--redact")
            assert r.exit_code == 1, r.output  # the planted errors
            written.append(out)
        for kind in ("beneficiaries", "service-gaps"):
            out = tmp_path / f"lists-{kind}.{fmt}"
            run("lists", str(ERRORS), "--list", kind, "-o", str(out), "--redact")
            written.append(out)
        out = tmp_path / f"changes.{fmt}"
        run("changes", str(PREVIOUS), str(ERRORS), "-o", str(out), "--redact")
        written.append(out)
    for fmt in ("xlsx", "json"):
        out = tmp_path / f"report.{fmt}"
        run("report", str(ERRORS), "--previous", str(PREVIOUS), "-o", str(out), "--redact")
        written.append(out)
        out = tmp_path / f"measures.{fmt}"
        run("measures", str(ERRORS), "-o", str(out), "--redact", "--by", "commune,village")
        written.append(out)
    out = tmp_path / "targets.xlsx"
    run("targets", str(ERRORS), "--previous", str(PREVIOUS), "-o", str(out), "--redact")
    written.append(out)
    written += sorted(tmp_path.glob("*.issues.*")) + sorted(tmp_path.glob("*.form*.csv"))
    missing = [p.name for p in written if not p.exists()]
    assert not missing
    assert _leaks(written, secrets) == []


def test_pseudonyms_keyed_and_stable(tmp_path: Path) -> None:
    ids = {}
    for name, key in (("a", KEY), ("b", KEY), ("c", OTHER_KEY)):
        out = tmp_path / f"{name}.csv"
        run("classify", str(SURVEY), "-o", str(out), "--redact", key=key)
        ids[name] = pd.read_csv(out, dtype=str)["household_id"]
    assert ids["a"].str.fullmatch(r"P[0-9a-f]{16}").all()
    assert ids["a"].is_unique
    assert ids["a"].equals(ids["b"])
    assert not (ids["a"] == ids["c"]).any()


def test_pseudonym_is_hmac_sha256_of_the_id() -> None:
    import hashlib
    import hmac

    expected = "P" + hmac.new(b"k" * 16, b"lc-bt-01-0001", hashlib.sha256).hexdigest()[:16]
    red = Redactor(b"k" * 16)
    # the ID as officers type it: case and spaces do not make another household
    assert red.pseudonym("LC-BT-01-0001") == expected == red.pseudonym("lc-bt-01- 0001")


def test_rounds_still_link_under_one_key(tmp_path: Path) -> None:
    """A household's pseudonym is the same in the previous round's and this round's files."""
    run("classify", str(PREVIOUS), "-o", str(tmp_path / "prev.csv"), "--redact")
    run("classify", str(SURVEY), "-o", str(tmp_path / "cur.csv"), "--redact")
    run("changes", str(PREVIOUS), str(SURVEY), "-o", str(tmp_path / "ch.csv"), "--redact")
    prev = pd.read_csv(tmp_path / "prev.csv", dtype=str)
    cur = pd.read_csv(tmp_path / "cur.csv", dtype=str)
    ch = pd.read_csv(tmp_path / "ch.csv", dtype=str)
    both = set(prev["household_id"]) & set(cur["household_id"])
    assert len(both) > 200
    linked = ch[ch["household_id"].isin(both)]
    assert len(linked) == len(both)
    assert set(ch["household_id"]) == set(prev["household_id"]) | set(cur["household_id"])


def test_counts_and_forms_identical(tmp_path: Path) -> None:
    for flag in ((), ("--redact",)):
        tag = "r" if flag else "p"
        run("classify", str(ERRORS), "-o", str(tmp_path / f"c{tag}.csv"), *flag)
        for form in ("1", "2", "4", "5"):
            out = tmp_path / f"f{form}{tag}.csv"
            run(
                "report",
                str(ERRORS),
                "--form",
                form,
                "--previous",
                str(PREVIOUS),
                "-o",
                str(out),
                *flag,
            )
        run(
            "report",
            str(ERRORS),
            "--previous",
            str(PREVIOUS),
            "-o",
            str(tmp_path / f"{tag}.xlsx"),
            *flag,
        )
    for form in ("1", "2", "4", "5"):
        assert (tmp_path / f"f{form}p.csv").read_bytes() == (
            tmp_path / f"f{form}r.csv"
        ).read_bytes()
    plain = pd.read_csv(tmp_path / "cp.csv", dtype=str)
    red = pd.read_csv(tmp_path / "cr.csv", dtype=str)
    pd.testing.assert_frame_equal(
        plain.drop(columns="household_id"), red.drop(columns="household_id")
    )
    # one pseudonym per ID and one ID per pseudonym, row for row (a planted duplicate ID too)
    pairs = pd.DataFrame({"id": plain["household_id"], "p": red["household_id"]}).dropna()
    assert len(pairs) > 290
    assert pairs.groupby("id")["p"].nunique().max() == 1
    assert pairs.groupby("p")["id"].nunique().max() == 1
    a = openpyxl.load_workbook(tmp_path / "p.xlsx")
    b = openpyxl.load_workbook(tmp_path / "r.xlsx")
    forms = [s for s in a.sheetnames if s.startswith("Biểu")]
    assert len(forms) >= 4 and forms == [s for s in b.sheetnames if s.startswith("Biểu")]
    for s in forms:
        va = [list(r) for r in a[s].iter_rows(values_only=True)]
        vb = [list(r) for r in b[s].iter_rows(values_only=True)]
        if s in ("Biểu 14", "Biểu 15"):  # the lists of households and members: same rows,
            assert len(va) == len(vb), s  # IDs as pseudonyms and no names (checked above)
            continue
        assert va == vb, s


def test_official_lists_have_no_name_column(tmp_path: Path) -> None:
    out = tmp_path / "c.xlsx"
    run("classify", str(SURVEY), "-o", str(out), "--redact")
    ws = openpyxl.load_workbook(out)["Hộ nghèo"]
    header = [c for r in ws.iter_rows(min_row=8, max_row=8, values_only=True) for c in r]
    assert "Họ tên chủ hộ" not in header and "Mã hộ (bí danh)" in header


def test_no_key_is_one_line_and_exit_2(tmp_path: Path) -> None:
    r = run("classify", str(SURVEY), "-o", str(tmp_path / "c.csv"), "--redact", key=None)
    assert r.exit_code == 2
    assert r.output.count("\n") == 1 and ENV_KEY in r.output
    assert not (tmp_path / "c.csv").exists()


def test_short_key_and_key_file(tmp_path: Path) -> None:
    r = run("report", str(SURVEY), "--form", "1", "--redact", key="short")
    assert r.exit_code == 2 and "16" in r.output
    keyfile = tmp_path / "key.txt"
    keyfile.write_text(KEY + "\n", encoding="utf-8")
    run(
        "classify",
        str(SURVEY),
        "-o",
        str(tmp_path / "f.csv"),
        "--redact-key-file",
        str(keyfile),
        key=None,
    )
    run("classify", str(SURVEY), "-o", str(tmp_path / "e.csv"), "--redact")
    assert (tmp_path / "f.csv").read_bytes() == (tmp_path / "e.csv").read_bytes()
    missing = run("classify", str(SURVEY), "--redact-key-file", str(tmp_path / "nope"))
    assert missing.exit_code == 2 and "nope" in missing.output


@pytest.mark.parametrize("cmd", ["classify", "validate"])
def test_annotate_is_refused(tmp_path: Path, cmd: str) -> None:
    r = run(cmd, str(SURVEY), "-o", str(tmp_path / "c.csv"), "--redact", "--annotate")
    assert r.exit_code == 2 and "--annotate" in r.output
    assert not list(tmp_path.iterdir())


def test_issue_messages_lose_the_ids_and_personal_values() -> None:
    """An issue table written by hand: each kind of leak a message can carry."""
    from mdpoverty.errors import message

    red = Redactor(b"k" * 16)
    rows = [
        # (check, field, value, household_id, detail): the value quoted in the message
        ("orphan_member", "household_id", "HN-0042", "HN-0042", "HN-0041, HN-0043"),
        ("duplicate_id", "household_id", "HN-0007", "HN-0007", "5"),
        ("not_a_date", "birth_date", "31/02/1984", "HN-0009", ""),
        ("signature_row", "", "Người lập biểu Nguyễn Văn Ba", "", ""),
        ("not_a_number", "income_per_capita", "abc", "HN-0010", ""),
    ]
    frame = pd.DataFrame(
        {
            "check": [r[0] for r in rows],
            "field": [r[1] for r in rows],
            "value": [r[2] for r in rows],
            "household_id": [r[3] for r in rows],
            "message_en": [message(r[0], "en", value=r[2], detail=r[4]) for r in rows],
            "message_vi": [message(r[0], "vi", value=r[2], detail=r[4]) for r in rows],
        }
    )
    frame["message"] = frame["message_vi"]
    out = red.frame(frame)
    text = out.astype(str).to_csv()
    for leak in ("HN-00", "31/02/1984", "Nguyễn Văn Ba"):
        assert leak not in text
    assert out["value"].tolist()[1] == red.pseudonym("HN-0007")
    assert out["value"].tolist()[2:4] == ["", ""]
    assert out["value"].tolist()[4] == "abc"  # not personal: kept to fix the cell
    assert "[redacted]" in out["message_en"].iloc[0] and "[đã ẩn]" in out["message_vi"].iloc[0]
    assert red.pseudonym("HN-0007") in out["message_en"].iloc[1]
