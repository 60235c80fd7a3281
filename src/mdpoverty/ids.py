"""Household IDs across the sheets: folded before they are compared, members attached to
their household, and what is said when folding was needed or nothing matched.

An ID typed "hn-01", "HN 01", with a non-breaking or a zero-width character, or composed
differently (NFC) is the same household ID: commune officers retype IDs in the members
sheet, paste them from messages, and cannot see what differs. Diacritics count. Folding
works on the distinct IDs (factorize, fold the uniques), not per row.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import Text
from .law.schema import MEMBERS

if TYPE_CHECKING:
    from .validate import Typed

# Household IDs are compared after folding what a person cannot see or did not mean: case,
# spaces anywhere (also non-breaking U+00A0 / U+202F), zero-width characters (U+200B-U+200D,
# U+2060, U+FEFF), and Unicode composition (NFC). Diacritics are kept: "Đ01" is not "D01".
_ID_DROP = re.compile(r"[\s\u00a0\u202f\u200b-\u200d\u2060\ufeff]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_NBSP = re.compile(r"[\u00a0\u202f]")
CLOSEST_MAX = 200  # distinct unmatched IDs given closest matches (difflib is per ID)


def fold_id(text: str) -> str:
    return _ID_DROP.sub("", unicodedata.normalize("NFC", text)).casefold()


def fold_ids(ids: pd.Series) -> np.ndarray:
    """Folded IDs (None for a blank or an ID of invisible characters only), folding each
    distinct ID once."""
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    folded = [fold_id(str(u)) or None for u in uniques]
    return np.array([*folded, None], dtype=object)[codes]


# What \s matches in Python among ASCII characters (RE2's \s leaves out \v and \x1c-\x1f)
_ASCII_SPACE = "[\t\n\v\f\r\x1c-\x1f ]+"


def _arrow_ids(ids: pd.Series) -> pa.ChunkedArray:
    """The IDs as an Arrow text column (no copy when they are already Arrow text)."""
    if isinstance(ids.dtype, pd.ArrowDtype):
        data = ids.array.__arrow_array__()
        data = data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])
        return data if pa.types.is_string(data.type) else pc.cast(data, pa.string())
    text = ids.astype(object).where(ids.notna(), None)
    return pa.chunked_array([pa.array([None if v is None else str(v) for v in text], pa.string())])


def fold_ids_arrow(ids: pd.Series) -> pa.ChunkedArray:
    """:func:`fold_ids` in Arrow: an ASCII ID is folded by Arrow's kernels (spaces dropped,
    lower case: for ASCII, NFC changes nothing and casefold is lower); the distinct non-ASCII
    IDs by :func:`fold_id`. Null for a blank or an ID of invisible characters only."""
    a = _arrow_ids(ids)
    # an ASCII space is " " or a control character (not printable): two cheap tests first
    spaced = (
        pc.any(pc.invert(pc.ascii_is_printable(a))).as_py()
        or pc.any(pc.match_substring(a, " ")).as_py()
    )
    folded = pc.ascii_lower(pc.replace_substring_regex(a, _ASCII_SPACE, "") if spaced else a)
    ascii_ = pc.fill_null(pc.string_is_ascii(a), True)
    if not pc.all(ascii_).as_py():
        other = pc.unique(pc.filter(a, pc.invert(ascii_)))
        done = pa.array([fold_id(v) for v in other.to_pylist()], pa.string())
        mapped = pc.take(done, pc.index_in(a, value_set=other))
        folded = pc.if_else(ascii_, folded, mapped)
    empty = pc.equal(pc.binary_length(folded), 0)
    return pc.if_else(empty, pa.scalar(None, pa.string()), folded)


def id_codes(hh_ids: pd.Series) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """Integer keys of the households' folded IDs: (code of each row, -1 for a blank; the
    first row of each code; the distinct folded IDs, in order of first appearance)."""
    hf = fold_ids_arrow(hh_ids)
    distinct = pc.unique(hf.drop_null())
    codes = pc.index_in(hf, value_set=distinct).fill_null(-1).to_numpy().astype(np.int64)
    first = np.full(len(distinct), -1, dtype=np.int64)
    rows = np.flatnonzero(codes >= 0)
    first[codes[rows[::-1]]] = rows[::-1]  # the last write wins: the first row of each ID
    return codes, first, distinct


_ID_STEPS = (
    ("ký tự ẩn (độ rộng 0)", "zero-width characters", lambda x: _ZERO_WIDTH.sub("", x)),
    ("dấu cách không ngắt", "non-breaking spaces", lambda x: _NBSP.sub("", x)),
    ("khoảng trắng", "spaces", lambda x: re.sub(r"\s+", "", x)),
    ("cách mã hoá dấu (Unicode)", "Unicode composition", lambda x: unicodedata.normalize("NFC", x)),
    ("chữ hoa/thường", "upper/lower case", str.casefold),
)


def id_difference(written: str, known: str) -> Text:
    """What folding had to ignore to match two IDs, for the ``id_folded`` message."""
    vi, en = [], []
    for v, e, step in _ID_STEPS:
        if written == known:
            break
        w, k = step(written), step(known)
        if (w, k) != (written, known):
            vi.append(v)
            en.append(e)
        written, known = w, k
    return Text(", ".join(vi), ", ".join(en))


def attach_members(
    hh_ids: pd.Series | None,
    m_ids: pd.Series,
    keys: tuple[np.ndarray, np.ndarray, pa.Array] | None = None,
) -> np.ndarray:
    """Position of each member's household (first row of a repeated ID); -1 if none.

    IDs are matched folded (:func:`fold_id`), on integer keys: the households' distinct
    folded IDs are an Arrow hash table, each member's folded ID is looked up in it
    (``index_in``), and the key gives the household's first row. ``keys``: the households'
    :func:`id_codes` when already worked out.
    """
    if hh_ids is None or len(m_ids) == 0:
        return np.full(len(m_ids), -1, dtype=np.int64)
    _, first, distinct = keys if keys is not None else id_codes(hh_ids)
    if not len(distinct):  # no household has an ID: every member is an orphan (fuzz-found crash)
        return np.full(len(m_ids), -1, dtype=np.int64)
    mf = fold_ids_arrow(m_ids)
    key = pc.index_in(mf, value_set=distinct).fill_null(-1).to_numpy().astype(np.int64)
    return np.where(key >= 0, first[np.maximum(key, 0)], -1)


def closest_ids(orphans: np.ndarray, hh_ids: pd.Series) -> dict[str, str]:
    """For each distinct unmatched member ID (the first :data:`CLOSEST_MAX`), the (at most)
    three household IDs nearest to it once folded, as the households sheet writes them."""
    hf = fold_ids(hh_ids)
    written: dict[str, str] = {}
    for f, w in zip(hf, hh_ids.astype(object), strict=True):
        if f is not None:
            written.setdefault(f, str(w))
    keys = list(written)
    out: dict[str, str] = {}
    for orphan in pd.unique(orphans)[:CLOSEST_MAX]:
        near = difflib.get_close_matches(fold_id(str(orphan)), keys, n=3, cutoff=0.5)
        out[str(orphan)] = ", ".join(written[k] for k in near) or "—"
    return out


def member_checks(t: Typed, hh_ids: pd.Series | None) -> None:
    """Attach members to households (folded IDs); warn where only folding attached them; an
    error on each member row that matches no household, naming the closest IDs; a warning on
    each household with unlinked member rows near it (between or beside its member rows in
    the members sheet, or whose ID is the closest to an unmatched one)."""
    m, issues, raw = t.members, t.issues, t.m_sheet
    assert raw is not None
    header = raw.headers.get("household_id", "household_id")
    mid = m["household_id"]
    hh_pos = attach_members(hh_ids, mid, t.extras.get("id_keys"))
    t.extras["hh_pos"] = hh_pos
    attached = hh_pos >= 0
    pos = np.maximum(hh_pos, 0)
    folded = np.zeros(len(m), dtype=bool)
    if attached.any() and hh_ids is not None:  # written otherwise than the household's ID
        same = pc.equal(_arrow_ids(mid), pc.take(_arrow_ids(hh_ids), pa.array(pos)))
        folded = attached & ~same.fill_null(False).to_numpy(zero_copy_only=False)
    written = _written(mid, folded | ~attached)
    if folded.any() and hh_ids is not None:
        hh_written = hh_ids.astype(object).where(hh_ids.notna(), "").to_numpy(dtype=object)
        rows = np.flatnonzero(folded)
        # what folding ignored, worked out once per distinct (written, known) pair
        pairs = pd.MultiIndex.from_arrays([written[rows], hh_written[pos[rows]]])
        codes, distinct = pd.factorize(pairs)
        why = pd.Series(np.array([id_difference(w, k) for w, k in distinct])[codes])
        for group, at in why.groupby(why, sort=False).indices.items():
            issues.add(
                "id_folded",
                sheet=raw.name,
                rows=m.index[rows[at]],
                column=header,
                field="household_id",
                values=written[rows[at]],
                household_ids=hh_written[pos[rows[at]]],
                expected=group,
                detail=hh_written[pos[rows[at]]],
            )
    orphan = ~attached & mid.notna().to_numpy(dtype=bool)
    closest: dict[str, str] = {}
    if orphan.any():
        if hh_ids is not None:
            closest = closest_ids(written[orphan], hh_ids)
        issues.add(
            "orphan_member",
            sheet=raw.name,
            rows=m.index[orphan],
            column=header,
            field="household_id",
            values=mid[orphan],
            household_ids=mid[orphan],
            detail=[closest.get(str(w), "—") for w in written[orphan]],
        )
    missing = mid.isna().to_numpy()
    if missing.any():
        issues.add(
            "required",
            sheet=raw.name,
            rows=m.index[missing],
            column=raw.headers.get("household_id", MEMBERS.column("household_id").label_vi),
            field="household_id",
            expected=MEMBERS.column("household_id").label_vi,
        )
    t.extras["orphan_rows"] = orphan | missing
    unlinked_near(t, hh_ids, hh_pos, orphan | missing, closest)


def _written(ids: pd.Series, where: np.ndarray) -> np.ndarray:
    """The IDs as written ("" for a blank) on the rows ``where``; "" elsewhere (the rows
    that are never looked at are not turned into Python strings)."""
    out = np.full(len(ids), "", dtype=object)
    rows = np.flatnonzero(where)
    if len(rows):
        picked = ids.iloc[rows]
        out[rows] = picked.astype(object).where(picked.notna(), "").to_numpy(dtype=object)
    return out


def unlinked_near(
    t: Typed,
    hh_ids: pd.Series | None,
    hh_pos: np.ndarray,
    unlinked: np.ndarray,
    closest: dict[str, str],
) -> None:
    if hh_ids is None or not unlinked.any() or t.hh_sheet is None or t.m_sheet is None:
        return
    n = len(hh_pos)
    attached = hh_pos >= 0
    at = np.arange(n)
    prev_i = np.maximum.accumulate(np.where(attached, at, -1))
    next_i = np.minimum.accumulate(np.where(attached, at, n)[::-1])[::-1]
    u = np.flatnonzero(unlinked)
    near_hh: list[np.ndarray] = []
    near_row: list[np.ndarray] = []
    for side in (prev_i[u], next_i[u]):
        ok = (side >= 0) & (side < n)
        near_hh.append(hh_pos[side[ok]])
        near_row.append(u[ok])
    # the household whose ID is the closest to an unmatched one
    first_pos: dict[str, int] = {}
    for i, w in enumerate(hh_ids.astype(object).to_numpy()):
        if not pd.isna(w):
            first_pos.setdefault(str(w), i)
    written = t.members["household_id"].astype(object).to_numpy()
    best = np.array(
        [first_pos.get(closest.get(str(written[i]), "—").split(", ")[0], -1) for i in u],
        dtype=np.int64,
    )
    near_hh.append(best[best >= 0])
    near_row.append(u[best >= 0])
    pairs = pd.DataFrame({"hh": np.concatenate(near_hh), "row": np.concatenate(near_row)})
    if pairs.empty:
        return
    pairs["row"] = t.members.index.to_numpy()[pairs["row"].to_numpy()]
    pairs = pairs.drop_duplicates().sort_values(["hh", "row"])
    rows = pairs.groupby("hh", sort=True)["row"].agg(lambda r: ", ".join(map(str, r)))
    hh_at = rows.index.to_numpy(dtype=np.int64)
    raw = t.hh_sheet
    t.issues.add(
        "members_unlinked_near",
        sheet=raw.name,
        rows=t.households.index[hh_at],
        column=raw.headers.get("household_id", "household_id"),
        field="household_id",
        values=hh_ids.iloc[hh_at].to_numpy(dtype=object),
        household_ids=hh_ids.iloc[hh_at].to_numpy(dtype=object),
        detail=rows.to_numpy(dtype=object),
    )
