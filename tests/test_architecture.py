"""Layer contracts: the core (services, db, domain) stays free of Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(exe), "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_services_all_is_sorted_and_complete() -> None:
    import console.services as s

    assert s.__all__ == sorted(s.__all__)
    assert all(hasattr(s, n) for n in s.__all__)
