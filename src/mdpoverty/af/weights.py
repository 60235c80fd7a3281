"""Indicator weights for the Alkire–Foster measures: equal, nested, or read from a TOML file.

The weights of a standard's indicators are a vector aligned with ``Standard.codes`` that sums
to 1 (Alkire, Foster, Seth, Santos, Roche & Ballon 2015, *Multidimensional Poverty Measurement
and Analysis*, OUP, §5.2: "relative weights … sum to one"). Three ways to get one:

``"equal"``
    1/d for each of the d indicators (the default; 1/12 under Decree 07/2021).
``"nested"``
    equal across the standard's services (dimensions), then equal within each — the
    global MPI's convention. Under Decree 07/2021 every service has two indicators, so nested
    and equal weights coincide there; they differ for a standard whose services are uneven.
a TOML file
    either ``[indicators]`` (one weight per indicator code) or ``[services]`` (one weight
    per service, split equally among its indicators). Values are numbers or fractions written
    as text (``"1/12"``). Every indicator must get a weight > 0, no unknown code is allowed,
    and the weights must sum to 1 within :data:`SUM_TOLERANCE`. See ``data/weights/``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import InputFileError, UsageError
from ..law.standards import Standard

SUM_TOLERANCE = 1e-9
WeightsSpec = str | os.PathLike[str] | Mapping[str, float | str] | Sequence[float]


def _number(value: object, where: str) -> float:
    """A weight from TOML: a number, or a fraction as text ("1/12")."""
    if isinstance(value, bool):
        raise UsageError(
            f"{where}: weight must be a number, got {value!r}",
            f"{where}: trọng số phải là một số, không phải {value!r}",
        )
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            pass
    raise UsageError(
        f'{where}: weight must be a number or a fraction like "1/12", got {value!r}',
        f'{where}: trọng số phải là số hoặc phân số như "1/12", không phải {value!r}',
    )


def equal_weights(standard: Standard) -> np.ndarray:
    """1/d for each indicator, in ``standard.codes`` order."""
    d = len(standard.codes)
    return np.full(d, 1.0 / d)


def nested_weights(
    standard: Standard, service_weights: Mapping[str, float] | None = None
) -> np.ndarray:
    """Each service's weight (equal by default) split equally among its indicators."""
    codes = standard.codes
    services = [standard.indicators[c].service for c in codes]
    used = list(dict.fromkeys(services))
    if service_weights is None:
        service_weights = {s: 1.0 / len(used) for s in used}
    sizes = {s: services.count(s) for s in used}
    return np.array([service_weights[s] / sizes[s] for s in services], dtype=float)


def check_weights(w: np.ndarray, codes: Sequence[str], source: str = "weights") -> np.ndarray:
    """Raise :class:`UsageError` unless ``w`` has one positive weight per code summing to 1."""
    w = np.asarray(w, dtype=float)
    if w.shape != (len(codes),):
        raise UsageError(
            f"{source}: {len(codes)} indicator weights needed, got {w.size}",
            f"{source}: cần {len(codes)} trọng số chỉ số, nhận được {w.size}",
        )
    bad = [c for c, v in zip(codes, w, strict=True) if not np.isfinite(v) or v <= 0]
    if bad:
        raise UsageError(
            f"{source}: every weight must be > 0 (not: {', '.join(bad)})",
            f"{source}: mọi trọng số phải > 0 (sai: {', '.join(bad)})",
        )
    total = float(w.sum())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise UsageError(
            f"{source}: weights must sum to 1, they sum to {total:.10g}",
            f"{source}: tổng trọng số phải bằng 1, hiện là {total:.10g}",
        )
    return w


def _each_once(
    table: Mapping[str, object], names: Sequence[str], where: str, std: str, noun: tuple[str, str]
) -> None:
    """Raise :class:`UsageError` unless ``table`` names each of ``names`` and nothing else."""
    unknown = [c for c in table if c not in names]
    missing = [c for c in names if c not in table]
    if unknown or missing:
        raise UsageError(
            f"{where} must name each of {std}'s {noun[0]} once"
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
            + (f"; missing: {', '.join(missing)}" if missing else ""),
            f"{where} phải có đủ {noun[1]} của {std}"
            + (f"; không có: {', '.join(unknown)}" if unknown else "")
            + (f"; thiếu: {', '.join(missing)}" if missing else ""),
        )


def load_weights_file(path: str | os.PathLike[str], standard: Standard) -> np.ndarray:
    """Read ``[indicators]`` or ``[services]`` weights from a TOML file (see module doc), or a
    bundled one by name (``vn-2022-2025-services`` is ``data/weights/vn-2022-2025-services.toml``,
    shipped in the wheel)."""
    p = Path(path)
    if not p.suffix and not p.exists():
        from ..law.standards import data_dir

        p = data_dir("weights") / f"{path}.toml"
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(
            f"{p}: weights file not found [file_not_found]",
            f"{p}: không tìm thấy tệp trọng số [file_not_found]",
        ) from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(
            f"{p}: not a readable TOML file ({exc}) [file_unreadable]",
            f"{p}: tệp TOML không đọc được ({exc}) [file_unreadable]",
        ) from None
    codes = standard.codes
    has_ind, has_srv = "indicators" in data, "services" in data
    if has_ind == has_srv:
        raise UsageError(
            f"{p}: give exactly one table, [indicators] or [services]",
            f"{p}: cần đúng một bảng, [indicators] hoặc [services]",
        )
    if has_ind:
        table = data["indicators"]
        _each_once(table, codes, f"{p}: [indicators]", standard.id, ("indicators", "các chỉ số"))
        w = np.array([_number(table[c], f"{p}: indicators.{c}") for c in codes])
    else:
        table = data["services"]
        used = list(dict.fromkeys(standard.indicators[c].service for c in codes))
        _each_once(table, used, f"{p}: [services]", standard.id, ("services", "các nhóm dịch vụ"))
        sw = {s: _number(table[s], f"{p}: services.{s}") for s in used}
        w = nested_weights(standard, sw)
    return check_weights(w, codes, str(p))


def indicator_weights(spec: WeightsSpec, standard: Standard) -> np.ndarray:
    """The weight vector for ``spec``: "equal", "nested", a TOML path, a mapping or a sequence."""
    codes = standard.codes
    if isinstance(spec, str) and spec in ("equal", "nested"):
        w = equal_weights(standard) if spec == "equal" else nested_weights(standard)
        return check_weights(w, codes, spec)
    if isinstance(spec, str | os.PathLike):
        return load_weights_file(spec, standard)
    if isinstance(spec, Mapping):
        unknown = [c for c in spec if c not in codes]
        missing = [c for c in codes if c not in spec]
        if unknown or missing:
            raise UsageError(
                "weights must name every indicator once"
                + (f"; unknown: {', '.join(map(str, unknown))}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else ""),
                "bộ trọng số phải có mỗi chỉ số đúng một lần"
                + (f"; không có chỉ số: {', '.join(map(str, unknown))}" if unknown else "")
                + (f"; thiếu: {', '.join(missing)}" if missing else ""),
            )
        return check_weights(np.array([_number(spec[c], c) for c in codes]), codes)
    return check_weights(np.asarray(spec, dtype=float), codes)


__all__ = [
    "SUM_TOLERANCE",
    "check_weights",
    "equal_weights",
    "indicator_weights",
    "load_weights_file",
    "nested_weights",
]
