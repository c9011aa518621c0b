"""The command line: --help, settings errors (exit 2), no display, and --screenshot end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SHIHOU_")}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          env=base | (env or {}), timeout=timeout, cwd=ROOT)


def test_help_lists_the_options() -> None:
    out = run("--help").stdout
    for opt in ("--db URL", "--config FILE", "--lang {zh_CN,en}", "--screenshot PATH", "--pane NAME"):
        assert opt in out


def test_bad_settings_exit_2_with_key_and_source(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[lookup]\npage_size = 0\n", encoding="utf-8")
    r = run("--config", str(cfg), env={"SHIHOU_UI_LANG": "fr"})
    assert r.returncode == 2
    assert f"{cfg}: lookup.page_size: expected 10..500, got 0" in r.stderr
    assert "environment SHIHOU_UI_LANG: ui.lang" in r.stderr
    assert run("--db", "mysql://x").returncode == 2
    assert run("--lang", "fr").returncode == 2


def test_no_display_explains_how_to_run() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run([sys.executable, str(ROOT / "main.py")], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 3 and "xvfb-run" in r.stderr and "Traceback" not in r.stderr


def test_unreachable_database_exits_nonzero_with_reason(tmp_path: Path) -> None:
    r = run("--db", "postgresql+asyncpg://127.0.0.1:1/x", "--user", "demo-admin",
            "--screenshot", str(tmp_path / "x.png"), "--pane", "lookup", env={"SHIHOU_PASSWORD": "typed"})
    assert r.returncode == 1 and "Cannot reach the database" in r.stderr and not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("pane", ["lookup", "audit"])
def test_screenshot_of_a_seeded_sandbox(tmp_path: Path, pane: str) -> None:
    png = tmp_path / f"{pane}.png"
    r = run("--sandbox", "--user", "demo-admin", "--db", f"sqlite+aiosqlite:///{tmp_path / 's.db'}",
            "--screenshot", str(png), "--pane", pane, env={"SHIHOU_SANDBOX_DEMO_USERS": "1500",
                                                           "QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 0, r.stderr[-3000:]
    assert png.stat().st_size > 20_000 and png.read_bytes()[:4] == b"\x89PNG"


def test_screenshot_fails_for_a_pane_the_role_may_not_use(tmp_path: Path) -> None:
    r = run("--sandbox", "--user", "demo-ops", "--db", f"sqlite+aiosqlite:///{tmp_path / 's.db'}",
            "--screenshot", str(tmp_path / "x.png"), "--pane", "lookup",
            env={"SHIHOU_SANDBOX_DEMO_USERS": "300", "QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 2 and "not available to operator" in r.stderr


def test_database_behind_head_refused_at_start(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    url = f"sqlite+aiosqlite:///{db}"
    up = subprocess.run([sys.executable, "-m", "console.db", "upgrade", "--db", url], capture_output=True,
                        text=True, cwd=ROOT, timeout=60)
    assert up.returncode == 0, up.stderr
    down = subprocess.run([sys.executable, "-m", "console.db", "downgrade", "base", "--db", url],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert down.returncode == 0, down.stderr
    r = run("--db", url, "--user", "demo-admin", "--screenshot", str(tmp_path / "x.png"), "--pane", "lookup",
            env={"QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 1 and "python -m console.db upgrade" in r.stderr
