"""Async services (no Qt): the shared database, the providers, the actions.

``build_services(settings, operator)`` wires them for one signed-in operator.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from console.credentials import ANTILEECH, CredentialStore, KeyringStore, providers_for, require
from console.db.engine import make_engine, redact_url
from console.domain import Operator
from console.services.actions import ActionService
from console.services.audit import AuditService
from console.services.auth import AuthService, Session
from console.services.cdn import WangsuCdn
from console.services.chat.feed import ChatService
from console.services.chat.moderation import CHAT_KINDS, ChatActionHandler, ChatModeration
from console.services.chat.reader import ChatReader
from console.services.chat.rongcloud import connect as rongcloud_connect
from console.services.events import EventHub
from console.services.http import make_client
from console.services.jobs import Duties, LocalRunner
from console.services.monitor import RoomMonitor
from console.services.operators import OperatorService
from console.services.push.campaigns import PushConfig, PushService
from console.services.push.jpush import client_from_settings as jpush_from_settings
from console.services.rooms import RoomService
from console.services.sms.gateway import gateway_from_settings
from console.services.sms.service import SmsService
from console.services.users import UserService
from console.services.video.base import VideoProvider
from console.services.video.kingsoft import KingsoftVideo
from console.services.video.nginx_rtmp import NginxRtmpVideo
from console.settings import Settings

__all__ = ["ActionService", "AuditService", "AuthService", "EventHub", "OperatorService", "RoomMonitor", "RoomService",
           "Services", "Session", "UserService", "WangsuCdn", "build_services", "video_providers"]


def pg_role_for(operator: Operator) -> str:
    return f"shihou_{operator.role}"


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    operator: Operator
    audit: AuditService
    users: UserService
    events: EventHub
    rooms: RoomService
    monitor: RoomMonitor
    actions: ActionService
    clients: list[httpx.AsyncClient]
    sms: SmsService
    push: PushService
    chat: ChatService
    moderation: ChatModeration
    chat_handler: ChatActionHandler
    chat_reader: ChatReader
    operators: OperatorService
    closers: list[Any] = field(default_factory=list)  # provider clients with ``async aclose()``
    duties: LocalRunner | None = None  # SQLite: the background duties, in-process (console/services/jobs.py)

    def start_duties(self) -> LocalRunner | None:
        """On SQLite (one machine, no worker) run the worker's duties in this process, as this operator (each
        duty only where the role may); on PostgreSQL the worker does them. Call once the providers are
        connected: an action attempted without its provider counts an attempt."""
        if self.engine.dialect.name != "sqlite" or self.duties is not None:
            return self.duties
        self.duties = LocalRunner(Duties(self))
        self.duties.start()
        return self.duties

    @property
    def db_label(self) -> str:
        return redact_url(self.settings.db_url)

    def connect_providers(self, settings: Settings, credentials: CredentialStore | None = None) -> None:
        """Create the providers that ``settings`` name *and the operator's role uses*
        (:func:`console.credentials.providers_for`: support only SMS, moderators video, the CDN and chat,
        operators push and SMS, admins all) and hand them to the services. A provider the role does not
        use is not created and its secret is never read. No I/O but the keyring: can run before or after
        the window is shown (the sandbox does it after).

        Raises:
            MissingCredentials: a secret of a provider this role uses is not in the store.
            KeyringUnavailable: the keyring is locked or missing.
        """
        store = credentials or KeyringStore()
        uses = providers_for(self.operator)
        providers, clients = video_providers(settings, store, only=uses)
        self.clients.extend(clients)
        on_cut = None
        kls = next((p for p in providers.values() if isinstance(p, KingsoftVideo)), None)
        if "wangsu" in uses and settings["wangsu.url"] and kls is not None:
            account = str(settings["wangsu.account"])
            api_key = require(store, "wangsu", account)
            cdn_client = make_client(str(settings["wangsu.url"]), timeout=10)
            self.clients.append(cdn_client)
            cdn = WangsuCdn(cdn_client, account=account, api_key=api_key)

            async def purge_playlists(stream: str, kls: KingsoftVideo = kls) -> None:
                """A cut purges the room's playlist URLs, so edge caches stop serving the last segments."""
                await cdn.purge(kls.playlist_urls(stream))

            on_cut = purge_playlists
        self.monitor.set_providers(list(providers.values()))
        self.actions.set_providers(providers, on_cut=on_cut)
        if "sms" in uses:
            gateway = gateway_from_settings(settings, store)
            if gateway is not None:
                self.sms.set_gateway(gateway, code_key=require(store, "sms", str(settings["sms.access_key_id"])))
                self.closers.append(gateway)
        if "jpush" in uses:
            jpush = jpush_from_settings(settings, store, quotas={"push": int(settings["push.quota_per_min"])})
            if jpush is not None:
                self.push.set_client(jpush)
                self.closers.append(jpush)
        if "rongcloud" in uses and settings["rongcloud.url"]:
            key = str(settings["rongcloud.app_key"])
            rc = rongcloud_connect(str(settings["rongcloud.url"]), backup_url=str(settings["rongcloud.backup_url"]),
                                   app_key=key, secret=require(store, "rongcloud", key))
            self.chat_handler.set_client(rc)
            self.closers.append(rc)

    async def aclose(self) -> None:
        if self.duties is not None:
            await self.duties.stop()
        await self.actions.drain()  # provider calls in flight finish; pending rows stay durable
        await self.push.drain()  # campaign runners stop; their plans stay durable for resume()
        await self.events.aclose()
        await self.users.aclose()
        for c in self.clients:
            await c.aclose()
        for closer in self.closers:
            await closer.aclose()
        await self.chat_reader.aclose()
        await self.engine.dispose()


def video_providers(settings: Settings, credentials: CredentialStore | None = None, *,
                    only: Collection[str] | None = None) -> tuple[dict[str, VideoProvider], list[httpx.AsyncClient]]:
    """The video providers the settings name (the sandbox fills them in for its own servers), limited to
    the provider ids in ``only`` (None: all). With ``kingsoft.antileech_account`` set, Kingsoft play URLs
    are signed with the anti-leech key from the store (``kingsoft-antileech/<account>``).

    Raises:
        MissingCredentials: a provider is configured but its secret is not in the store.
        KeyringUnavailable: the keyring is locked or missing.
    """
    providers: dict[str, VideoProvider] = {}
    clients: list[httpx.AsyncClient] = []
    store = credentials or KeyringStore()
    if settings["kingsoft.url"] and (only is None or "kingsoft" in only):
        ak = str(settings["kingsoft.access_key"])
        secret = require(store, "kingsoft", ak)
        leech_account = str(settings["kingsoft.antileech_account"]).strip()
        leech = require(store, ANTILEECH, leech_account) if leech_account else None
        client = make_client(str(settings["kingsoft.url"]), timeout=10)
        clients.append(client)
        kls = KingsoftVideo(
            client, unique_name=settings["kingsoft.unique_name"], app=settings["kingsoft.app"],
            pubdomain=settings["kingsoft.pubdomain"], access_key=ak, secret=secret,
            play_domain=settings["kingsoft.play_domain"], antileech_secret=leech,
            play_scheme="http" if settings["kingsoft.play_scheme"] == "http" else "https")
        providers[kls.name] = kls
    if settings["nginx.stat_url"] and (only is None or "nginx" in only):
        client = make_client(str(settings["nginx.stat_url"]).rsplit("/", 1)[0], timeout=5)
        clients.append(client)
        nginx = NginxRtmpVideo(
            client, stat_url=settings["nginx.stat_url"], control_url=settings["nginx.control_url"],
            rtmp_base=settings["nginx.rtmp_base"], hls_base=settings["nginx.hls_base"],
            shots_base=settings["nginx.shots_base"] or None)
        providers[nginx.name] = nginx
    return providers, clients


async def build_services(settings: Settings, operator: Operator, *, start_events: bool = True,
                         credentials: CredentialStore | None = None, connect_providers: bool = True,
                         session: Session | None = None) -> Services:
    """Services for one operator.

    ``session`` (from :class:`AuthService`): on PostgreSQL every connection is the operator's own login, so
    the database enforces their role. Without it (tools, tests, benchmarks connecting as the table owner)
    each connection switches to the operator's group role. At most ``database.pool_size`` connections
    (the event listener holds one), plus one in the chat reader process: 4 in all by default.
    """
    url = session.db_url.reveal() if session is not None else settings.db_url
    pool = int(settings["database.pool_size"])
    if url.startswith("postgresql"):
        engine = make_engine(url, pg_role=None if session is not None else pg_role_for(operator), pool_size=pool,
                             max_overflow=0)
    else:
        engine = make_engine(url, pool_size=pool)
    audit = AuditService(engine, operator)
    users = UserService(engine, audit)
    events = EventHub(engine, poll_interval=int(settings["events.poll_ms"]) / 1000)
    rooms = RoomService(engine, audit)
    monitor = RoomMonitor([], rooms)
    actions = ActionService(engine, audit, {})
    # every handler is registered before recover() runs: pending actions of each kind complete
    sms = SmsService(engine, audit, None, actions, code_template=str(settings["sms.code_template"]))
    push = PushService(engine, audit, actions, None, config=PushConfig.from_settings(settings))
    chat_handler = ChatActionHandler(None, system_sender=str(settings["rongcloud.system_user"]))
    actions.register(CHAT_KINDS, chat_handler)
    chat = ChatService(engine, audit, new_account_hours=int(settings["chat.new_account_hours"]),
                       repeat_window_s=float(settings["chat.repeat_window_s"]),
                       repeat_count=int(settings["chat.repeat_count"]))
    reader = ChatReader(chat, engine, spawn=bool(settings["chat.reader_process"]),
                        pg_role=pg_role_for(operator) if url.startswith("postgresql") and session is None else None)
    moderation = ChatModeration(actions, engine, session_gag_minutes=int(settings["chat.session_gag_minutes"]),
                                word_quota=int(settings["chat.word_quota"]),
                                concurrency=int(settings["chat.bulk_concurrency"]), audit=audit)
    services = Services(settings=settings, engine=engine, operator=operator, audit=audit, users=users,
                        events=events, rooms=rooms, monitor=monitor, actions=actions, clients=[], sms=sms,
                        push=push, chat=chat, moderation=moderation, chat_handler=chat_handler,
                        chat_reader=reader, operators=OperatorService(engine, audit))
    if connect_providers:
        services.connect_providers(settings, credentials)
    if start_events:
        await events.start()
    return services
