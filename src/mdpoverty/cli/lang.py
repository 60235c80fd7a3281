"""Help and Click's own messages in the language of the run (Vietnamese unless asked).

Click marks its strings for gettext (``from gettext import gettext as _`` in each module)
but ships no translations, and gettext's own switch is process-wide (a text domain, .mo
files and the LANGUAGE variable; pallets/click#2706, #2864). So :class:`LangGroup` decides
the language from the raw arguments before Click parses them (``--lang`` anywhere on the
line, else ``MDPOVERTY_LANG``, else vi) and, for that one run only:

- points the ``_``/``ngettext`` names of Click's modules at :data:`CLICK_VI`, so "Usage:",
  "Error: No such option", "Missing argument", "Try … for help" come out in Vietnamese;
- swaps every command's help, epilog and option help for its Vietnamese
  (:mod:`mdpoverty.cli.help_vi`), and the usage placeholders (``KHẢO_SÁT``, ``[TUỲ_CHỌN]``).

Both are put back when the run ends, so English runs in the same process (tests) are not
affected. With ``en`` nothing is changed.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any

import click

from .. import i18n
from .help_vi import METAVAR_VI, OPTIONS_METAVAR_VI, SUBCOMMAND_METAVAR_VI, help_vi

# Click's strings (msgid → Vietnamese); plural pairs are keyed by their singular.
CLICK_VI: dict[str, str] = {
    "Usage:": "Cách dùng:",
    "Options": "Tuỳ chọn",
    "Commands": "Lệnh",
    "Positional arguments": "Tham số",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: '{command} {option}'.",
    "No such option {name!r}.": "Không có tuỳ chọn {name!r}.",
    "No such option: {name}": "Không có tuỳ chọn: {name}",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "Did you mean {possibility}?": "Có phải ý bạn là {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Có phải ý bạn là một trong: {possibilities}?)",
    "Missing argument": "Thiếu tham số",
    "Missing option": "Thiếu tuỳ chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing command.": "Thiếu lệnh.",
    "argument": "tham số",
    "option": "tuỳ chọn",
    "parameter": "tham số",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Got unexpected extra argument ({args})": "Thừa tham số ({args})",
    "Option {name!r} does not take a value.": "Tuỳ chọn {name!r} không nhận giá trị.",
    "Option {name!r} requires an argument.": "Tuỳ chọn {name!r} cần một giá trị.",
    "Argument {name!r} takes {nargs} values.": "Tham số {name!r} cần {nargs} giá trị.",
    "Takes {nargs} values but 1 was given.": "Cần {nargs} giá trị nhưng có {len}.",
    "Value must be an iterable.": "Giá trị phải là một danh sách.",
    "{value!r} is not {choice}.": "{value!r} không phải là {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} không thuộc {choices}.",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải là {number_type} hợp lệ.",
    "integer": "số nguyên",
    "float": "số thực",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} không phải là có/không. Giá trị hợp lệ: {states}"
    ),
    "{value!r} does not match the format {format}.": "{value!r} không đúng dạng {format}.",
    "{value!r} does not match the formats {formats}.": "{value!r} không đúng các dạng {formats}.",
    "{value!r} is not a valid UUID.": "{value!r} không phải là UUID hợp lệ.",
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
    "{name} {filename!r} is a file.": "{name} {filename!r} là một tệp.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} là một thư mục.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} không đọc được.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} không ghi được.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} không chạy được.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} không tồn tại.",
    "Could not open file {filename!r}: {message}": "Không mở được tệp {filename!r}: {message}",
    "default: {default}": "mặc định: {default}",
    "env var: {var}": "biến môi trường: {var}",
    "required": "bắt buộc",
    "(dynamic)": "(tuỳ lúc chạy)",
    "deprecated": "không còn dùng",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "Show the version and exit.": "In phiên bản rồi thoát.",
    "Show this message and exit.": "In hướng dẫn này rồi thoát.",
    "Aborted!": "Đã dừng!",
    "unknown error": "lỗi không xác định",
}

_CLICK_MODULES = (
    "core",
    "decorators",
    "exceptions",
    "formatting",
    "parser",
    "termui",
    "types",
    "utils",
    "shell_completion",
    "_termui_impl",
)


def _gettext_vi(message: str) -> str:
    return CLICK_VI.get(message, message)


def _ngettext_vi(singular: str, plural: str, n: int) -> str:
    vi = CLICK_VI.get(singular if n == 1 else plural) or CLICK_VI.get(singular)
    return vi if vi is not None else (singular if n == 1 else plural)


@contextlib.contextmanager
def _click_speaks_vi() -> Iterator[None]:
    saved: list[tuple[Any, str, Any]] = []
    try:
        for name in _CLICK_MODULES:
            try:
                module = importlib.import_module(f"click.{name}")
            except ImportError:  # a module a future Click drops
                continue
            for attr, fn in (("_", _gettext_vi), ("ngettext", _ngettext_vi)):
                if hasattr(module, attr):
                    saved.append((module, attr, getattr(module, attr)))
                    setattr(module, attr, fn)
        yield
    finally:
        for module, attr, original in reversed(saved):
            setattr(module, attr, original)


def _vi_metavar(param: click.Parameter) -> str | None:
    """The Vietnamese placeholder of ``param`` (None: leave Click's own)."""
    if isinstance(param, click.Argument):
        name = (param.name or "").upper()
        if name not in METAVAR_VI:
            return None
        var = METAVAR_VI[name]
        if not param.required:
            var = f"[{var}]"
        return var + ("..." if param.nargs != 1 else "")
    if isinstance(param, click.Option) and not param.is_flag and not param.count:
        if isinstance(param.type, click.Choice):
            return None
        name = param.type.name.upper()
        if name in METAVAR_VI:
            return METAVAR_VI[name] + ("..." if param.nargs != 1 else "")
    return None


@contextlib.contextmanager
def _help_speaks_vi(commands: list[click.Command]) -> Iterator[None]:
    saved: list[tuple[Any, str, Any]] = []

    def put(obj: Any, attr: str, value: Any) -> None:
        saved.append((obj, attr, getattr(obj, attr)))
        setattr(obj, attr, value)

    try:
        for cmd in commands:
            for attr in ("help", "epilog", "short_help"):
                put(cmd, attr, help_vi(getattr(cmd, attr)))
            if cmd.options_metavar == "[OPTIONS]":
                put(cmd, "options_metavar", OPTIONS_METAVAR_VI)
            if isinstance(cmd, click.Group) and cmd.subcommand_metavar == "COMMAND [ARGS]...":
                put(cmd, "subcommand_metavar", SUBCOMMAND_METAVAR_VI)
            if hasattr(cmd, "_help_option"):  # cached with the language it was made in
                put(cmd, "_help_option", None)
            for p in cmd.params:
                if isinstance(p, click.Option):
                    put(p, "help", help_vi(p.help))
                # a placeholder the option names itself (ADDRESS) when the catalogue has it
                var = _vi_metavar(p) if p.metavar is None else METAVAR_VI.get(p.metavar)
                if var is not None:
                    put(p, "metavar", var)
        yield
    finally:
        for obj, attr, original in reversed(saved):
            setattr(obj, attr, original)


@contextlib.contextmanager
def speaking(group: click.Group, lang: str) -> Iterator[None]:
    """Run ``group`` in ``lang``: the current language, Click's strings and the help."""
    token = i18n.set_current(lang)
    try:
        if lang != "vi":
            yield
            return
        commands = [group, *group.commands.values()]
        with _click_speaks_vi(), _help_speaks_vi(commands):
            yield
    finally:
        i18n.reset_current(token)
        for cmd in [group, *group.commands.values()]:
            if hasattr(cmd, "_help_option"):  # made in vi: not kept for a later run
                cmd._help_option = None


class LangGroup(click.Group):
    """The ``mdpoverty`` group: every run speaks the language asked for, from the start."""

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        import sys

        argv = list(sys.argv[1:] if args is None else args)
        with speaking(self, i18n.lang_from(argv)):
            # args passed on as given: None lets Click read sys.argv its own way (Windows globs)
            return super().main(args, *rest, **kwargs)


def lang_option(fn: Any) -> Any:
    """``--lang vi|en`` (default vi, or ``MDPOVERTY_LANG``), declared once for every command."""
    return click.option(
        "--lang",
        type=click.Choice(list(i18n.LANGS)),
        default=i18n.DEFAULT,
        envvar=i18n.ENV,
        show_default=True,
        help="Language of messages, help and the issue table (vi or en; also MDPOVERTY_LANG).",
    )(fn)
