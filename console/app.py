"""create_app(settings) and the console's lifecycle on the qasync loop.

``build_services`` (Qt-free, in console.services) wires the database and services for one
operator; ``create_app`` builds the main window on top of them; :func:`run` is the whole
start: sandbox preparation, database checks, sign-in, window, and an orderly close.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from console.domain import Permission
from console.errors import ConsoleError
from console.heap import SETTLE_AFTER_S, settle_heap
from console.settings import APP_NAME, Settings
from console.views.feedback import describe
from console.views.main_window import MainWindow

if TYPE_CHECKING:  # imported when needed: the window is shown before SQLAlchemy and the services load
    from console.services import Services
    from console.services.auth import AuthService, Session

log = logging.getLogger(__name__)
RESOURCES = Path(__file__).resolve().parent.parent / "resources"
PANES = ("lookup", "rooms", "preview", "chat", "push", "sms", "actions", "audit", "operators")


@dataclass
class App:
    settings: Settings
    services: Services
    window: MainWindow

    async def aclose(self) -> None:
        self.window.close()
        await self.services.aclose()


def create_app(settings: Settings, services: Services) -> App:
    """The main window for signed-in services (the QApplication must exist)."""
    return App(settings=settings, services=services, window=MainWindow(services))


def install_translations(app: QApplication, lang: str) -> list[QTranslator]:
    kept: list[QTranslator] = []
    QLocale.setDefault(QLocale(lang))
    qt_tr = QTranslator(app)
    if qt_tr.load(QLocale(lang), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_tr)
        kept.append(qt_tr)
    if lang != "zh_CN":  # the source strings are Chinese
        ours = QTranslator(app)
        qm = RESOURCES / "i18n" / f"shihou_{lang}.qm"
        if ours.load(str(qm)):
            app.installTranslator(ours)
            kept.append(ours)
        else:
            log.warning("translation %s not found; run make to build it", qm)
    return kept


def ui_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "shihou", APP_NAME)


async def prepare_sandbox(settings: Settings) -> None:
    """First start of the training sandbox: migrate (its own database follows the code) and seed the demo data."""
    from console.db.engine import HEAD_REVISION, make_engine, redact_url, stored_revision

    engine = make_engine(settings.db_url)
    try:
        async with engine.connect() as conn:
            cur = await stored_revision(conn)
        if cur != HEAD_REVISION:
            from console.db.migrate import upgrade  # Alembic only when there is something to do

            log.info("sandbox: %s %s", "creating" if cur is None else f"upgrading from {cur}",
                     redact_url(settings.db_url))
            await upgrade(engine)
        import sqlalchemy as sa

        async with engine.connect() as conn:
            has_users = (await conn.execute(sa.text("SELECT 1 FROM users LIMIT 1"))).first() is not None
    finally:
        await engine.dispose()
    if not has_users:
        from console.sandbox.seed import seed_database

        n = int(settings["sandbox.demo_users"])
        log.info("sandbox: seeding %d demo users", n)
        await seed_database(settings.db_url, n)


async def _await_dialog(dialog: QWidget) -> int:
    fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    dialog.finished.connect(lambda r: None if fut.done() else fut.set_result(int(r)))  # type: ignore[attr-defined]
    dialog.open()  # type: ignore[attr-defined]
    return await fut


async def show_fatal(text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, QApplication.translate("app", "狮吼直播控制台"), text)
    await _await_dialog(box)


def _env_password(settings: Settings) -> str:
    from console.sandbox.demo import DEMO_PASSWORD

    return os.environ.get("SHIHOU_PASSWORD") or (DEMO_PASSWORD if settings.sandbox else "")


async def sign_in(settings: Settings, auth: AuthService, *, screenshot: bool,
                  parent: QWidget | None = None, ask: bool = False) -> Session | None:
    """``auth.user`` with SHIHOU_PASSWORD (the sandbox: the demo password) signs in without the dialog,
    unless ``ask`` (after signing out: the dialog, empty)."""
    user = "" if ask else str(settings["auth.user"])
    if user:
        password = _env_password(settings)
        if password:
            return await auth.sign_in(user, password)
        if screenshot:
            raise ConsoleError("auth.user is set without a password (put it in SHIHOU_PASSWORD)")
    from console.credentials import KeyringStore
    from console.db.engine import redact_url
    from console.views.login import LoginDialog

    # "remember me" (off unless ticked) keeps the password in the OS keyring, nowhere else
    dialog = LoginDialog(auth.sign_in, db_label=redact_url(settings.db_url), username=user, parent=parent,
                         store=KeyringStore())
    if await _await_dialog(dialog) != LoginDialog.DialogCode.Accepted:
        return None
    return dialog.session


async def replace_temporary_password(settings: Settings, session: Session, *, interactive: bool,
                                     parent: QWidget | None = None) -> Session | None:
    """A session signed in with a temporary password: the operator sets their own (typed twice) before the
    window opens, and is signed in again with it (on PostgreSQL the connections then use the new one).
    Not interactive (``auth.user`` with SHIHOU_PASSWORD, screenshots): a warning only. None: they gave up."""
    if not session.must_change_password:
        return session
    name = session.operator.username
    if not interactive:
        log.warning("%s signed in with a temporary password: it must be changed at the next interactive sign-in",
                    name)
        return session
    from sqlalchemy.pool import NullPool

    from console.db.engine import make_engine
    from console.services.audit import AuditService
    from console.services.auth import AuthService
    from console.services.operators import OperatorService
    from console.views.operator_dialogs import NewPasswordDialog

    engine = make_engine(session.db_url.reveal(), poolclass=NullPool)
    operators = OperatorService(engine, AuditService(engine, session.operator))

    async def change(password: str) -> Session:
        await operators.change_own_password(password)
        return await AuthService(settings.db_url).sign_in(name, password)

    dialog = NewPasswordDialog(name, change, parent)
    try:
        if await _await_dialog(dialog) != NewPasswordDialog.DialogCode.Accepted:
            return None
    finally:
        await engine.dispose()
    log.info("%s replaced a temporary password", name)
    return dialog.result_value  # type: ignore[no-any-return]


async def sign_in_and_settle(settings: Settings, auth: AuthService, *, screenshot: bool,
                             parent: QWidget | None = None, ask: bool = False) -> Session | None:
    """:func:`sign_in`, then :func:`replace_temporary_password` when the password was a temporary one."""
    session = await sign_in(settings, auth, screenshot=screenshot, parent=parent, ask=ask)
    if session is None:
        return None
    unattended = screenshot or (not ask and bool(settings["auth.user"]) and bool(_env_password(settings)))
    return await replace_temporary_password(settings, session, interactive=not unattended, parent=parent)


def _tr(text: str) -> str:
    return QCoreApplication.translate("app", text)


async def run(settings: Settings, *, screenshot: Path | None = None, pane: str | None = None) -> int:
    """The console from start to close; returns the exit code.

    The window is shown first, with a status line; the database, the sign-in and the services
    (and their imports) come after, so the first frame does not wait for them.
    """
    window = MainWindow()
    state = ui_settings()
    if screenshot is None:
        window.restore_layout(state)
    window.show()
    await asyncio.sleep(0)  # the first frame
    # The rest of the code loads in a worker thread: the window keeps answering meanwhile.
    await asyncio.to_thread(_preload, _CORE_MODULES)
    views = asyncio.ensure_future(asyncio.to_thread(_preload, _VIEW_MODULES))
    try:
        code = await _start(settings, window, state, screenshot, pane, views)
    finally:
        views.cancel()
    window.close()
    return code


_CORE_MODULES = ("sqlalchemy", "console.db.engine", "console.services.auth", "console.views.login")
_VIEW_MODULES = ("console.services", "console.views.user_lookup", "console.views.room_monitor",
                 "console.views.audit", "console.views.action_queue", "console.views.wall", "console.views.chat",
                 "console.views.push", "console.views.sms", "console.views.operators", "console.views.session_lock")


def _preload(names: tuple[str, ...]) -> None:
    """Import ``names`` (in a worker thread: Python's per-module import locks make this safe)."""
    import importlib

    for name in names:
        importlib.import_module(name)


async def _start(settings: Settings, window: MainWindow, state: QSettings, screenshot: Path | None,
                 pane: str | None, views: asyncio.Future[None]) -> int:
    from console.db.engine import is_sqlite, open_database
    from console.services.auth import AuthService

    if settings.sandbox:
        window.set_starting(_tr("正在准备训练沙箱的数据库…"))
        try:
            await prepare_sandbox(settings)
        except ConsoleError as e:
            return await _fail(describe(e), screenshot, window)
    if is_sqlite(settings.db_url):  # PostgreSQL is opened by the sign-in itself, as the operator
        window.set_starting(_tr("正在打开数据库…"))
        try:
            await (await open_database(settings.db_url)).dispose()
        except ConsoleError as e:
            return await _fail(describe(e), screenshot, window)
    window.set_starting(_tr("正在登录…"))
    auth = AuthService(settings.db_url)
    try:
        session = await sign_in_and_settle(settings, auth, screenshot=screenshot is not None, parent=window)
    except ConsoleError as e:
        return await _fail(describe(e), screenshot, window)
    while session is not None:
        await views
        code = await _run_window(settings, session, window, state, screenshot, pane)
        if code != SIGNED_OUT:
            return code
        # signed out: the same window asks who signs in next
        try:
            session = await sign_in_and_settle(settings, auth, screenshot=False, parent=window, ask=True)
        except ConsoleError as e:
            return await _fail(describe(e), screenshot, window)
    return 0


#: :func:`_run_window`'s result when the operator signed out (the window stays for the next one).
SIGNED_OUT = -1


async def _run_window(settings: Settings, session: Session, window: MainWindow, state: QSettings,
                      screenshot: Path | None, pane: str | None) -> int:
    from console.services import build_services

    window.set_starting(_tr("正在连接服务…"))
    try:
        # Providers are connected now for real accounts (no I/O); the sandbox starts its servers
        # after the window is shown, so the first screen does not wait for nginx and the publishers.
        services = await build_services(settings, session.operator, connect_providers=not settings.sandbox,
                                        session=session)
    except ConsoleError as e:
        return await _fail(describe(e), screenshot, window)
    sandbox_box: list[asyncio.Task[Any]] = []
    try:
        return await _show(settings, services, window, state, screenshot, pane, sandbox_box)
    finally:
        for task in sandbox_box:  # a sandbox still starting is let finish, then stopped in order
            try:
                sb = await task
            except Exception:  # noqa: BLE001 - already logged by its done callback
                continue
            await sb.aclose()


@dataclass
class _EngineStop:
    engine: Any

    async def stop(self) -> None:
        await self.engine.dispose()


async def _start_sandbox(settings: Settings, services: Services, window: MainWindow) -> Any:
    """The sandbox's servers, after the window is shown; then its providers join the console."""
    from console.sandbox.runtime import start_sandbox

    engine = services.engine
    if not services.engine.dialect.name == "sqlite":
        # The platform's side (chat routing, seeded templates and devices) writes as the database's owner, as
        # the platform's backend does; the console itself runs as the operator's own login.
        from console.db.engine import make_engine

        engine = make_engine(settings.db_url, pool_size=2)
    sandbox = await start_sandbox(engine, publishers=int(settings["sandbox.streams"]))
    if engine is not services.engine:
        sandbox.extra.insert(0, _EngineStop(engine))  # stopped last, after the servers that use it
    live = settings.replace(**{k.replace(".", "__"): v for k, v in sandbox.settings.items()})
    services.connect_providers(live, sandbox.credentials)
    window.credentials = sandbox.credentials  # 账号与密钥 shows the sandbox's own accounts
    pane = window.panes.get("rooms")
    if pane is not None:
        pane.refresh()  # type: ignore[attr-defined]
    await services.actions.recover()  # every kind this operator may run (chat rows need RongCloud, now here)
    if services.operator.can(Permission.SEND_PUSH) and services.push.connected:
        await services.push.resume()
    if services.operator.can(Permission.SEND_SMS) and services.sms.gateway is not None:
        await services.sms.run_due()   # SMS campaigns approved or interrupted, now outside quiet hours
    if engine is not services.engine:   # PostgreSQL: one worker does the duties, as it would for a team
        from console.sandbox.worker import start_sandbox_worker

        sandbox.extra.append(await start_sandbox_worker(engine, settings.db_url, sandbox.settings,
                                                        sandbox.credentials))
    services.start_duties()   # SQLite: retries, campaigns, reverts, reports in-process (no worker)
    return sandbox


async def _show(settings: Settings, services: Services, window: MainWindow, state: QSettings,
                screenshot: Path | None, pane: str | None, sandbox_box: list[Any]) -> int:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    operator = services.operator
    if not settings.sandbox:
        # actions left pending by a crash complete now, exactly once (in the background)
        recovering = asyncio.ensure_future(services.actions.recover())
        recovering.add_done_callback(_log_failure)
        if operator.can(Permission.SEND_PUSH) and services.push.connected:
            resuming = asyncio.ensure_future(services.push.resume())
            resuming.add_done_callback(_log_failure)
        if operator.can(Permission.SEND_SMS) and services.sms.gateway is not None:
            sending = asyncio.ensure_future(services.sms.run_due())
            sending.add_done_callback(_log_failure)
        if screenshot is None:
            services.start_duties()   # SQLite: the worker's duties in-process; PostgreSQL: the worker
    window.attach(services)
    if screenshot is None:
        window.restore_panes(state)
    if settings.sandbox:
        task = asyncio.ensure_future(_start_sandbox(settings, services, window))
        task.add_done_callback(_log_failure)
        sandbox_box.append(task)
    if screenshot is not None:
        try:
            return await _screenshot(window, pane or "lookup", screenshot)
        finally:
            window.close()
            await services.aclose()
    # start-up objects leave the collector's sight once the first panes have loaded (console.heap)
    settle = asyncio.get_running_loop().call_later(SETTLE_AFTER_S, settle_heap)
    loop = asyncio.get_running_loop()
    closed: asyncio.Future[None] = loop.create_future()
    signed_out: asyncio.Future[None] = loop.create_future()

    def on_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    def on_sign_out() -> None:
        if not signed_out.done():
            signed_out.set_result(None)

    qapp.lastWindowClosed.connect(on_closed)
    window.sign_out_requested.connect(on_sign_out)
    try:
        if window.isVisible():
            await asyncio.wait([closed, signed_out], return_when=asyncio.FIRST_COMPLETED)
    finally:
        qapp.lastWindowClosed.disconnect(on_closed)
        window.sign_out_requested.disconnect(on_sign_out)
    settle.cancel()
    window.save_layout(state)
    state.sync()
    if signed_out.done() and not closed.done():
        log.info("%s signed out", operator.username)
        window.detach(_tr("已退出登录"))
        await window.settle()
        await services.aclose()
        return SIGNED_OUT
    await window.settle()
    await services.aclose()
    return 0


async def _fail(text: str, screenshot: Path | None, window: MainWindow | None = None) -> int:
    log.error("%s", text)
    print(text, file=sys.stderr)
    if window is not None:
        window.set_starting(text)
    if screenshot is None:
        await show_fatal(text)
    return 1


def _log_failure(f: asyncio.Future[Any]) -> None:
    if not f.cancelled() and f.exception() is not None:
        log.error("background start-up step failed", exc_info=f.exception())


async def _rooms_ready(pane: Any) -> None:
    """The monitor shows live rooms, a cut one and (within 25 s) an alerted one."""
    pane.timer.setInterval(500)
    async with asyncio.timeout(40):
        while True:
            rows = pane.model.rows
            live = [r for r in rows if r.state == "live" and r.health is not None and r.health.video_kbps > 0]
            if live and any(r.state == "cut" for r in rows) and any(r.alerts for r in rows):
                break
            await asyncio.sleep(0.25)
    pane.table.selectRow(1)
    # thumbnails of the rows on screen (screenshots come every few seconds) and nginx's bandwidth figures
    # (it averages over a few seconds, so a stream's first stat reads 0 kbps): up to 15 s more
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while loop.time() < deadline:
        top = [r for r in pane.model.rows[:12] if r.state == "live"]
        if top and all(pane.thumbs.get(r) is not None and r.health is not None and r.health.video_kbps > 0
                       for r in top):
            break
        await asyncio.sleep(0.25)
    await asyncio.sleep(0.6)


async def _screenshot(window: MainWindow, pane_name: str, path: Path) -> int:
    assert window.services is not None
    if pane_name not in window.panes:
        print(f"pane {pane_name!r} is not available to {window.services.operator.role} "
              f"(available: {', '.join(window.panes)})", file=sys.stderr)
        return 2
    pane: Any = window.show_pane(pane_name)
    failed: list[BaseException] = []
    pane.tasks.failed.connect(failed.append)
    if pane_name == "lookup":
        load = asyncio.ensure_future(pane.load_showcase())
    elif pane_name == "rooms":
        load = asyncio.ensure_future(_rooms_ready(pane))
    elif pane_name in ("preview", "chat", "push", "sms", "operators"):
        load = asyncio.ensure_future(pane.load_showcase())
    else:
        loaded: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        pane.loaded.connect(lambda: None if loaded.done() else loaded.set_result(None))
        pane.refresh()
        load = asyncio.ensure_future(loaded)
    try:
        async with asyncio.timeout(60):
            while not load.done():
                if failed:
                    load.cancel()
                    raise failed[0]
                await asyncio.sleep(0.05)
            load.result()
    except (Exception, TimeoutError) as e:  # noqa: BLE001 - reported, exit non-zero
        print(f"pane {pane_name} failed to load: {describe(e)}", file=sys.stderr)
        return 1
    await asyncio.sleep(0.3)  # let layouts settle
    await asyncio.sleep(0.05)  # never processEvents() inside a coroutine: qasync would re-enter tasks
    path.parent.mkdir(parents=True, exist_ok=True)
    # the wall's players draw in native windows that grab() does not see: the wall composes its own picture
    shot = pane.screenshot() if pane_name == "preview" else window.grab()
    ok = shot.save(str(path), "PNG")
    if not ok:
        print(f"could not write {path}", file=sys.stderr)
        return 1
    print(f"saved {path}")
    QTimer.singleShot(0, window.close)
    return 0
