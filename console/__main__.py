"""Entry point: ``shihou-console`` / ``python main.py``."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="shihou-console",
        description="狮吼直播控制台 — Shihou Console. Settings: defaults < TOML (--config) < SHIHOU_* environment "
                    "< command line.",
    )
    p.add_argument("--db", metavar="URL", help="database: sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB")
    p.add_argument("--config", metavar="FILE", help="TOML settings file")
    p.add_argument("--lang", choices=["zh_CN", "en"], help="interface language (default zh_CN)")
    p.add_argument("--sandbox", action="store_true", default=None,
                   help="training sandbox: create and seed the database on first start")
    p.add_argument("--user", metavar="NAME", help="sign in as NAME (password from SHIHOU_PASSWORD, or the demo "
                                                   "password in the sandbox)")
    p.add_argument("--screenshot", metavar="PATH", type=Path,
                   help="start, wait until --pane has loaded its data, save a PNG of the main window, exit")
    p.add_argument("--pane", metavar="NAME", help="pane for --screenshot: lookup, rooms, preview, chat, push, actions, audit")
    p.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return p


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM"))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from console.errors import SettingsError
    from console.settings import load_settings

    try:
        settings = load_settings(
            cli={"database.url": args.db, "ui.lang": args.lang, "sandbox.enabled": args.sandbox,
                 "auth.user": args.user, "log.level": args.log_level},
            config_path=args.config,
        )
    except SettingsError as e:
        print(e, file=sys.stderr)
        return 2
    if args.pane and not args.screenshot:
        print("--pane needs --screenshot", file=sys.stderr)
        return 2
    if not has_display():
        if args.screenshot:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        else:
            print("No display found (DISPLAY is not set). Run the console on a desktop, or under a virtual "
                  "screen:\n  xvfb-run -a .venv/bin/python main.py --sandbox --user demo-admin\nor, for a screenshot only: "
                  "python main.py --screenshot out.png --pane lookup", file=sys.stderr)
            return 3
    from console.log import init_logging

    init_logging(settings["log.level"])
    import qasync
    from PySide6.QtWidgets import QApplication

    from console.app import install_translations, run
    from console.settings import APP_NAME

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("shihou")
    app.setApplicationDisplayName("狮吼直播控制台")
    app.setQuitOnLastWindowClosed(False)
    install_translations(app, settings.lang)
    code = 0

    async def amain() -> None:
        nonlocal code
        code = await run(settings, screenshot=args.screenshot, pane=args.pane)

    # SIGTERM/SIGINT close the windows, so the sandbox's nginx and publishers are stopped in order;
    # a 250 ms timer gives Python a chance to run the handler while Qt waits for events.
    import signal

    from PySide6.QtCore import QTimer

    def on_signal(*_: object) -> None:
        """First signal: close the windows (the sandbox stops in order). No window, or a second signal: exit."""
        if not app.topLevelWidgets() or getattr(on_signal, "seen", False):
            os._exit(128 + signal.SIGTERM)
        on_signal.seen = True  # type: ignore[attr-defined]
        app.closeAllWindows()
        QTimer.singleShot(10_000, lambda: os._exit(128 + signal.SIGTERM))

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(250)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(amain())
    return code


if __name__ == "__main__":
    sys.exit(main())
