"""账号与密钥 (accounts): the providers' account names and secrets, for admins.

One section per provider (:data:`console.credentials.PROVIDERS`): its settings (endpoint, account names,
play domain, sign name …), its secrets (password echo, never filled with the saved secret; "已保存" when the
keyring has one), and Save, Delete and Test.

* Save: the typed secrets go to the OS keyring, all or nothing; changed settings go to the console's
  ``--config`` TOML file, or, without one, the dialog lists the ``SHIHOU_*`` variables to set. They take
  effect at the next start (:mod:`console.credentials.accounts`).
* Test: one harmless signed call with what is typed (unsaved secrets included), off the UI thread through
  the :class:`~console.views.tasks.TaskRunner`; the button shows a busy state.
* Keyring calls run in a worker thread (a Secret Service call may block on D-Bus).
* Every label that can show provider or user text is ``Qt.TextFormat.PlainText``.

Opened with ``AccountsDialog(settings, store, parent)``; :func:`accounts_screenshot` saves a PNG of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from console.credentials import PROVIDERS, SERVICE, CredentialStore, MemoryStore, OverlayStore
from console.credentials.accounts import SaveOutcome, delete_account, save_account, secret_status, with_fields
from console.errors import ConsoleError
from console.services.provider_check import CheckResult, check_provider
from console.settings import Settings, load_settings

__all__ = ["AccountsDialog", "accounts_screenshot"]

_OK_STYLE = "color:#1b7f3b;"
_BAD_STYLE = "color:#b3261e;"
_BUSY_STYLE = "color:#0b4a8b;"


def _plain(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


@dataclass
class _Section:
    provider: str
    box: QGroupBox
    fields: dict[str, QLineEdit | QComboBox] = field(default_factory=dict)
    secrets: dict[str, QLineEdit] = field(default_factory=dict)
    states: dict[str, QLabel] = field(default_factory=dict)
    save: QPushButton | None = None
    delete: QPushButton | None = None
    test: QPushButton | None = None
    result: QLabel | None = None


class AccountsDialog(QDialog):
    """The accounts dialog. ``settings``: the console's settings (``config_path`` is where account names are
    saved); ``store``: the credential store (``KeyringStore()`` in a console).

    Signals: loaded() the keyring states are shown; tested(str, object) a provider's
    :class:`~console.services.provider_check.CheckResult`; saved(str) a provider was saved or deleted.
    """

    loaded = Signal()
    tested = Signal(str, object)
    saved = Signal(str)

    def __init__(self, settings: Settings, store: CredentialStore, parent: QWidget | None = None, *,
                 confirm: Callable[[str], bool] | None = None) -> None:
        super().__init__(parent)
        from console.views.tasks import TaskRunner

        self.setObjectName("accountsDialog")
        self.setWindowTitle(self.tr("账号与密钥"))
        self.resize(760, 820)
        self.settings = settings
        self.store = store
        self.confirm = confirm or self._ask
        self.tasks = TaskRunner(self)
        self.sections: dict[str, _Section] = {}

        lay = QVBoxLayout(self)
        self.where = _plain()
        self.where.setObjectName("accountsWhere")
        lay.addWidget(self.where)
        self._explain_storage()
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        inner = QWidget()
        col = QVBoxLayout(inner)
        for provider in PROVIDERS:
            col.addWidget(self._build_section(provider))
        col.addStretch(1)
        scroll.setWidget(inner)
        lay.addWidget(scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.refresh()

    # --- texts ----------------------------------------------------------------------------------

    def _titles(self) -> dict[str, str]:
        return {"kingsoft": self.tr("金山云直播 (KLS)"), "rongcloud": self.tr("融云聊天 (RongCloud)"),
                "jpush": self.tr("极光推送 (JPush)"), "sms": self.tr("短信 (阿里云 Dysms)"),
                "wangsu": self.tr("网宿 CDN"), "nginx": self.tr("自建 nginx-rtmp"), "smtp": self.tr("邮件 (SMTP)")}

    def _field_labels(self) -> dict[str, str]:
        return {
            "kingsoft.url": self.tr("接口地址"), "kingsoft.access_key": self.tr("AccessKey ID"),
            "kingsoft.play_domain": self.tr("播放域名"), "kingsoft.play_scheme": self.tr("播放协议"),
            "kingsoft.antileech_account": self.tr("防盗链密钥名称（留空：播放地址不签名）"),
            "rongcloud.url": self.tr("接口地址"), "rongcloud.backup_url": self.tr("备用地址"),
            "rongcloud.app_key": self.tr("App Key"), "jpush.url": self.tr("接口地址"),
            "jpush.app_key": self.tr("AppKey"), "sms.url": self.tr("接口地址"),
            "sms.access_key_id": self.tr("AccessKey ID"), "sms.sign_name": self.tr("短信签名"),
            "wangsu.url": self.tr("接口地址"), "wangsu.account": self.tr("账号"),
            "nginx.stat_url": self.tr("统计地址 (/stat)"), "nginx.control_url": self.tr("控制地址 (/control)"),
            "mail.smtp_host": self.tr("SMTP 服务器"), "mail.smtp_port": self.tr("端口（0：按加密方式默认）"),
            "mail.security": self.tr("加密方式"), "mail.account": self.tr("登录账号"), "mail.from": self.tr("发件地址"),
        }

    def _secret_labels(self) -> dict[str, str]:
        return {"kingsoft": self.tr("SecretAccessKey"), "kingsoft-antileech": self.tr("防盗链密钥"),
                "rongcloud": self.tr("App Secret"), "jpush": self.tr("Master Secret"),
                "sms": self.tr("AccessKey Secret"), "wangsu": self.tr("API 密钥"), "smtp": self.tr("邮箱密码")}

    def _outcomes(self) -> dict[str, str]:
        return {"ok": self.tr("正常"), "wrong_key": self.tr("密钥错误"), "unreachable": self.tr("无法连接"),
                "refused": self.tr("密钥有效，但请求被拒绝"), "not_configured": self.tr("未配置")}

    def _explain_storage(self) -> None:
        path = self.settings.config_path
        if path is not None:
            text = self.tr("账号名称等设置保存到设置文件 %1，下次启动生效。").replace("%1", str(path))
        else:
            text = self.tr("本控制台没有设置文件（--config）：保存时会列出需要设置的 SHIHOU_* 环境变量，下次启动生效。")
        text += " " + self.tr("密钥只保存在系统钥匙串（服务 %1），不写入文件、日志或数据库。").replace("%1", SERVICE)
        self.where.setText(text)

    # --- building -------------------------------------------------------------------------------

    def _build_section(self, provider: str) -> QGroupBox:
        spec = PROVIDERS[provider]
        box = QGroupBox(self._titles()[provider])
        box.setObjectName(f"accounts_{provider}")
        sec = _Section(provider, box)
        form = QFormLayout(box)
        labels = self._field_labels()
        for key in spec.fields:
            editor: QLineEdit | QComboBox
            if key in ("kingsoft.play_scheme", "mail.security"):
                editor = QComboBox()
                editor.addItems(["https", "http"] if key == "kingsoft.play_scheme" else ["starttls", "tls", "plain"])
                editor.setCurrentText(str(self.settings[key]))
            else:
                editor = QLineEdit(str(self.settings[key]))
                editor.setClearButtonEnabled(True)
            editor.setObjectName(f"field_{key}")
            sec.fields[key] = editor
            form.addRow(labels[key], editor)
        names = self._secret_labels()
        for slot in spec.secrets:
            edit = QLineEdit()
            edit.setObjectName(f"secret_{slot.name}")
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setPlaceholderText(self.tr("输入新密钥（不会显示已保存的密钥）"))
            state = _plain(self.tr("正在读取…"))
            state.setObjectName(f"state_{slot.name}")
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(state)
            sec.secrets[slot.name], sec.states[slot.name] = edit, state
            form.addRow(names[slot.name], row)
        if not spec.secrets:
            form.addRow(_plain(self.tr("无需密钥。")))
        buttons = QHBoxLayout()
        sec.save, sec.delete, sec.test = (QPushButton(self.tr("保存")), QPushButton(self.tr("删除密钥")),
                                          QPushButton(self.tr("测试")))
        for b, name in ((sec.save, "save"), (sec.delete, "delete"), (sec.test, "test")):
            b.setObjectName(f"{name}_{provider}")
            b.setAutoDefault(False)
            buttons.addWidget(b)
        sec.delete.setEnabled(bool(spec.secrets))
        buttons.addStretch(1)
        form.addRow(buttons)
        sec.result = _plain()
        sec.result.setObjectName(f"result_{provider}")
        form.addRow(sec.result)
        sec.save.clicked.connect(lambda: self.save(provider))
        sec.delete.clicked.connect(lambda: self.delete(provider))
        sec.test.clicked.connect(lambda: self.test(provider))
        self.sections[provider] = sec
        return box

    # --- reading the form -----------------------------------------------------------------------

    def typed_fields(self, provider: str) -> dict[str, str]:
        out = {}
        for key, editor in self.sections[provider].fields.items():
            out[key] = editor.currentText() if isinstance(editor, QComboBox) else editor.text().strip()
        return out

    def typed_secrets(self, provider: str) -> dict[str, str]:
        return {name: e.text() for name, e in self.sections[provider].secrets.items() if e.text().strip()}

    def _show(self, provider: str, text: str, style: str) -> None:
        result = self.sections[provider].result
        assert result is not None
        result.setStyleSheet(style)
        result.setText(text)

    # --- keyring states -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read, in a worker thread, which secrets the keyring holds for the account names on screen."""
        typed = {p: self.typed_fields(p) for p in self.sections}

        async def read() -> dict[str, dict[str, bool | None] | str]:
            def work() -> dict[str, dict[str, bool | None] | str]:
                out: dict[str, dict[str, bool | None] | str] = {}
                for p, fields in typed.items():
                    try:
                        out[p] = secret_status(with_fields(self.settings, p, fields), self.store, p)
                    except ConsoleError as e:
                        out[p] = e.user_message()
                return out

            return await asyncio.to_thread(work)

        self.tasks.run("status", read(), on_done=self._show_states)

    def _show_states(self, states: dict[str, dict[str, bool | None] | str]) -> None:
        for p, st in states.items():
            sec = self.sections[p]
            if isinstance(st, str):  # the keyring could not be read
                for label in sec.states.values():
                    label.setText(self.tr("钥匙串不可用"))
                    label.setStyleSheet(_BAD_STYLE)
                self._show(p, st, _BAD_STYLE)
                continue
            for name, present in st.items():
                label = sec.states[name]
                if present is None:
                    label.setText(self.tr("未填写名称"))
                    label.setStyleSheet("")
                elif present:
                    label.setText(self.tr("已保存"))
                    label.setStyleSheet(_OK_STYLE)
                else:
                    label.setText(self.tr("未保存"))
                    label.setStyleSheet(_BAD_STYLE)
        self.loaded.emit()

    # --- actions ------------------------------------------------------------------------------

    def _busy(self, provider: str, busy: bool, text: str = "") -> None:
        sec = self.sections[provider]
        for b in (sec.save, sec.delete, sec.test):
            assert b is not None
            b.setEnabled(not busy and (b is not sec.delete or bool(sec.secrets)))
        assert sec.test is not None
        sec.test.setText(self.tr("正在测试…") if busy and text == "test" else self.tr("测试"))
        if busy:
            self._show(provider, self.tr("正在测试…") if text == "test" else self.tr("正在保存…"), _BUSY_STYLE)

    def test(self, provider: str) -> None:
        """Test with what is typed: the fields, and the secrets typed but not saved yet."""
        try:
            settings = with_fields(self.settings, provider, self.typed_fields(provider))
        except ConsoleError as e:
            self._show(provider, e.user_message(), _BAD_STYLE)
            return
        spec = PROVIDERS[provider]
        typed = self.typed_secrets(provider)
        from console.credentials import account_of

        overrides = {(s.name, account_of(settings, s)): typed[s.name].strip() for s in spec.secrets if s.name in typed}
        store = OverlayStore(self.store, overrides) if overrides else self.store
        self._busy(provider, True, "test")
        self.tasks.run(f"test:{provider}", check_provider(provider, settings, store),
                       on_done=lambda r: self._tested(provider, r))

    def _tested(self, provider: str, result: CheckResult) -> None:
        self._busy(provider, False)
        text = f"{self._outcomes()[result.outcome]}：{result.detail}"
        self._show(provider, text, _OK_STYLE if result.ok else _BAD_STYLE)
        self.tested.emit(provider, result)

    def save(self, provider: str) -> None:
        fields, secrets = self.typed_fields(provider), self.typed_secrets(provider)

        async def run() -> SaveOutcome | str:
            try:
                return await asyncio.to_thread(save_account, self.settings, self.store, provider, fields, secrets)
            except ConsoleError as e:
                return e.user_message()

        self._busy(provider, True, "save")
        self.tasks.run(f"save:{provider}", run(), on_done=lambda r: self._saved(provider, r))

    def _saved(self, provider: str, outcome: SaveOutcome | str) -> None:
        self._busy(provider, False)
        if isinstance(outcome, str):
            self._show(provider, self.tr("未保存：") + outcome, _BAD_STYLE)
            return
        for edit in self.sections[provider].secrets.values():
            edit.clear()
        parts = []
        if outcome.secrets:
            parts.append(self.tr("密钥已保存到钥匙串：") + "、".join(outcome.secrets))
        if outcome.settings_file is not None:
            parts.append(self.tr("设置已写入 %1，下次启动生效。").replace("%1", str(outcome.settings_file)))
        if outcome.env_lines:
            parts.append(self.tr("没有设置文件：请设置以下环境变量后重新启动：") + "\n" + "\n".join(outcome.env_lines))
        if outcome.overridden:
            parts.append(self.tr("注意：这些设置当前来自环境变量或命令行，会覆盖设置文件：") + "、".join(outcome.overridden))
        if not parts:
            parts.append(self.tr("没有需要保存的更改。"))
        self._show(provider, "\n".join(parts), _OK_STYLE)
        self.refresh()
        self.saved.emit(provider)

    def delete(self, provider: str) -> None:
        try:
            settings = with_fields(self.settings, provider, self.typed_fields(provider))
        except ConsoleError as e:
            self._show(provider, e.user_message(), _BAD_STYLE)
            return
        if not self.confirm(self.tr("从钥匙串删除 %1 的密钥？").replace("%1", self._titles()[provider])):
            return

        async def run() -> list[str] | str:
            try:
                return await asyncio.to_thread(delete_account, settings, self.store, provider)
            except ConsoleError as e:
                return e.user_message()

        self._busy(provider, True, "delete")
        self.tasks.run(f"delete:{provider}", run(), on_done=lambda r: self._deleted(provider, r))

    def _deleted(self, provider: str, outcome: list[str] | str) -> None:
        self._busy(provider, False)
        if isinstance(outcome, str):
            self._show(provider, self.tr("未删除：") + outcome, _BAD_STYLE)
            return
        self._show(provider, self.tr("已从钥匙串删除：") + ("、".join(outcome) or self.tr("（无）")), _OK_STYLE)
        self.refresh()
        self.saved.emit(provider)

    def _ask(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.windowTitle(), text)
        return answer == QMessageBox.StandardButton.Yes


def demo_settings() -> tuple[Settings, MemoryStore]:
    """Settings and secrets that look like a configured team (for the screenshot)."""
    settings = load_settings(env={}, cli={
        "kingsoft.url": "https://kls.cn-beijing-6.api.ksyun.com", "kingsoft.access_key": "AKLTshihou01",
        "kingsoft.antileech_account": "main", "rongcloud.url": "https://api.rong-api.com",
        "rongcloud.backup_url": "https://api-b.rong-api.com", "rongcloud.app_key": "p5tvi9dsp4ij4",
        "jpush.url": "https://api.jpush.cn", "jpush.app_key": "4a7d2b8c9e0f1a2b3c4d5e6f",
        "sms.url": "https://dysmsapi.aliyuncs.com", "sms.access_key_id": "LTAI5tShihou",
        "wangsu.url": "https://open.chinanetcenter.com", "wangsu.account": "shihou",
        "nginx.stat_url": "http://10.0.0.5:8080/stat", "nginx.control_url": "http://10.0.0.5:8080/control"})
    store = MemoryStore()
    for slot, account in (("kingsoft", "AKLTshihou01"), ("kingsoft-antileech", "main"),
                          ("rongcloud", "p5tvi9dsp4ij4"), ("sms", "LTAI5tShihou")):
        store.set(slot, account, "demo-secret-" + slot)
    return settings, store


async def accounts_screenshot(path: Path, settings: Settings | None = None, store: CredentialStore | None = None,
                              *, timeout: float = 10.0) -> None:
    """Open the dialog (demo settings and secrets unless given), wait until the keyring states show, save a
    PNG of it to ``path``, close it. Needs a running qasync loop (as the console's ``--screenshot`` has).

    Raises:
        TimeoutError: The states did not load within ``timeout`` seconds.
    """
    if settings is None or store is None:
        settings, store = demo_settings()
    dialog = AccountsDialog(settings, store)
    loaded = asyncio.Event()
    dialog.loaded.connect(loaded.set)
    dialog.show()
    try:
        async with asyncio.timeout(timeout):
            await loaded.wait()
        await asyncio.sleep(0.2)  # one paint after the states
        if not dialog.grab().save(str(path)):
            raise OSError(f"could not write {path}")
    finally:
        dialog.close()
        dialog.deleteLater()
