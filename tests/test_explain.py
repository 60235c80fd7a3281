"""Issue 15: ``mdpoverty.explain`` / ``mdpoverty why`` and the one-line ``reason``.

The law cases (tests/cases/*.toml) are the oracle for flags and class; the expected lines are
the decree's numbers as the cases write them. The explanation is checked against what the
law gives, and against classify (it must never disagree).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from test_cases import CASES, _frames

import mdpoverty
from mdpoverty.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "survey.xlsx"
DOC = (ROOT / "docs" / "explain.md").read_text(encoding="utf-8")

# Nghị định 07/2021/NĐ-CP, Điều 3, khoản 1: the 2022–2025 lines (đồng per person per month)
LINES_2022 = {"rural": 1_500_000, "urban": 2_000_000}
# Thông tư 07/2021/TT-BLĐTBXH, Phụ lục III–IV: score A at or below these is at or below the line
SCORE_LINES_2022 = {"rural": 140, "urban": 175}


def _classed(case: dict):
    hh, members = _frames(case)
    standard = None if case.get("pick") else case.get("standard", "vn-2022-2025")
    as_of = dt.date.fromisoformat(case["as_of"]) if case.get("as_of") else None
    return mdpoverty.classify_frames(hh, members, standard=standard, as_of=as_of), hh


@pytest.mark.parametrize(("name", "case"), CASES, ids=[n for n, _ in CASES])
def test_law_case_explained(name: str, case: dict) -> None:
    result, hh = _classed(case)
    x = mdpoverty.explain(result, "H1")
    expect = case["expect"]
    by_code = {i["code"]: i for i in x["indicators"]}
    for key, want in expect.items():
        if key.startswith("dep_") and key[4:] in by_code:
            assert by_code[key[4:]]["deprived"] == want, f"{key}: {by_code[key[4:]]}"
        elif key == "class":
            assert x["class"] == want
    if "error_on" in expect:
        assert x["status"] == "not_classed" and x["errors"], "its errors, instead"
        for target in expect["error_on"]:
            sheet, field = target.split(".")
            located = [
                e
                for e in x["errors"]
                if e["sheet"] == sheet and e["field"] == field and e["row"] is not None
            ]
            assert located, f"no error located on {sheet} for {target}: {x['errors']}"
    # the income comparison names the line of the household's area
    inc = x["income"]
    if x["status"] == "classed" and inc is not None and inc["line_kind"] == "poverty_line":
        area = str(hh["area"].iloc[0]).strip().lower()
        area = {"nông thôn": "rural", "thành thị": "urban"}.get(area, area)
        if result.standard.id == "vn-2022-2025" and area in LINES_2022:
            assert inc["line"] == LINES_2022[area]
            assert "Điều 3, khoản 1" in inc["line_reference"]
    if x["status"] == "classed" and inc is not None and inc["line_kind"] == "score_line":
        area = str(hh["area"].iloc[0]).strip().lower()
        if result.standard.id == "vn-2022-2025" and area in SCORE_LINES_2022:
            assert inc["line"] == SCORE_LINES_2022[area]
            assert "Thông tư 07/2021/TT-BLĐTBXH" in inc["line_reference"]
        assert (inc["comparison"] == "at_or_below") == (x["class"] in ("poor", "near_poor"))


def test_rules_rederived_on_one_household_agree_with_classify() -> None:
    """Every household of the example: why's class and flags are classify's, and the rules
    re-run on the household alone (override applied) give the same flags."""
    result = mdpoverty.classify(EXAMPLE)
    hh = result.households
    for pos in range(len(hh)):
        hid = hh["household_id"].iloc[pos]
        x = mdpoverty.explain(result, hid)
        assert x["class"] == (hh["class"].iloc[pos] or "")
        for ind in x["indicators"]:
            flag = hh[f"dep_{ind['code']}"].iloc[pos]
            assert ind["deprived"] == (None if flag is pd.NA else bool(flag))
            if x["status"] == "classed":
                chosen = ind["override"] if ind["override"] is not None else ind["derived"]
                assert chosen == ind["deprived"], f"{hid} {ind['code']}: {ind}"
        if x["status"] == "classed":
            assert sum(bool(i["deprived"]) for i in x["indicators"]) == x["deprivation_count"]


def _one(household: dict, members: list[dict], **kw):
    case = {"household": household, "members": members, "expect": {}}
    result, _ = _classed(case)
    return mdpoverty.explain(result, "H1", **kw)


def test_facts_name_the_member_and_the_arithmetic() -> None:
    # domain.md §2 indicator 4: a member aged 6+ without health insurance; indicator 8:
    # 21 m² for 4 members is 5.25 m², below 8 m²
    members = [
        {"full_name": "Nguyễn Văn A", "birth_date": "1991-01-01", "health_insurance": "không"},
        {},
        {},
        {},
    ]
    x = _one({"floor_area_m2": "21"}, members)
    by_code = {i["code"]: i for i in x["indicators"]}
    assert by_code["health_insurance"]["deprived"] is True
    assert any(
        "Nguyễn Văn A, 34 tuổi" in f and "không có thẻ BHYT" in f
        for f in by_code["health_insurance"]["facts"]
    )
    assert "diện tích 21 m² / 4 người = 5,25 m² < 8 m²" in by_code["housing_area"]["facts"]
    assert by_code["health_insurance"]["reference"].startswith("Nghị định 07/2021/NĐ-CP")
    en = _one({"floor_area_m2": "21"}, members, lang="en")
    area = {i["code"]: i for i in en["indicators"]}["housing_area"]
    assert "floor area 21.00 m² / 4 members = 5.25 m² < 8 m²" in area["facts"]


def test_override_says_what_it_replaced() -> None:
    x = _one({"dep_water": "có"}, [{}])
    water = {i["code"]: i for i in x["indicators"]}["water"]
    assert water["deprived"] is True and water["derived"] is False and water["override"] is True
    assert "dep_water" in water["override_text"] and "“không”" in water["override_text"]


def test_near_poor_says_how_many_more_deprivations() -> None:
    # rural, 1,400,000 ≤ 1,500,000, deprived in water and toilet: near-poor (2 < 3)
    x = _one(
        {"income_per_capita": "1400000", "water_source": "surface", "toilet_type": "none"}, [{}]
    )
    assert x["class"] == "near_poor"
    assert "thiếu hụt thêm 1 chỉ số thì là hộ nghèo" in x["what_would_change"]
    assert "1.400.000 ≤ chuẩn nông thôn 1.500.000" in x["income"]["text"]
    en = _one(
        {"income_per_capita": "1400000", "water_source": "surface", "toilet_type": "none"},
        [{}],
        lang="en",
    )
    assert "1 more deprivation(s) would make it poor" in en["what_would_change"]
    assert en["class_label"] == "near-poor"


def test_just_above_the_line_says_by_how_much() -> None:
    x = _one({"income_per_capita": "1620000"}, [{}])
    assert x["class"] in ("average", "not_poor")
    assert x["income"]["comparison"] == "above"
    assert any("cao hơn chuẩn 120.000 đ" in c for c in x["what_would_change"])


def test_unknown_id_names_the_closest() -> None:
    result = mdpoverty.classify(EXAMPLE)
    with pytest.raises(mdpoverty.MdpovertyError) as exc:
        mdpoverty.explain(result, "LC-BT-01-001")
    assert "LC-BT-01-0010" in exc.value.text("vi") and "LC-BT-01-0010" in exc.value.text("en")


def _documented(table_after: str) -> dict[str, str]:
    block = DOC.split(table_after, 1)[1]
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+(?:\\\|[^|]+)*) \|", block, flags=re.M)
    return {name: kind.replace("\\|", "|").strip() for name, kind in rows}


TYPES = {
    "string": str,
    "integer": int,
    "object": dict,
    "array": list,
    "boolean": bool,
    "null": type(None),
}


def test_json_matches_the_documented_schema() -> None:
    fields = _documented("## The JSON structure")
    assert "indicators" in fields and "what_would_change" in fields
    result = mdpoverty.classify(EXAMPLE)
    for hid in result.households["household_id"].head(40):
        x = json.loads(json.dumps(mdpoverty.explain(result, hid)))
        assert list(x) == list(fields), "top-level fields and their order are the documented"
        for name, kind in fields.items():
            allowed = tuple(TYPES[k] for k in kind.split("|"))
            assert isinstance(x[name], allowed), f"{name}: {x[name]!r} is not {kind}"
        assert x["schema"] == "mdpoverty.explain/1"
        for ind in x["indicators"]:
            for key in ("code", "number", "deprived", "derived", "override", "facts"):
                assert key in ind and f"`{key}`" in DOC


def test_reason_column_after_the_contract_and_in_both_languages() -> None:
    case = {
        "household": {"income_per_capita": "1400000", "water_source": "surface"},
        "members": [{}],
        "expect": {},
    }
    vi, _ = _classed(case)
    cols = list(vi.households.columns)
    assert cols[-1] == "reason" and cols[-2] == "agricultural"
    reason = vi.households["reason"].iloc[0]
    assert reason.startswith("Thu nhập 1.400.000 ≤ chuẩn 1.500.000 đ")
    assert "thiếu hụt 1: Nguồn nước sinh hoạt" in reason
    hh, members = _frames(case)
    en = mdpoverty.classify_frames(hh, members, standard="vn-2022-2025", lang="en")
    assert en.households["reason"].iloc[0] == (
        "Income 1,400,000 ≤ line 1,500,000 VND; 1 deprivation: Domestic water"
    )


def test_why_cli_reads_aloud_writes_json_and_xlsx(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["why", str(EXAMPLE), "LC-BT-01-0005"])
    assert res.exit_code == 0, res.output
    assert "Kết luận:" in res.stdout and "→ Hộ nghèo" in res.stdout
    assert "chuẩn vn-" in res.stdout  # the standard and why
    out = tmp_path / "why.json"
    res = runner.invoke(main, ["why", str(EXAMPLE), "LC-BT-01-0005", "NOPE", "-o", str(out)])
    assert res.exit_code == 1
    assert "NOPE" in res.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [d["household_id"] for d in data] == ["LC-BT-01-0005"]
    book = tmp_path / "why.xlsx"
    res = runner.invoke(
        main, ["why", str(EXAMPLE), "LC-BT-01-0005", "--lang", "en", "-o", str(book)]
    )
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(book).active
    text = "\n".join(str(c.value) for c in ws["A"] if c.value)
    assert "Household LC-BT-01-0005" in text and "→ poor" in text


def test_official_list_shows_the_reason(tmp_path: Path) -> None:
    out = tmp_path / "lists.xlsx"
    res = CliRunner().invoke(main, ["classify", str(EXAMPLE), "-o", str(out), "--lang", "en"])
    assert res.exit_code in (0, 1), res.output
    ws = openpyxl.load_workbook(out)["Danh sách hộ"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if r and "Phân loại" in r)
    col = header.index("Lý do")
    assert col == header.index("Phân loại") + 1
    reasons = [r[col] for r in rows if r and isinstance(r[0], int) and r[col]]
    assert reasons and all(r.startswith("Thu nhập ") for r in reasons)  # Vietnamese always


def test_previous_round_gives_the_change_lists_transition() -> None:
    result = mdpoverty.classify(EXAMPLE)
    prev = mdpoverty.classify(ROOT / "examples" / "previous-round.xlsx")
    changes = mdpoverty.change_list(ROOT / "examples" / "previous-round.xlsx", EXAMPLE)
    changes = changes.set_index("household_id")
    for hid in result.households["household_id"].head(30):
        x = mdpoverty.explain(result, hid, previous=prev)
        p = x["previous"]
        assert p["transition"] == changes.loc[hid, "transition"], hid
        assert (p["class"] or "") == (changes.loc[hid, "previous_class"] or "")
        assert p["changes"], "what changed, or that nothing did"
        if p["transition"] == "remained_near_poor":
            assert p["form_columns"]["3"] == ["start", "end"] and p["form_columns"]["2"] == []


def test_a_household_with_errors_gets_them_located() -> None:
    result = mdpoverty.classify(ROOT / "examples" / "survey-with-errors.xlsx")
    hh = result.households
    for hid in hh.loc[hh["class"].fillna("") == "", "household_id"].head(10):
        x = mdpoverty.explain(result, hid)
        assert x["status"] == "not_classed" and x["income"] is None
        mine = result.issues[
            (result.issues["household_id"] == hid) & (result.issues["severity"] == "error")
        ]
        assert len(x["errors"]) == len(mine) > 0
        assert all(e["sheet"] and e["row"] for e in x["errors"])


def test_score_a_household_is_read_against_the_score_line() -> None:
    # rural, no income figure, score A 120 ≤ 140, no deprivation: near-poor
    x = _one({"income_per_capita": None, "household_income_12m": None, "income_score": "120"}, [{}])
    assert x["class"] == "near_poor"
    assert x["income"]["source"] == "income_score" and x["income"]["line"] == 140
    assert "Điểm A 120 ≤ chuẩn nông thôn 140 điểm" in x["income"]["text"]
    assert any(c.startswith("điểm A cao hơn hiện nay 21 điểm") for c in x["what_would_change"])


def test_school_attendance_names_the_level_the_law_asks() -> None:
    # domain.md §2 indicator 6: school age (survey year − birth year) 10 → primary school
    child = {
        "full_name": "Trần Thị B",
        "birth_date": "2015-05-01",
        "relation": "child",
        "work_status": "student",
        "enrolled": "none",
        "education": "none",
    }
    x = _one({}, [{}, child])
    school = {i["code"]: i for i in x["indicators"]}["school_attendance"]
    assert school["deprived"] is True
    assert school["facts"] == [
        "Trần Thị B, 10 tuổi: đang học: Không đi học (sinh năm 2015, tuổi đi học 10); cần: Tiểu học"
    ]
