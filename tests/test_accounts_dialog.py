"""账号与密钥 (accounts dialog): keyring states, Save (secrets to the keyring, names to the --config file or
SHIHOU_* lines), Delete, Test against the KLS emulator with a busy state, a locked keyring, plain text."""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit

from console.credentials import ANTILEECH, KeyringStore, MemoryStore
from console.credentials.settings_file import update_settings_file
from console.errors import SettingsError
from console.sandbox.kingsoft import KingsoftEmulator
from console.settings import load_settings
from console.views.accounts import AccountsDialog, accounts_screenshot
from tests.keyring_backends import MemoryKeyring, installed

aio = pytest.mark.asyncio(loop_scope="session")
pytestmark = pytest.mark.gui

AK, SK = "AKLTdialog", "kls-dialog-secret"


async def until(cond: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not cond():
            await asyncio.sleep(0.02)


async def emitted(signal: Any, action: Callable[[], None] = lambda: None) -> tuple[Any, ...]:
    """Run ``action`` and wait for ``signal``; its arguments."""
    got: list[tuple[Any, ...]] = []
    signal.connect(lambda *a: got.append(a))
    action()
    await until(lambda: bool(got))
    return got[0]


@pytest_asyncio.fixture(loop_scope="session")
async def kls() -> AsyncIterator[KingsoftEmulator]:
    e = KingsoftEmulator(access_key=AK, secret_key=SK)
    await e.start()
    yield e
    await e.stop()


@pytest.fixture
def locked() -> Iterator[MemoryKeyring]:
    with installed(MemoryKeyring()) as b:
        assert isinstance(b, MemoryKeyring)
        yield b


def text_of(dialog: AccountsDialog, name: str) -> str:
    w = dialog.findChild(QLabel, name)
    assert w is not None, name
    return w.text()


def edit(dialog: AccountsDialog, name: str) -> QLineEdit:
    w = dialog.findChild(QLineEdit, name)
    assert w is not None, name
    return w


def type_into(w: QLineEdit, text: str) -> None:
    w.clear()
    QTest.keyClicks(w, text)


async def opened(qtbot: object, settings: object, store: object, **kw: object) -> AccountsDialog:
    d = AccountsDialog(settings, store, **kw)  # type: ignore[arg-type]
    qtbot.addWidget(d)  # type: ignore[attr-defined]
    d.show()
    await until(lambda: text_of(d, "state_kingsoft") != "正在读取…")
    return d


@aio
async def test_states_and_secret_fields(qtbot: object, kls: KingsoftEmulator) -> None:
    store = MemoryStore()
    store.set("kingsoft", AK, SK)
    settings = load_settings(env={}, cli={"kingsoft.url": kls.base_url, "kingsoft.access_key": AK,
                                           "jpush.app_key": "jpkey"})
    d = await opened(qtbot, settings, store)
    assert text_of(d, "state_kingsoft") == "已保存"
    assert text_of(d, "state_jpush") == "未保存"
    assert text_of(d, "state_sms") == "未填写名称"
    assert text_of(d, f"state_{ANTILEECH}") == "未填写名称"
    for name in ("secret_kingsoft", "secret_jpush", "secret_wangsu"):
        w = edit(d, name)
        assert w.text() == "" and w.echoMode() == QLineEdit.EchoMode.Password   # never pre-filled
    assert edit(d, "field_kingsoft.access_key").text() == AK
    for label in d.findChildren(QLabel):
        if label.objectName().startswith(("state_", "result_", "accountsWhere")):
            assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()
    assert "SHIHOU_" in text_of(d, "accountsWhere") and "shihou-console" in text_of(d, "accountsWhere")


@aio
async def test_test_runs_off_the_ui_thread_with_a_busy_state(qtbot: object, kls: KingsoftEmulator) -> None:
    store = MemoryStore()
    store.set("kingsoft", AK, SK)
    settings = load_settings(env={}, cli={"kingsoft.url": kls.base_url, "kingsoft.access_key": AK})
    d = await opened(qtbot, settings, store)
    kls.inject("GetBlacklist", "slow", delay_s=0.5)
    tested: list[Any] = []
    d.tested.connect(lambda _p, r: tested.append(r))
    d.sections["kingsoft"].test.click()  # type: ignore[union-attr]
    assert d.sections["kingsoft"].test.text() == "正在测试…"  # type: ignore[union-attr]
    assert not d.sections["kingsoft"].test.isEnabled()  # type: ignore[union-attr]
    assert text_of(d, "result_kingsoft") == "正在测试…"
    await asyncio.sleep(0.2)
    assert not tested and d.isVisible()     # the UI thread is free while the call is in flight
    await until(lambda: bool(tested))
    assert tested[0].outcome == "ok"
    assert text_of(d, "result_kingsoft").startswith("正常：GetBlacklist")
    assert d.sections["kingsoft"].test.isEnabled()  # type: ignore[union-attr]

    # a typed, unsaved secret is what the test uses
    type_into(edit(d, "secret_kingsoft"), "not-the-secret")
    _p, result = await emitted(d.tested, d.sections["kingsoft"].test.click)  # type: ignore[union-attr]
    assert result.outcome == "wrong_key"
    assert text_of(d, "result_kingsoft").startswith("密钥错误：")
    assert store.get("kingsoft", AK).reveal() == SK  # type: ignore[union-attr]   # nothing saved by a test


@aio
async def test_save_writes_secrets_to_the_keyring_and_names_to_the_config_file(
        qtbot: object, tmp_path: Path, locked: MemoryKeyring) -> None:
    config = tmp_path / "console.toml"
    config.write_text('# the team\'s settings\n[ui]\nlang = "zh_CN"\n\n[rongcloud]\nurl = "https://api.rong-api.com"\n',
                      encoding="utf-8")
    config.chmod(0o640)
    settings = load_settings(env={}, config_path=config)
    store = KeyringStore()
    d = await opened(qtbot, settings, store)
    type_into(edit(d, "field_rongcloud.app_key"), "rc-app-key")
    type_into(edit(d, "secret_rongcloud"), "rc-app-secret")
    await emitted(d.saved, d.sections["rongcloud"].save.click)  # type: ignore[union-attr]
    assert locked.data == {("shihou-console", "rongcloud/rc-app-key"): "rc-app-secret"}
    text = config.read_text(encoding="utf-8")
    assert text.startswith("# the team's settings\n")
    assert tomllib.loads(text)["rongcloud"] == {"url": "https://api.rong-api.com", "app_key": "rc-app-key"}
    assert "rc-app-secret" not in text and config.stat().st_mode & 0o777 == 0o640
    assert edit(d, "secret_rongcloud").text() == ""
    assert "rongcloud/rc-app-key" in text_of(d, "result_rongcloud") and str(config) in text_of(d, "result_rongcloud")
    await until(lambda: text_of(d, "state_rongcloud") == "已保存")
    assert load_settings(env={}, config_path=config)["rongcloud.app_key"] == "rc-app-key"

    # a locked keyring: a clear message, nothing saved, the file untouched
    locked.locked = True
    type_into(edit(d, "field_jpush.app_key"), "jp-app-key")
    type_into(edit(d, "secret_jpush"), "jp-master-secret")
    d.sections["jpush"].save.click()  # type: ignore[union-attr]
    await until(lambda: text_of(d, "result_jpush").startswith("未保存："))
    assert "KeyringLocked" in text_of(d, "result_jpush") and "jp-master-secret" not in text_of(d, "result_jpush")
    assert config.read_text(encoding="utf-8") == text
    locked.locked = False
    assert ("shihou-console", "jpush/jp-app-key") not in locked.data

    # delete (confirmed)
    d.confirm = lambda _text: True
    await emitted(d.saved, d.sections["rongcloud"].delete.click)  # type: ignore[union-attr]
    assert locked.data == {}
    await until(lambda: text_of(d, "state_rongcloud") == "未保存")


@aio
async def test_a_locked_keyring_shows_on_open(qtbot: object, locked: MemoryKeyring) -> None:
    locked.locked = True
    settings = load_settings(env={}, cli={"kingsoft.access_key": AK})
    d = await opened(qtbot, settings, KeyringStore())
    assert text_of(d, "state_kingsoft") == "钥匙串不可用"
    assert "KeyringLocked" in text_of(d, "result_kingsoft")


@aio
async def test_without_a_config_file_the_dialog_lists_the_variables(qtbot: object) -> None:
    store = MemoryStore()
    d = await opened(qtbot, load_settings(env={}), store)
    type_into(edit(d, "field_wangsu.account"), "shihou")
    type_into(edit(d, "secret_wangsu"), "wangsu-api-key")
    await emitted(d.saved, d.sections["wangsu"].save.click)  # type: ignore[union-attr]
    assert "SHIHOU_WANGSU_ACCOUNT=shihou" in text_of(d, "result_wangsu")
    assert store.get("wangsu", "shihou").reveal() == "wangsu-api-key"  # type: ignore[union-attr]

    # a secret without its account name is refused before anything is saved
    type_into(edit(d, "secret_sms"), "sms-secret")
    d.sections["sms"].save.click()  # type: ignore[union-attr]
    await until(lambda: text_of(d, "result_sms").startswith("未保存："))
    assert "sms.access_key_id" in text_of(d, "result_sms")


def test_settings_file_edits_in_place(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text('[kingsoft] # KLS\nurl = "https://kls"\naccess_key = "old"  # the id\n\n[ui]\nlang = "en"\n',
                 encoding="utf-8")
    update_settings_file(f, {"kingsoft.access_key": 'new"\\key', "kingsoft.antileech_account": "main",
                             "wangsu.account": "账号"})
    data = tomllib.loads(f.read_text(encoding="utf-8"))
    assert data["kingsoft"] == {"url": "https://kls", "access_key": 'new"\\key', "antileech_account": "main"}
    assert data["ui"] == {"lang": "en"} and data["wangsu"] == {"account": "账号"}
    assert f.read_text(encoding="utf-8").startswith("[kingsoft] # KLS\n")
    g = tmp_path / "dotted.toml"
    g.write_text('kingsoft.url = "https://kls"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="by hand"):
        update_settings_file(g, {"kingsoft.access_key": "AK"})
    assert g.read_text(encoding="utf-8") == 'kingsoft.url = "https://kls"\n'


@aio
async def test_accounts_screenshot(tmp_path: Path) -> None:
    out = tmp_path / "accounts.png"
    await accounts_screenshot(out)
    img = QImage(str(out))
    assert not img.isNull() and img.width() > 300
