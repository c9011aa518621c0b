"""狮吼直播控制台 — Shihou Console."""

__version__ = "0.1.0"
