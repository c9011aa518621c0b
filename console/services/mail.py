"""Mail: alerts to the on-call addresses and the daily moderation digest, sent over SMTP with aiosmtplib. No Qt.

What the worker calls (on SQLite, the console's in-process jobs)::

    mailer = Mailer.from_settings(settings, store)          # None when mail.smtp_host is empty
    report = await send_alerts(engine, mailer, actor="shihou_worker")       # every minute or so
    result = await send_digest(engine, mailer, previous_china_day(), actor="shihou_worker")   # daily, after 00:00 CST
    stored = await last_digest(engine)                       # what the console opens

* Each alert is mailed once: an ``audit_log`` row (``kind='mail_alert'``, ``target='alert:<key>'``) is written
  after the server accepted the mail, in one transaction for the alerts of one mail. An alert whose mail
  failed has no row, so the next run finds it due again and sends it (nothing is lost; a crash between the
  server's answer and the commit sends it twice). The rules are in :mod:`console.services.mail_queries`.
* A digest is mailed once per China day (``kind='mail_digest'``, ``target='digest:YYYY-MM-DD'``); the row keeps
  its subject, recipients and plain text, which :func:`last_digest` returns.
* Failures are :class:`MailError` subclasses with a message a person can act on; ``retryable`` says whether
  running again later may succeed. A recipient refused while others were accepted is not an error: the mail
  is recorded as sent (outcome ``partial``) and :attr:`SendReport.refused` names who was refused.
* The HTML part is built only from escaped text (:func:`html.escape` of every value).
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import logging
import ssl
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import aiosmtplib
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from console.credentials import CredentialStore, Secret, require
from console.db.tables import audit_log
from console.errors import (
    ConsoleError,
    InvalidInput,
    ProviderAuthError,
    ProviderRejected,
    ProviderUnavailable,
)
from console.services.events import publish
from console.services.mail_queries import (
    ALERT_KIND,
    CHINA,
    DIGEST_KIND,
    DigestFigures,
    DueAlert,
    digest_figures,
    due_alerts,
)

__all__ = ["AlertReport", "DigestResult", "MailConfig", "MailDeferred", "MailError", "MailRecipientsRefused",
           "MailRejected", "MailSignInRefused", "MailUnreachable", "Mailer", "Section", "SendReport", "StoredDigest",
           "alert_message", "china_day", "digest_message", "digest_sections", "last_digest", "previous_china_day",
           "render_html", "render_text", "send_alerts", "send_digest"]

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"starttls": 587, "tls": 465, "plain": 25}
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


# --- errors ------------------------------------------------------------------------------------------

class MailError(ConsoleError):
    """Marker of the mail errors (each also a :class:`~console.errors.ProviderError` of provider ``smtp``)."""


class MailSignInRefused(ProviderAuthError, MailError):
    """The server refused the account or its password (or offers no sign-in on this connection). Not retryable."""

    def __init__(self, where: str, account: str, answer: str) -> None:
        self.account = account
        super().__init__("smtp", f"{where} refused the sign-in of {account!r} ({answer}). Check mail.account and "
                                 f"its password (python -m console.credentials set smtp {account}); the mail is "
                                 f"kept and sent at the next run once the sign-in works")


class MailRecipientsRefused(ProviderRejected, MailError):
    """The server refused recipients: all of them (raised), or some (``partial``: in :attr:`SendReport.error`)."""

    def __init__(self, where: str, refused: Mapping[str, str], *, total: int) -> None:
        self.refused = dict(refused)
        self.partial = len(refused) < total
        who = "; ".join(f"{a} ({why})" for a, why in refused.items())
        head = f"{len(refused)} of {total} recipient(s)" if self.partial else "every recipient"
        tail = ("the others received the mail" if self.partial
                else "nothing was sent; the mail is kept and sent at the next run")
        super().__init__("smtp", f"{where} refused {head}: {who}. Check mail.on_call / mail.digest_to; {tail}")


class MailUnreachable(ProviderUnavailable, MailError):
    """No connection, a timeout, a dropped connection or a failed TLS handshake. Retryable."""

    def __init__(self, where: str, cause: str) -> None:
        super().__init__("smtp", f"cannot reach {where}: {cause}. Check mail.smtp_host, "
                                 f"mail.smtp_port, mail.security and the network; the mail is kept and sent at "
                                 f"the next run")


class MailDeferred(ProviderUnavailable, MailError):
    """A temporary refusal (a 4xx answer: greylisting, a busy server). Retryable."""

    def __init__(self, where: str, answer: str) -> None:
        super().__init__("smtp", f"{where} deferred the mail ({answer}); it is kept and sent at the next run")


class MailRejected(ProviderRejected, MailError):
    """A permanent refusal of the sender or the message (a 5xx answer). Not retryable until settings change."""

    def __init__(self, where: str, what: str, answer: str) -> None:
        super().__init__("smtp", f"{where} refused {what} ({answer}). Check mail.from (many servers let an "
                                 f"account send only as its own address)")


# --- configuration -----------------------------------------------------------------------------------

def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class MailConfig:
    """The ``mail.*`` settings. ``sender``: ``mail.from`` (or the account when it is an address)."""

    host: str
    port: int
    security: str  # starttls | tls | plain
    account: str
    sender: str
    on_call: tuple[str, ...] = ()
    digest_to: tuple[str, ...] = ()
    alert_room_min: int = 10
    alert_approval_min: int = 30
    timeout_s: float = 20.0

    def __post_init__(self) -> None:
        if self.security not in _DEFAULT_PORTS:
            raise InvalidInput("mail.security", f"expected starttls, tls or plain, got {self.security!r}")
        if self.security == "plain" and not _is_loopback(self.host):
            raise InvalidInput("mail.security", f"plain sends the password and the mail unencrypted: only to a "
                                                f"server on this machine, not {self.host!r}; use starttls or tls")
        if "@" not in self.sender:
            raise InvalidInput("mail.from", "set the From address (mail.account is not an address)")

    @property
    def where(self) -> str:
        return f"the SMTP server {self.host}:{self.port} ({self.security})"

    @property
    def digest_recipients(self) -> tuple[str, ...]:
        return self.digest_to or self.on_call

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | Any) -> MailConfig | None:
        """None when ``mail.smtp_host`` is empty (mail is off).

        Raises:
            InvalidInput: ``plain`` to a server that is not on this machine, or no From address.
        """
        host = str(settings["mail.smtp_host"] or "").strip()
        if not host:
            return None
        security = str(settings["mail.security"])
        account = str(settings["mail.account"] or "").strip()
        return cls(host=host, port=int(settings["mail.smtp_port"]) or _DEFAULT_PORTS[security], security=security,
                   account=account, sender=str(settings["mail.from"] or "").strip() or account,
                   on_call=tuple(settings["mail.on_call"]), digest_to=tuple(settings["mail.digest_to"]),
                   alert_room_min=int(settings["mail.alert_room_min"]),
                   alert_approval_min=int(settings["mail.alert_approval_min"]))


# --- sending -----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SendReport:
    """What the server accepted. ``error``: the partial refusal, when some recipients were refused."""

    accepted: tuple[str, ...]
    refused: dict[str, str] = field(default_factory=dict)
    error: MailRecipientsRefused | None = None


def _answer(e: aiosmtplib.SMTPResponseException) -> str:
    return f"{e.code} {e.message}".strip()


class Mailer:
    """Sends one mail per :meth:`send` over a fresh SMTP connection (alerts and digests are rare)."""

    def __init__(self, config: MailConfig, password: Secret | None = None, *,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self._password = password
        self._tls = tls_context

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | Any, store: CredentialStore) -> Mailer | None:
        """None when mail is off. The password is read from ``store`` (keyring ``smtp/<mail.account>``).

        Raises:
            InvalidInput: See :meth:`MailConfig.from_settings`.
            MissingCredentials: ``mail.account`` is set and its password is not in the keyring.
            KeyringUnavailable: The keyring cannot be read.
        """
        config = MailConfig.from_settings(settings)
        if config is None:
            return None
        password = require(store, "smtp", config.account) if config.account else None
        return cls(config, password)

    def _client(self) -> aiosmtplib.SMTP:
        c = self.config
        return aiosmtplib.SMTP(hostname=c.host, port=c.port, use_tls=c.security == "tls",
                               start_tls=c.security == "starttls", timeout=c.timeout_s, tls_context=self._tls)

    async def _open(self, smtp: aiosmtplib.SMTP) -> None:
        c = self.config
        await smtp.connect()
        if c.account and self._password is not None:
            try:
                await smtp.login(c.account, self._password.reveal())
            except aiosmtplib.SMTPAuthenticationError as e:
                raise MailSignInRefused(c.where, c.account, _answer(e)) from None
            except aiosmtplib.SMTPException as e:
                if isinstance(e, aiosmtplib.SMTPResponseException | aiosmtplib.SMTPServerDisconnected):
                    raise
                raise MailSignInRefused(c.where, c.account, str(e)) from None

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[aiosmtplib.SMTP]:
        """A connected, signed-in client; SMTP and network failures become :class:`MailError`s."""
        smtp = self._client()
        try:
            await self._open(smtp)
            yield smtp
        except aiosmtplib.SMTPException as e:
            raise self._translate(e) from None
        except (OSError, ssl.SSLError, TimeoutError) as e:
            raise MailUnreachable(self.config.where, f"{type(e).__name__}: {e}") from None
        finally:
            smtp.close()

    async def check(self) -> str:
        """Connect, sign in and quit (no mail). Raises a :class:`MailError`."""
        async with self._session() as smtp:
            await smtp.quit()
        signed = f"signed in as {self.config.account!r}" if self.config.account else "no sign-in (mail.account empty)"
        return f"{self.config.where} answered; {signed}"

    async def send(self, msg: EmailMessage, to: Sequence[str]) -> SendReport:
        """Send ``msg`` to ``to`` (its own To header is left as composed).

        Raises:
            MailSignInRefused, MailUnreachable, MailDeferred, MailRejected, MailRecipientsRefused (all refused).
        """
        if not to:
            raise InvalidInput("mail.on_call", "no recipient: set mail.on_call (and mail.digest_to)")
        async with self._session() as smtp:
            errors, _ = await smtp.send_message(msg, sender=self.config.sender, recipients=list(to))
            try:
                await smtp.quit()
            except aiosmtplib.SMTPException:
                pass  # the mail was accepted
        refused = {addr: f"{r.code} {r.message}".strip() for addr, r in errors.items()}
        accepted = tuple(a for a in to if a not in refused)
        err = MailRecipientsRefused(self.config.where, refused, total=len(to)) if refused else None
        return SendReport(accepted, refused, err)

    def _translate(self, e: aiosmtplib.SMTPException) -> MailError:
        where = self.config.where
        if isinstance(e, aiosmtplib.SMTPRecipientsRefused):
            return MailRecipientsRefused(where, {r.recipient: _answer(r) for r in e.recipients},
                                         total=len(e.recipients))
        if isinstance(e, aiosmtplib.SMTPAuthenticationError):
            return MailSignInRefused(where, self.config.account, _answer(e))
        if isinstance(e, aiosmtplib.SMTPConnectError | aiosmtplib.SMTPTimeoutError | aiosmtplib.SMTPServerDisconnected):
            return MailUnreachable(where, f"{type(e).__name__}: {e}")
        if isinstance(e, aiosmtplib.SMTPResponseException):
            if 400 <= e.code < 500:
                return MailDeferred(where, _answer(e))
            what = (f"the sender {self.config.sender!r}" if isinstance(e, aiosmtplib.SMTPSenderRefused)
                    else "the mail")
            return MailRejected(where, what, _answer(e))
        return MailUnreachable(where, f"{type(e).__name__}: {e}")


# --- composing (plain text, and HTML made only of escaped text) --------------------------------------

@dataclass(frozen=True, slots=True)
class Section:
    """A titled table. Every value is text from the database (user text included): escaped in HTML."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "（无）"


def render_text(title: str, sections: Sequence[Section], *, footer: str = "") -> str:
    out = [title, "=" * 40, ""]
    for s in sections:
        out.append(f"■ {s.title}")
        if not s.rows:
            out.append(f"  {s.empty}")
        else:
            out.append("  " + " | ".join(s.columns))
            out.extend("  " + " | ".join(row) for row in s.rows)
        out.append("")
    if footer:
        out.append(footer)
    return "\n".join(out).rstrip() + "\n"


def render_html(title: str, sections: Sequence[Section], *, footer: str = "") -> str:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html><head><meta charset="utf-8"><title>' + e(title) + "</title></head>",
           '<body style="font-family:sans-serif">', "<h2>" + e(title) + "</h2>"]
    for s in sections:
        out.append("<h3>" + e(s.title) + "</h3>")
        if not s.rows:
            out.append("<p>" + e(s.empty) + "</p>")
            continue
        out.append('<table border="1" cellspacing="0" cellpadding="4">')
        out.append("<tr>" + "".join("<th>" + e(c) + "</th>" for c in s.columns) + "</tr>")
        out.extend("<tr>" + "".join("<td>" + e(v) + "</td>" for v in row) + "</tr>" for row in s.rows)
        out.append("</table>")
    if footer:
        out.append("<p>" + e(footer) + "</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _message(config: MailConfig, to: Sequence[str], subject: str, sections: Sequence[Section],
             footer: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = config.sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=config.sender.rsplit("@", 1)[-1] or None)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(render_text(subject, sections, footer=footer))
    msg.add_alternative(render_html(subject, sections, footer=footer), subtype="html")
    return msg


_ALERT_TITLES = {"room": "高风险直播间未处理", "action": "操作最终失败", "approval": "审批等待过久"}


def alert_message(config: MailConfig, alerts: Sequence[DueAlert]) -> EmailMessage:
    """One mail listing ``alerts`` (grouped by kind) for the on-call addresses."""
    sections = []
    for kind, title in _ALERT_TITLES.items():
        mine = [a for a in alerts if a.kind == kind]
        if mine:
            sections.append(Section(f"{title}（{len(mine)}）", tuple(k for k, _ in mine[0].fields),
                                    tuple(tuple(v for _, v in a.fields) for a in mine)))
    subject = (f"[狮吼告警] {alerts[0].title}" if len(alerts) == 1 else f"[狮吼告警] {len(alerts)} 条告警："
               + "、".join(f"{_ALERT_TITLES[k]}" for k in _ALERT_TITLES if any(a.kind == k for a in alerts)))
    footer = (f"规则：直播中且违规聊天超过 {config.alert_room_min} 分钟无处理；操作最终失败或被拒绝；审批等待超过 "
              f"{config.alert_approval_min} 分钟。每条告警只发送一次。")
    return _message(config, config.on_call, subject, sections, footer)


# --- alerts ------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AlertReport:
    """``sent``: keys mailed now; ``refused``: recipients refused while others received the mail."""

    sent: tuple[str, ...] = ()
    refused: dict[str, str] = field(default_factory=dict)
    error: MailRecipientsRefused | None = None


async def _record(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Audit rows of what was mailed, and one ``audit`` event for the consoles."""
    if rows:
        await conn.execute(audit_log.insert(), rows)
        await publish(conn, "audit", rows[0]["kind"])


def _audit_row(actor: str, role: str, kind: str, target: str, reason: str, after: dict[str, Any],
               report: SendReport) -> dict[str, Any]:
    return dict(at=datetime.now(UTC), actor=actor, role=role, kind=kind, target=target[:128], reason=reason[:500],
                before=None, after=after, outcome="partial" if report.refused else "ok",
                evidence={"refused": report.refused} if report.refused else None)


async def send_alerts(engine: AsyncEngine, mailer: Mailer, *, actor: str, role: str = "worker",
                      now: datetime | None = None, lookback: timedelta = timedelta(hours=24),
                      limit: int = 100) -> AlertReport:
    """Mail every due alert not mailed yet, in one mail to ``mail.on_call``, and record each as sent.

    ``actor`` is the audit actor (on PostgreSQL the database requires the signed-in login's name).

    Raises:
        MailError: Nothing was recorded: every alert of this run is due again at the next run.
        InvalidInput: ``mail.on_call`` is empty.
    """
    cfg = mailer.config
    now = now or datetime.now(UTC)
    async with engine.connect() as conn:
        alerts = await due_alerts(conn, now, room_min=cfg.alert_room_min, approval_min=cfg.alert_approval_min,
                                  lookback=lookback, limit=limit)
    if not alerts:
        return AlertReport()
    msg = alert_message(cfg, alerts)
    try:
        report = await mailer.send(msg, cfg.on_call)
    except MailError as e:
        log.warning("mail: %d alert(s) not sent, kept for the next run: %s", len(alerts), e)
        raise
    if report.error is not None:
        log.warning("mail: alerts sent, but %s", report.error)
    after = {"to": list(report.accepted), "subject": str(msg["Subject"]), "message_id": str(msg["Message-ID"])}
    async with engine.begin() as conn:
        await _record(conn, [_audit_row(actor, role, ALERT_KIND, f"alert:{a.key}", a.title, after, report)
                             for a in alerts])
    log.info("mail: %d alert(s) sent to %s", len(alerts), ", ".join(report.accepted))
    return AlertReport(tuple(a.key for a in alerts), report.refused, report.error)


# --- the daily digest --------------------------------------------------------------------------------

def china_day(at: datetime | None = None) -> date:
    """The China day (UTC+8) of ``at`` (now)."""
    return (at or datetime.now(UTC)).astimezone(CHINA).date()


def previous_china_day(at: datetime | None = None) -> date:
    """Yesterday in China: the day a digest sent after midnight China time covers."""
    return china_day(at) - timedelta(days=1)


_SANCTION_NAMES = {"cut": "断流", "gag": "禁言", "block": "封禁（房间）", "ban": "封禁（全站）"}


def digest_sections(f: DigestFigures) -> list[Section]:
    """The digest's tables, from the figures."""
    def k(kind: str) -> str:
        return _SANCTION_NAMES.get(kind, kind)

    return [
        Section("处罚合计", ("类型", "次数"), tuple((k(kind), str(n)) for kind, n in f.sanction_totals)),
        Section("处罚（按审核员与原因）", ("审核员", "类型", "原因", "次数"),
                tuple((who, k(kind), reason, str(n)) for who, kind, reason, n in f.sanctions)),
        Section("违规聊天最多的直播间", ("直播间", "标题", "主播", "违规消息", "发送人数"),
                tuple((f"#{key}", title or "-", nick or "-", str(n), str(senders))
                      for key, _rid, title, nick, n, senders in f.flagged_rooms)),
        Section("推送（当天创建，按状态）", ("状态", "条数"), tuple((st, str(n)) for st, n in f.pushes)),
        Section("推送送达（当天发出）", ("状态", "接收人", "已送达", "已点击"),
                tuple((st, str(n), str(rec), str(clk)) for st, n, rec, clk in f.push_delivery)),
        Section("短信（当天发出）", ("用途", "状态", "条数"), tuple((p, st, str(n)) for p, st, n in f.sms)),
        Section("最终失败的操作", ("操作", "状态", "次数"), tuple((kind, st, str(n)) for kind, st, n in f.failed_actions)),
    ]


def digest_message(config: MailConfig, f: DigestFigures) -> EmailMessage:
    subject = f"[狮吼] 每日审核摘要 {f.day.isoformat()}（北京时间）"
    return _message(config, config.digest_recipients, subject, digest_sections(f),
                    "统计区间：北京时间当日 00:00–24:00。违规聊天以融云审核结果（sensitive_type）为准。")


@dataclass(frozen=True, slots=True)
class DigestResult:
    day: date
    figures: DigestFigures
    text: str
    report: SendReport


async def send_digest(engine: AsyncEngine, mailer: Mailer, day: date, *, actor: str, role: str = "worker",
                      force: bool = False) -> DigestResult | None:
    """Mail the digest of ``day`` (a China day) to ``mail.digest_to`` unless it was mailed already
    (``force``: again). Returns None when it had been mailed.

    Raises:
        MailError: Nothing recorded; the next run sends it.
    """
    cfg = mailer.config
    target = f"digest:{day.isoformat()}"
    async with engine.connect() as conn:
        if not force and (await conn.execute(sa.select(audit_log.c.id).where(
                audit_log.c.kind == DIGEST_KIND, audit_log.c.target == target).limit(1))).first() is not None:
            return None
        figures = await digest_figures(conn, day)
    msg = digest_message(cfg, figures)
    text = render_text(str(msg["Subject"]), digest_sections(figures))
    try:
        report = await mailer.send(msg, cfg.digest_recipients)
    except MailError as e:
        log.warning("mail: the digest of %s was not sent, kept for the next run: %s", day, e)
        raise
    if report.error is not None:
        log.warning("mail: digest sent, but %s", report.error)
    async with engine.begin() as conn:
        await _record(conn, [_audit_row(actor, role, DIGEST_KIND, target, "daily moderation digest", {
            "day": day.isoformat(), "subject": str(msg["Subject"]), "to": list(report.accepted), "text": text},
            report)])
    return DigestResult(day, figures, text, report)


@dataclass(frozen=True, slots=True)
class StoredDigest:
    day: str
    subject: str
    text: str
    sent_at: datetime
    sent_by: str
    to: tuple[str, ...]


async def last_digest(engine: AsyncEngine) -> StoredDigest | None:
    """The last digest mailed (from the audit log), or None."""
    a = audit_log
    async with engine.connect() as conn:
        row = (await conn.execute(sa.select(a.c.at, a.c.actor, a.c.after).where(a.c.kind == DIGEST_KIND)
                                  .order_by(a.c.id.desc()).limit(1))).first()
    if row is None or not isinstance(row.after, dict):
        return None
    d = row.after
    return StoredDigest(day=str(d.get("day", "")), subject=str(d.get("subject", "")), text=str(d.get("text", "")),
                        sent_at=row.at, sent_by=row.actor, to=tuple(str(x) for x in d.get("to") or ()))
