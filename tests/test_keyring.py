"""KeyringStore and ``python -m console.credentials`` against a real Secret Service (gnome-keyring-daemon
under dbus-run-session)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = r"""
import keyring
from keyring.backends.SecretService import Keyring
keyring.set_keyring(Keyring())
from console.credentials import KeyringStore
s = KeyringStore(service="shihou-console-test")
s.set("jpush", "main", "top-secret-value")
got = s.get("jpush", "main")
assert got is not None and got.reveal() == "top-secret-value", got
assert repr(got) == "Secret('***')"
s.delete("jpush", "main")
assert s.get("jpush", "main") is None
print("keyring ok")
"""


def test_keyring_store_with_secret_service(tmp_path: Path) -> None:
    missing = [b for b in ("dbus-run-session", "gnome-keyring-daemon") if shutil.which(b) is None]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"missing in CI: {missing} (apt-get install dbus gnome-keyring)")
        pytest.skip(f"Secret Service not installed: {missing} (Debian packages dbus, gnome-keyring)")
    home = tmp_path / "home"
    for d in ("data", "config", "cache", "runtime"):
        (home / d).mkdir(parents=True)
    (home / "runtime").chmod(0o700)
    env = os.environ | {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
                        "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache"),
                        "XDG_RUNTIME_DIR": str(home / "runtime")}
    script = tmp_path / "probe.py"
    script.write_text(SCRIPT, encoding="utf-8")
    cli = f'"{sys.executable}" -m console.credentials'
    inner = (f'eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"; '
             f'"{sys.executable}" "{script}" && '
             # the command line against the same Secret Service: the secret from SHIHOU_SECRET, never argv
             f'SHIHOU_SECRET=cli-top-secret SHIHOU_JPUSH_APP_KEY=appkey1 {cli} set jpush </dev/null && '
             f'SHIHOU_JPUSH_APP_KEY=appkey1 {cli} list && {cli} delete jpush appkey1 && '
             f'SHIHOU_JPUSH_APP_KEY=appkey1 {cli} list')
    r = subprocess.run(["dbus-run-session", "--", "bash", "-c", inner], capture_output=True, text=True, env=env,
                       timeout=60, cwd=Path(__file__).resolve().parent.parent)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "keyring ok" in r.stdout
    assert "top-secret-value" not in r.stdout + r.stderr
    assert "saved jpush/appkey1" in r.stdout and "cli-top-secret" not in r.stdout + r.stderr
    first, _, second = r.stdout.partition("deleted jpush/appkey1")
    assert "jpush/appkey1  saved" in first and "jpush/appkey1  MISSING" in second
