"""The sandbox's SMTP server (aiosmtpd) on 127.0.0.1: where alerts and digests go in training and tests.

* It requires AUTH (PLAIN or LOGIN, on the plain connection: it only listens on loopback) with its one
  account: a wrong password is answered ``535``, a MAIL FROM without sign-in ``530``.
* ``refuse`` holds recipients it answers ``550`` (a refused recipient); ``defer_next`` answers the next
  MAIL FROM ``451`` (a temporary refusal).
* It keeps what it receives, in memory (:attr:`SandboxSmtp.messages`) and, when ``folder`` is given, as
  ``.eml`` files there (``00001-<subject>.eml``)::

    smtp = SandboxSmtp(folder=tmp / "mail")
    await smtp.start()                 # 127.0.0.1 and a free port
    settings.update(smtp.settings())   # mail.smtp_host, mail.smtp_port, mail.security=plain, mail.account …
    credentials.set("smtp", smtp.account, smtp.password)
    ...
    smtp.last("每日审核摘要")             # the last digest it received
    await smtp.stop()
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

__all__ = ["SANDBOX_ACCOUNT", "SANDBOX_PASSWORD", "KeptMail", "SandboxSmtp"]

SANDBOX_ACCOUNT = "alerts@sandbox.shihou.local"
SANDBOX_PASSWORD = "sandbox-smtp-secret"
ON_CALL = ("oncall@sandbox.shihou.local",)
DIGEST_TO = ("moderation-leads@sandbox.shihou.local",)

log = logging.getLogger(__name__)


class _QuietDeprecation(logging.Filter):
    """aiosmtpd warns about its own ``Session.login_data`` on every sign-in; nothing for us to act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "login_data is deprecated" not in record.getMessage()


@dataclass(frozen=True, slots=True)
class KeptMail:
    """One mail the server accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    received_at: datetime
    path: Path | None = None

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def part(self, subtype: str = "plain") -> str:
        """The text/plain (or text/html) part."""
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if isinstance(body, EmailMessage) else ""


@dataclass
class SandboxSmtp:
    account: str = SANDBOX_ACCOUNT
    password: str = SANDBOX_PASSWORD
    folder: Path | None = None
    refuse: set[str] = field(default_factory=set)
    defer_next: bool = False
    messages: list[KeptMail] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0
    sign_ins: int = 0
    refused_sign_ins: int = 0
    _server: asyncio.Server | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on ``host:port`` (0: a free port); returns the port."""
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
        logging.getLogger("mail.log").addFilter(_QuietDeprecation())
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(self, hostname="sandbox.shihou.local", authenticator=self._authenticate,
                         auth_require_tls=False, loop=loop), host, port)
        self.host, self.port = host, int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def settings(self) -> dict[str, Any]:
        """What the console and the worker need to mail through this server."""
        return {"mail.smtp_host": self.host, "mail.smtp_port": self.port, "mail.security": "plain",
                "mail.account": self.account, "mail.from": self.account, "mail.on_call": ON_CALL,
                "mail.digest_to": DIGEST_TO}

    def last(self, subject_contains: str = "") -> KeptMail | None:
        """The newest mail whose subject contains the text."""
        return next((m for m in reversed(self.messages) if subject_contains in m.subject), None)

    # --- aiosmtpd -----------------------------------------------------------------------------------

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode("utf-8", "replace") == self.account
              and auth_data.password.decode("utf-8", "replace") == self.password)
        if ok:
            self.sign_ins += 1
        else:
            self.refused_sign_ins += 1
        return AuthResult(success=ok, handled=False)

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str,  # noqa: N802
                          mail_options: list[str]) -> str:
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        if self.defer_next:
            self.defer_next = False
            return "451 4.3.0 Try again later (sandbox)"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if address.lower() in {r.lower() for r in self.refuse}:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw or "").encode("utf-8")
        msg = BytesParser(policy=policy.default).parsebytes(data)
        assert isinstance(msg, EmailMessage)
        path = None
        if self.folder is not None:
            stem = re.sub(r"[^\w\-]+", "_", str(msg["Subject"] or "mail"))[:60]
            path = self.folder / f"{len(self.messages) + 1:05d}-{stem}.eml"
            await asyncio.to_thread(path.write_bytes, data)
        self.messages.append(KeptMail(str(envelope.mail_from or ""), tuple(envelope.rcpt_tos), msg,
                                      datetime.now(UTC), path))
        log.info("sandbox smtp: kept %r for %s", msg["Subject"], ", ".join(envelope.rcpt_tos))
        return "250 2.0.0 Message accepted"

