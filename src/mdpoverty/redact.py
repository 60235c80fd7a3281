"""``--redact``: outputs that may leave the commune (Decree 13/2023/NĐ-CP on personal data).

Names and birth dates are dropped; household IDs are replaced by a keyed pseudonym,
HMAC-SHA256 of the folded ID (:func:`mdpoverty.ids.fold_id`) under a key the province keeps
(``MDPOVERTY_REDACT_KEY`` or ``--redact-key-file``). The same key gives the same pseudonym
in every round, so two redacted rounds still link; without the key a pseudonym cannot be
turned back into an ID, nor recomputed from a guessed one. Redaction works on the tables
just before they are written: the classification, the counts and the forms are computed on
the survey as read and are identical with and without it.

The issue table is redacted too: a value in a personal column is blanked, an ID in a value
or a message becomes its pseudonym, and the messages that quote other households' IDs
(closest IDs, folded IDs) say "[đã ẩn]" / "[redacted]" instead.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import CHECKS, UsageError
from .ids import fold_id

ENV_KEY = "MDPOVERTY_REDACT_KEY"
MIN_KEY_CHARS = 16  # a short key is guessable, and with it every ID of the commune
PREFIX = "P"  # a pseudonym is "P" + 16 hex digits (64 bits of the HMAC)
HIDDEN = {"vi": "[đã ẩn]", "en": "[redacted]"}

# Columns that name or date a person: dropped from every table written under --redact.
PERSONAL = ("head_name", "full_name", "birth_date", "member_name", "name")
# Columns that hold a household ID: replaced by its pseudonym.
ID_COLUMNS = ("household_id",)
# Issue checks whose value is a household ID, and those whose detail quotes other IDs.
ID_CHECKS = {"duplicate_id", "orphan_member", "id_folded", "members_unlinked_near"}
DETAIL_IDS = {"orphan_member", "id_folded"}
# Layout rows whose value may be a person's name (a signature block).
NAMED_ROWS = {"signature_row"}


class Redactor:
    """Pseudonyms under one key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def pseudonym(self, household_id: str) -> str:
        folded = fold_id(household_id)
        if not folded:
            return ""
        digest = hmac.new(self._key, folded.encode("utf-8"), hashlib.sha256).hexdigest()
        return PREFIX + digest[:16]

    def ids(self, ids: pd.Series) -> pd.Series:
        """The pseudonym of every ID (blank stays blank), hashing each distinct ID once."""
        codes, uniques = pd.factorize(ids.astype("string"), use_na_sentinel=True)
        mapped = np.array([*(self.pseudonym(str(u)) for u in uniques), pd.NA], dtype=object)
        out = pd.Series(mapped[codes], index=ids.index, dtype="string")
        return out.where(out != "", pd.NA)

    def frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A table as it may leave the commune: personal columns dropped, IDs pseudonymised;
        an issue table (``check`` and ``message`` columns) redacted cell by cell."""
        out = frame.drop(columns=[c for c in PERSONAL if c in frame.columns])
        for c in ID_COLUMNS:
            if c in out.columns:
                out[c] = self.ids(out[c])
        if {"check", "value"} <= set(out.columns):
            out = self._issues(frame, out)
        return out

    def _issues(self, raw: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
        field = raw.get("field", pd.Series("", index=raw.index)).astype("string").fillna("")
        check = raw["check"].astype("string").fillna("")
        value = raw["value"].astype("string").fillna("")
        raw_id = raw.get("household_id", pd.Series("", index=raw.index))
        raw_id = raw_id.astype("string").fillna("")
        personal = field.isin(PERSONAL) | check.isin(NAMED_ROWS)
        id_value = check.isin(ID_CHECKS) | (field == "household_id")
        new_value = value.where(~personal, "")
        new_value = new_value.where(~id_value, self.ids(value).fillna(""))
        out["value"] = new_value.astype(object)
        touched = personal | id_value | (raw_id != "") | check.isin(DETAIL_IDS)
        english = raw["message"].eq(raw["message_en"]) if "message_en" in raw else None
        msg_cols = [c for c in ("message", "message_vi", "message_en") if c in out.columns]
        for i in np.flatnonzero(touched.to_numpy()):
            for col in msg_cols:
                lang = "en" if col == "message_en" else "vi"
                if col == "message" and english is not None and bool(english.iat[i]):
                    lang = "en"
                out.iat[i, out.columns.get_loc(col)] = self._message(
                    str(raw[col].iat[i]),
                    check.iat[i],
                    lang,
                    value.iat[i],
                    new_value.iat[i],
                    raw_id.iat[i],
                    bool(personal.iat[i]),
                )
        return out

    def _message(
        self,
        text: str,
        check: str,
        lang: str,
        value: str,
        new_value: str,
        raw_id: str,
        personal: bool,
    ) -> str:
        hidden = HIDDEN[lang]
        if check in DETAIL_IDS:  # the detail quotes other households' IDs: re-render it
            c = CHECKS[check]
            template = c.vi if lang == "vi" else c.en
            return template.format(value=new_value or hidden, expected="", detail=hidden)
        if value:
            text = text.replace(value, hidden if personal else (new_value or hidden))
        if raw_id:
            text = text.replace(raw_id, self.pseudonym(raw_id) or hidden)
        return text

    def round(self, obj: Any) -> Any:
        """A classify :class:`~mdpoverty.core.Result` or a report ``Round`` with its tables
        redacted (households, extra, issues)."""
        changes = {}
        for name in ("households", "extra", "issues"):
            table = getattr(obj, name, None)
            if isinstance(table, pd.DataFrame):
                changes[name] = self.frame(table)
        return dataclasses.replace(obj, **changes)


def load_redactor(redact: bool, key_file: str | None) -> Redactor | None:
    """The redactor the options ask for (None: not asked). ``--redact-key-file`` implies
    ``--redact``. No key, an unreadable or a short key: one clear line, exit 2."""
    if not (redact or key_file):
        return None
    if key_file:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as exc:
            raise UsageError(
                f"--redact-key-file {key_file}: cannot read it ({exc.strerror or exc})",
                f"--redact-key-file {key_file}: không đọc được tệp ({exc.strerror or exc})",
            ) from None
        where = key_file
    else:
        key = os.environ.get(ENV_KEY, "").strip().encode("utf-8")
        where = ENV_KEY
        if not key:
            raise UsageError(
                f"--redact needs a key: set {ENV_KEY} or give --redact-key-file FILE "
                "(the same key every round, kept by the province)",
                f"--redact cần khóa: đặt biến môi trường {ENV_KEY} hoặc dùng "
                "--redact-key-file TỆP (cùng một khóa cho mọi kỳ, do tỉnh giữ)",
            )
    if len(key) < MIN_KEY_CHARS:
        raise UsageError(
            f"the redaction key in {where} is {len(key)} characters: use at least "
            f"{MIN_KEY_CHARS} (a short key can be guessed, and with it every household ID)",
            f"khóa ẩn danh trong {where} chỉ có {len(key)} ký tự: cần ít nhất {MIN_KEY_CHARS} "
            "(khóa ngắn có thể bị đoán, và lộ mọi mã hộ)",
        )
    return Redactor(key)


__all__ = ["ENV_KEY", "PERSONAL", "Redactor", "load_redactor"]
