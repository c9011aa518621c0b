"""The procrastinate app and its tasks: each a thin wrapper of a :class:`console.services.jobs.Duties` method.

* One queue per task (``shihou.<task>``): a worker listens to the queues of the tasks it registered, so a job
  kind that only a newer worker knows stays queued for it instead of failing in an older one.
* ``queueing_lock``: at most one waiting job per action and per periodic duty; ``lock``: a duty runs in one
  worker at a time. Periodic tasks are deferred once per tick across all workers (procrastinate's
  ``procrastinate_periodic_defers``), so any number of workers share the work and each job runs once.
* Actions: the sweep (every 5 s) defers one ``shihou.action`` job per due action; a job whose attempt left the
  action pending defers the next one at its ``next_try_at`` (the backoff the action queue shows).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import procrastinate
from procrastinate import RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued

from console.services.jobs import Duties

log = logging.getLogger(__name__)

QUEUE_PREFIX = "shihou."
#: Task name -> cron (seconds first: procrastinate accepts 6 fields).
PERIODIC = {
    "sweep_actions": "*/5 * * * * *",
    "campaigns": "*/15 * * * * *",
    "reverts": "*/5 * * * * *",
    "session_gags": "*/30 * * * * *",
    "reports": "0 * * * * *",
    "mail_alerts": "30 * * * * *",
    "mail_digest": "10 16 * * *",   # 00:10 China time: yesterday's digest
}


class JobPayloadError(ValueError):
    """A job's arguments no longer parse: it fails at once with this reason (never retried)."""


def queue_of(task: str) -> str:
    return QUEUE_PREFIX + task


@dataclass
class WorkerTasks:
    app: procrastinate.App
    duties: Duties
    mailer: Any = None
    names: list[str] = field(default_factory=list)

    @property
    def queues(self) -> list[str]:
        return [queue_of(n) for n in self.names]


def _action_id(args: dict[str, Any]) -> int:
    v = args.get("action_id")
    if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
        raise JobPayloadError(f"action job payload does not parse: action_id={v!r} (expected a positive integer)")
    return v


def build_tasks(connector: Any, duties: Duties, *, mailer: Any = None, only: set[str] | None = None,
                retry_wait_s: int = 2) -> WorkerTasks:
    """The app with every task this worker knows (``only``: a subset, e.g. an older worker in tests)."""
    app = procrastinate.App(connector=connector)
    wt = WorkerTasks(app=app, duties=duties, mailer=mailer)
    retry = RetryStrategy(max_attempts=5, exponential_wait=retry_wait_s, retry_exceptions={ConnectionError, OSError})

    def want(name: str) -> bool:
        return only is None or name in only

    def task(name: str, **kw: Any) -> Callable[[Any], Any]:
        wt.names.append(name)
        return app.task(name=f"shihou.{name}", queue=queue_of(name), **kw)

    async def defer_action(action_id: int, at: datetime | None = None) -> bool:
        try:
            await app.configure_task("shihou.action", queue=queue_of("action"), queueing_lock=f"action:{action_id}",
                                     schedule_at=at).defer_async(action_id=action_id)
            return True
        except AlreadyEnqueued:
            return False

    if want("action"):
        @task("action", retry=retry, pass_context=False)
        async def action(**kwargs: Any) -> str:
            action_id = _action_id(kwargs)
            rec = await duties.run_action(action_id)
            if rec is not None and rec.state == "pending":
                nxt = await duties.next_try(action_id)
                if nxt is not None:
                    await defer_action(action_id, nxt)
                return f"pending, next try {nxt}"
            return rec.state if rec is not None else "stays pending"

    if want("sweep_actions"):
        @app.periodic(cron=PERIODIC["sweep_actions"], periodic_id="sweep")
        @task("sweep_actions", queueing_lock="sweep_actions", lock="sweep_actions")
        async def sweep_actions(timestamp: int) -> int:
            n = 0
            for action_id in await duties.due_actions():
                n += await defer_action(action_id)
            return n

    def periodic(name: str, fn: Callable[[], Any], lock: str | None = None) -> None:
        if not want(name):
            return

        async def run(timestamp: int) -> str:
            return repr(await fn())

        run.__name__ = name
        app.periodic(cron=PERIODIC[name], periodic_id=name)(task(name, queueing_lock=name, lock=lock or name)(run))

    periodic("campaigns", duties.campaigns)
    periodic("reverts", duties.reverts)
    periodic("session_gags", duties.session_gags)
    periodic("reports", duties.reports)
    if mailer is not None and Duties.mail_available():
        periodic("mail_alerts", lambda: duties.mail_alerts(mailer), lock="mail")   # never two mails at once
        periodic("mail_digest", lambda: duties.mail_digest(mailer), lock="mail")
    return wt
