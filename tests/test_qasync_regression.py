"""PySide6 6.12.0 on CPython 3.11 drains refcount(None) and aborts qasync apps
(shared/guides/platform-facts.md §0). The pinned 6.11.3 must run 20,000 sleeps and exit 0."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import asyncio, sys
import qasync
from PySide6.QtWidgets import QApplication

async def main():
    for _ in range(20_000):
        await asyncio.sleep(0)
    print("done")

app = QApplication(sys.argv)
qasync.run(main())
"""


def test_20000_sleeps_under_qasync_exit_cleanly() -> None:
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "done" in r.stdout


def test_pinned_pyside6() -> None:
    import PySide6

    assert PySide6.__version__ == "6.11.3"
