"""Pure helpers: masking, ranges, query classification, settings precedence, redaction."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from console.credentials import MemoryStore, RedactingFilter, Secret, redact
from console.domain import SearchKind, mask_phone
from console.errors import MissingCredentials, SettingsError
from console.services.users import classify, next_string
from console.settings import load_settings


def test_pure_helpers() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert next_string("ab") == "ac" and next_string("a\U0010ffff") == "b" and next_string("\ud7ff") == "\ue000"
    assert classify("138 1234", SearchKind.AUTO) == (SearchKind.PHONE, "1381234")
    assert classify("小明", SearchKind.AUTO) == (SearchKind.NICKNAME, "小明")


def test_settings_precedence(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[ui]\nlang = "en"\n[lookup]\npage_size = 50\n[database]\npool_size = 3\n', encoding="utf-8")
    s = load_settings(config_path=cfg, env={"SHIHOU_LOOKUP_PAGE_SIZE": "70", "SHIHOU_DATABASE_POOL_SIZE": "4"},
                      cli={"database.pool_size": 9})
    assert s["ui.lang"] == "en" and s.sources["ui.lang"] == str(cfg)
    assert s["lookup.page_size"] == 70 and s.sources["lookup.page_size"] == "environment SHIHOU_LOOKUP_PAGE_SIZE"
    assert s["database.pool_size"] == 9 and s.sources["database.pool_size"] == "command line"
    assert s["events.poll_ms"] == 500 and s.sources["events.poll_ms"] == "default"


def test_settings_errors_name_key_and_source(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[ui]\nlang = "fr"\nbogus = 1\n', encoding="utf-8")
    with pytest.raises(SettingsError) as ei:
        load_settings(config_path=cfg, env={"SHIHOU_LOOKUP_PAGE_SIZE": "many", "SHIHOU_NOPE": "1"},
                      cli={"database.url": "mysql://x"})
    text = str(ei.value)
    assert f"{cfg}: ui.lang: expected one of zh_CN, en, got 'fr'" in text
    assert "unknown key 'ui.bogus'" in text
    assert "environment SHIHOU_LOOKUP_PAGE_SIZE: lookup.page_size: expected an integer" in text
    assert "environment SHIHOU_NOPE: unknown setting" in text
    assert "command line: database.url" in text
    with pytest.raises(SettingsError, match="not valid TOML"):
        (tmp_path / "bad.toml").write_text("[ui\n", encoding="utf-8")
        load_settings(config_path=tmp_path / "bad.toml", env={})


def test_secrets_never_print(caplog: pytest.LogCaptureFixture) -> None:
    store = MemoryStore()
    store.set("jpush", "main", "s3cr3t-value-123")
    secret = store.require("jpush", "main")
    assert repr(secret) == str(secret) == "Secret('***')" and "s3cr3t" not in f"{secret!r} {secret}"
    assert secret.reveal() == "s3cr3t-value-123"
    with pytest.raises(MissingCredentials, match="jpush/other"):
        store.require("jpush", "other")
    assert redact("Authorization: Basic abcdef== ok") == "Authorization: *** ok"
    assert redact("GET /x?sign=abc123&n=1") == "GET /x?sign=***&n=1"
    assert "s3cr3t-value-123" not in redact("sent s3cr3t-value-123 to the vendor")
    logger = logging.getLogger("console.test_redaction")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="console.test_redaction"):
        logger.info("token=%s and %s", "zzz-top-secret", Secret("abcd-1234").reveal())
    assert "zzz-top-secret" not in caplog.text and "abcd-1234" not in caplog.text
