"""The language a run speaks, and numbers written the way its reader writes them.

Vietnamese is the default; English on request, with ``--lang en`` on any command or
``MDPOVERTY_LANG=en`` in the environment. The help text and Click's own usage errors are
printed before Click has parsed ``--lang``, so :func:`lang_from` reads it from the raw
arguments first (see :mod:`mdpoverty.cli.lang`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from contextvars import ContextVar

LANGS = ("vi", "en")
ENV = "MDPOVERTY_LANG"
DEFAULT = "vi"

# The language of the command line being run (set by the command group before parsing), for
# texts made where no --lang value is at hand: option callbacks, Click's own errors.
_current: ContextVar[str] = ContextVar("mdpoverty_lang", default=DEFAULT)


def lang_from(args: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language asked for by ``--lang X`` / ``--lang=X`` in ``args`` (the last one wins,
    as Click does), else by ``MDPOVERTY_LANG``, else Vietnamese. An unknown value falls back
    to the default here; Click then rejects it, in that language."""
    env = os.environ if environ is None else environ
    found = None
    args = list(args)
    for i, a in enumerate(args):
        if a == "--":
            break
        if a == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif a.startswith("--lang="):
            found = a.split("=", 1)[1]
    if found is None:
        found = env.get(ENV, "")
    found = found.strip().lower()
    return found if found in LANGS else DEFAULT


def current() -> str:
    return _current.get()


def set_current(lang: str) -> object:
    """Make ``lang`` the current language; returns a token for :func:`reset_current`."""
    return _current.set(lang if lang in LANGS else DEFAULT)


def reset_current(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def pick(en: str, vi: str, lang: str | None = None) -> str:
    """``vi`` or ``en`` for ``lang`` (default: the current language)."""
    return vi if (lang or current()) == "vi" else en


def number(value: float, lang: str, decimals: int = 0) -> str:
    """A number as its reader writes it: 1.170.000 and 31,96 in Vietnamese, 1,170,000 and
    31.96 in English. ``decimals=-1`` drops trailing zeros (3, 0,25)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.6f}".rstrip("0").rstrip(".") if decimals < 0 else f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text
