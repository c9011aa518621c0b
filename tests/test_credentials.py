"""Provider accounts and secrets: the catalogue and roles, KeyringStore with a keyring that is locked,
missing or refuses a write (nothing half-saved), and ``python -m console.credentials`` as a child process
(its secret from ``SHIHOU_SECRET``, its keyring a test backend loaded through ``PYTHON_KEYRING_BACKEND``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backends import fail

from console.credentials import (
    ANTILEECH,
    PROVIDERS,
    KeyringStore,
    MemoryStore,
    OverlayStore,
    delete_secrets,
    providers_for_role,
    save_secrets,
)
from console.domain import Role
from console.errors import KeyringUnavailable, MissingCredentials
from tests.keyring_backends import MemoryKeyring, installed

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def backend() -> Iterator[MemoryKeyring]:
    with installed(MemoryKeyring()) as b:
        assert isinstance(b, MemoryKeyring)
        yield b


# --- catalogue ---------------------------------------------------------------------------------------

def test_catalogue_names_every_provider_and_its_secrets() -> None:
    assert set(PROVIDERS) == {"kingsoft", "rongcloud", "jpush", "sms", "wangsu", "nginx", "smtp"}
    slots = {s.name: s.account_key for p in PROVIDERS.values() for s in p.secrets}
    assert slots == {"kingsoft": "kingsoft.access_key", ANTILEECH: "kingsoft.antileech_account",
                     "rongcloud": "rongcloud.app_key", "jpush": "jpush.app_key", "sms": "sms.access_key_id",
                     "wangsu": "wangsu.account", "smtp": "mail.account"}
    assert PROVIDERS["nginx"].secrets == ()
    assert "kingsoft.play_domain" in PROVIDERS["kingsoft"].fields
    assert "sms.sign_name" in PROVIDERS["sms"].fields
    assert "nginx.control_url" in PROVIDERS["nginx"].fields


def test_each_role_uses_only_its_providers() -> None:
    assert providers_for_role(Role.SUPPORT) == {"sms"}          # "resend code" only
    assert providers_for_role(Role.MODERATOR) == {"kingsoft", "nginx", "wangsu", "rongcloud"}
    assert providers_for_role(Role.OPERATOR) == {"jpush", "sms"}
    assert providers_for_role(Role.ADMIN) == set(PROVIDERS)


# --- KeyringStore against keyring backends -------------------------------------------------------------

def test_keyring_store_round_trip(backend: MemoryKeyring) -> None:
    store = KeyringStore()
    store.set("jpush", "appkey", "master-secret-1")
    assert backend.data == {("shihou-console", "jpush/appkey"): "master-secret-1"}
    got = store.get("jpush", "appkey")
    assert got is not None and got.reveal() == "master-secret-1"
    store.delete("jpush", "appkey")
    store.delete("jpush", "appkey")  # absent: fine
    assert store.get("jpush", "appkey") is None
    with pytest.raises(MissingCredentials, match="accounts"):
        store.require("jpush", "appkey")


def test_a_locked_keyring_is_a_clear_error(backend: MemoryKeyring) -> None:
    backend.locked = True
    store = KeyringStore()
    for call in (lambda: store.get("sms", "LTAI1"), lambda: store.set("sms", "LTAI1", "sms-secret-1"),
                 lambda: store.delete("sms", "LTAI1")):
        with pytest.raises(KeyringUnavailable) as e:
            call()
        msg = e.value.user_message()
        assert "KeyringLocked" in msg and "sms/LTAI1" in msg and "Unlock" in msg
        assert "sms-secret-1" not in msg


def test_no_keyring_at_all_is_a_clear_error() -> None:
    with installed(fail.Keyring()):
        with pytest.raises(KeyringUnavailable, match="NoKeyringError.*install a Secret Service"):
            KeyringStore().get("wangsu", "shihou")
        with pytest.raises(KeyringUnavailable, match="Nothing was changed"):
            save_secrets(KeyringStore(), [("wangsu", "shihou", "wangsu-key-1")])


def test_a_failed_second_write_rolls_back_the_first(backend: MemoryKeyring) -> None:
    store = KeyringStore()
    store.set("kingsoft", "AKLT1", "old-kls-secret")
    backend.writes, backend.fail_set_after = 0, 1     # the first write of the save works, the second fails
    with pytest.raises(KeyringUnavailable) as e:
        save_secrets(store, [("kingsoft", "AKLT1", "new-kls-secret"), (ANTILEECH, "main", "new-leech-key")])
    assert "PasswordSetError" in str(e.value) and e.value.left == ()
    assert backend.data == {("shihou-console", "kingsoft/AKLT1"): "old-kls-secret"}   # as it was

    backend.fail_set_after = None
    store.delete("kingsoft", "AKLT1")
    backend.writes, backend.fail_set_after = 0, 1
    with pytest.raises(KeyringUnavailable):
        save_secrets(store, [("kingsoft", "AKLT1", "new-kls-secret"), (ANTILEECH, "main", "new-leech-key")])
    assert backend.data == {}                          # a new secret is removed again

    store.set("kingsoft", "AKLT1", "old-kls-secret")
    backend.writes, backend.fail_set_after, backend.keep_failing = 0, 1, True   # and the rollback fails too
    with pytest.raises(KeyringUnavailable, match="checked by hand: kingsoft/AKLT1") as e:
        save_secrets(store, [("kingsoft", "AKLT1", "new-kls-secret"), (ANTILEECH, "main", "new-leech-key")])
    assert e.value.left == ("kingsoft/AKLT1",) and "new-kls-secret" not in str(e.value)


def test_a_save_on_a_locked_keyring_writes_nothing(backend: MemoryKeyring) -> None:
    backend.locked = True
    with pytest.raises(KeyringUnavailable, match="Nothing was changed"):
        save_secrets(KeyringStore(), [("jpush", "k", "jpush-secret-1"), ("sms", "a", "sms-secret-1")])
    backend.locked = False
    assert backend.data == {} and backend.writes == 0


def test_a_failed_delete_restores_what_was_deleted(backend: MemoryKeyring) -> None:
    store = KeyringStore()
    store.set("kingsoft", "AKLT1", "kls-secret-1")
    store.set(ANTILEECH, "main", "leech-key-1")
    before = dict(backend.data)
    delete_secrets(store, [("wangsu", "nobody")])  # absent: fine
    backend.fail_delete = {f"{ANTILEECH}/main"}
    with pytest.raises(KeyringUnavailable, match="InitError") as e:
        delete_secrets(store, [("kingsoft", "AKLT1"), (ANTILEECH, "main")])
    assert e.value.left == ()
    assert backend.data == before  # kingsoft/AKLT1 was put back


def test_overlay_store_reads_typed_secrets_first() -> None:
    base = MemoryStore()
    base.set("jpush", "k", "saved-secret")
    over = OverlayStore(base, {("sms", "a"): "typed-secret"})
    assert over.get("sms", "a") is not None and over.get("sms", "a").reveal() == "typed-secret"  # type: ignore[union-attr]
    assert over.get("jpush", "k").reveal() == "saved-secret"  # type: ignore[union-attr]
    with pytest.raises(TypeError):
        over.set("jpush", "k", "x")


# --- the command line ------------------------------------------------------------------------------------

def cli(*args: str, tmp_path: Path, secret: str | None = None, backend: str = "tests.keyring_backends.FileKeyring",
        config: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHIHOU_")}
    env |= {"PYTHON_KEYRING_BACKEND": backend, "TEST_KEYRING_FILE": str(tmp_path / "keyring.json")}
    if secret is not None:
        env["SHIHOU_SECRET"] = secret
    argv = [sys.executable, "-m", "console.credentials", *(["--config", str(config)] if config else []), *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
                          stdin=subprocess.DEVNULL)


def test_cli_set_list_delete(tmp_path: Path) -> None:
    config = tmp_path / "console.toml"
    config.write_text('[jpush]\nurl = "http://127.0.0.1:9"\napp_key = "appkey1"\n', encoding="utf-8")
    r = cli("list", tmp_path=tmp_path, config=config)
    assert r.returncode == 0, r.stderr
    assert "jpush/appkey1  MISSING" in r.stdout

    r = cli("set", "jpush", tmp_path=tmp_path, config=config)      # stdin is not a terminal, no SHIHOU_SECRET
    assert r.returncode == 4 and "SHIHOU_SECRET" in r.stderr
    r = cli("set", "jpush", tmp_path=tmp_path, config=config, secret="   ")
    assert r.returncode == 4 and "empty" in r.stderr

    r = cli("set", "jpush", tmp_path=tmp_path, config=config, secret="jpush-master-secret\n")
    assert r.returncode == 0, r.stderr
    assert "saved jpush/appkey1" in r.stdout
    assert '"jpush-master-secret"' in (tmp_path / "keyring.json").read_text()   # the test keyring's file
    r = cli("list", tmp_path=tmp_path, config=config)
    assert "jpush/appkey1  saved" in r.stdout
    assert "jpush-master-secret" not in r.stdout + r.stderr

    r = cli("set", "kingsoft-antileech", "main", tmp_path=tmp_path, config=config, secret="leech-key-42")
    assert r.returncode == 0 and "saved kingsoft-antileech/main" in r.stdout
    r = cli("set", "sms", tmp_path=tmp_path, config=config, secret="x")   # no account name anywhere
    assert r.returncode == 4 and "SHIHOU_SMS_ACCESS_KEY_ID" in r.stderr

    r = cli("delete", "jpush", tmp_path=tmp_path, config=config)
    assert r.returncode == 0 and "deleted jpush/appkey1" in r.stdout
    assert "jpush/appkey1  MISSING" in cli("list", tmp_path=tmp_path, config=config).stdout

    r = cli("set", "nginx", tmp_path=tmp_path, secret="x")
    assert r.returncode == 64 and "invalid choice" in r.stderr


def test_cli_without_a_keyring_says_so(tmp_path: Path) -> None:
    r = cli("set", "wangsu", "shihou", tmp_path=tmp_path, secret="wangsu-key-1", backend="keyring.backends.fail.Keyring")
    assert r.returncode == 4
    assert "NoKeyringError" in r.stderr and "Nothing was changed" in r.stderr
    assert "wangsu-key-1" not in r.stdout + r.stderr and "Traceback" not in r.stderr
    r = cli("list", tmp_path=tmp_path, backend="keyring.backends.fail.Keyring",
            config=_write(tmp_path / "c.toml", '[wangsu]\naccount = "shihou"\n'))
    assert r.returncode == 4 and "keyring" in r.stderr


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
