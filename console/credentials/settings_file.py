"""Account names into the console's TOML settings file (``--config``), edited in place.

Only ``key = "string"`` lines are written: an existing ``name = …`` line under ``[section]`` is replaced,
a missing one is added at the end of its section, a missing section is appended. Every other line and
comment stays as it was. The result is parsed again and must give exactly the new values (a file that
sets the key some other way, e.g. a dotted key at the top or an inline table, is refused with a message
rather than half-edited); the file is replaced atomically, keeping its permissions.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from console.errors import SettingsError

__all__ = ["toml_string", "update_settings_file"]


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string (JSON's escapes are TOML's; DEL must be escaped too)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, Mapping):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")


def _edit(lines: list[str], section: str, name: str, value: str) -> None:
    line = f"{name} = {toml_string(value)}\n"
    start = next((i for i, s in enumerate(lines) if (m := _HEADER.match(s)) and m.group(1) == section), None)
    if start is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.extend([*(["\n"] if lines and lines[-1].strip() else []), f"[{section}]\n", line])
        return
    end = next((i for i in range(start + 1, len(lines)) if _ANY_HEADER.match(lines[i])), len(lines))
    key = re.compile(rf"^\s*{re.escape(name)}\s*=")
    for i in range(start + 1, end):
        if key.match(lines[i]):
            lines[i] = line
            return
    last = max((i for i in range(start, end) if lines[i].strip()), default=start)
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    lines.insert(last + 1, line)


def update_settings_file(path: Path, values: Mapping[str, str]) -> None:
    """Set ``values`` (``{"kingsoft.access_key": "AKLT…"}``) in the TOML file ``path`` (created if absent).

    Raises:
        SettingsError: The file cannot be read, is not valid TOML, or sets a key in a way this editor does
            not change in place; nothing is written then.
        OSError: The new file could not be written (the old one is kept).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as e:
        raise SettingsError([f"{path}: cannot read it ({e})"]) from None
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SettingsError([f"{path}: not valid TOML ({e}); fix it before saving account names"]) from None
    lines = text.splitlines(keepends=True)
    for key, value in values.items():
        section, _, name = key.rpartition(".")
        if not section or any(c in value for c in "\r\n"):
            raise SettingsError([f"{path}: {key}: cannot be written"])
        _edit(lines, section, name, value)
    new = "".join(lines)
    try:
        got = _flatten(tomllib.loads(new))
    except tomllib.TOMLDecodeError as e:
        got = {"": str(e)}
    wrong = [k for k, v in values.items() if got.get(k) != v]
    if wrong:
        raise SettingsError([f"{path}: {', '.join(wrong)} is set in a way this console does not edit (a dotted "
                             f"key or an inline table?): change it by hand"])
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(new)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
