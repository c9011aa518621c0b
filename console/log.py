"""Logging: a rotating file in the user log folder plus stderr, every record redacted."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import platformdirs

from console.credentials import RedactingFilter
from console.settings import APP_NAME

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def init_logging(level: str = "INFO", *, to_file: bool = True) -> Path | None:
    root = logging.getLogger()
    root.setLevel(level)
    redactor = RedactingFilter()
    err = logging.StreamHandler()
    err.setFormatter(logging.Formatter(FORMAT))
    err.addFilter(redactor)
    root.addHandler(err)
    path: Path | None = None
    if to_file:
        d = log_dir()
        d.mkdir(parents=True, exist_ok=True)
        path = d / "console.log"
        fh = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
        fh.setFormatter(logging.Formatter(FORMAT))
        fh.addFilter(redactor)
        root.addHandler(fh)
    for noisy in ("httpx", "httpcore", "aiosqlite", "asyncio", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
