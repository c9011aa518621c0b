"""The worker on PostgreSQL (migration 0007): procrastinate's schema, the worker's grants, and the rules that let
members of ``shihou_worker`` run queued actions in their requester's name.

* ``shihou_is_worker()``: the session user is a member of ``shihou_worker`` (a worker's own login role).
* The outbox guard: a row counts an attempt or completes when the session user's role may run its kind **or** the
  session user is a worker; either way its requester's *current* role must still run it (unchanged from 0005).
* The audit guard: the actor is still the session user (the worker's login); the role written is ``worker``.
* :data:`WORKER_NEEDS`: every table and function privilege the worker's jobs use. The migration grants exactly
  these, and ``python -m console.worker`` checks them at start (``has_table_privilege`` /
  ``has_function_privilege``), naming the first one missing.
"""

from __future__ import annotations

from console.db import sms_phones_ddl, team_ddl
from console.db.team_ddl import GROUPS, WORKER_ROLE

#: Actions a worker requests in its own name: a lockdown's revert when its time comes, a session gag lifted when
#: the room's stream session ends. Any worker may complete them (their requester is a worker, not an operator).
WORKER_REQUESTED_KINDS = ("chat_lockdown_revert", "chat_ungag")
_KINDS_SQL = ", ".join(f"'{k}'" for k in WORKER_REQUESTED_KINDS)

_USERS_NO_PHONE = "id, nickname, phone_masked, registered_at, channel, status, last_active_at"

#: (object, privilege, kind) the worker's jobs need: kind ``table`` (privilege as has_table_privilege takes it,
#: ``SELECT(col, …)`` for columns) or ``function``.
WORKER_NEEDS: list[tuple[str, str, str]] = [
    ("action_outbox", "SELECT", "table"), ("action_outbox", "UPDATE", "table"), ("action_outbox", "INSERT", "table"),
    ("audit_log", "INSERT", "table"), ("events", "INSERT", "table"), ("events", "SELECT", "table"),
    ("operators", "SELECT", "column:id,username,role,active"),
    ("rooms", "SELECT", "table"), ("rooms", "UPDATE", "column:state,updated_at"),
    ("sanctions", "SELECT", "table"), ("sanctions", "INSERT", "table"), ("sanctions", "UPDATE", "table"),
    ("worker_heartbeats", "INSERT", "table"), ("worker_heartbeats", "UPDATE", "table"),
    ("worker_heartbeats", "SELECT", "table"), ("worker_heartbeats", "DELETE", "table"),
    ("procrastinate_jobs", "SELECT", "table"), ("procrastinate_jobs", "INSERT", "table"),
    ("procrastinate_jobs", "UPDATE", "table"), ("procrastinate_jobs", "DELETE", "table"),
    ("procrastinate_workers", "INSERT", "table"), ("procrastinate_periodic_defers", "INSERT", "table"),
    ("chat_lockdowns", "UPDATE", "table"), ("chat_sanction_targets", "UPDATE", "table"), ("chat_words", "DELETE", "table"),
    ("chat_rooms", "UPDATE", "table"),
    ("push_campaigns", "UPDATE", "table"), ("push_campaign_stats", "INSERT", "table"),
    ("sms_campaigns", "UPDATE", "table"),
    ("shihou_sms_claim_batch(bigint, bigint, integer)", "EXECUTE", "function"),
    ("shihou_sms_receipt_batch(bigint, bigint, integer)", "EXECUTE", "function"),
    ("push_recipients", "SELECT", "column:push_id,status,received_at,clicked_at"),
    ("pushes", "SELECT", "column:id,state,created_at,sent_at"),
]

_CHAT = ("chat_rooms, chat_whitelist, chat_words, chat_regex_rules, chat_sanction_targets, chat_lockdown_presets, "
         "chat_lockdowns, chat_recalls")
_PUSH = "push_campaigns, push_batches, push_campaign_pushes, push_schedules, push_campaign_stats"
_PROCRASTINATE = "procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers, procrastinate_workers"

HEARTBEATS = """CREATE TABLE IF NOT EXISTS worker_heartbeats (
  name varchar(128) PRIMARY KEY, login varchar(64) NOT NULL, host varchar(128) NOT NULL, pid integer NOT NULL,
  started_at timestamptz NOT NULL, seen_at timestamptz NOT NULL, jobs_done bigint NOT NULL DEFAULT 0,
  jobs_failed bigint NOT NULL DEFAULT 0)"""

_FUNCTIONS = [
    """CREATE OR REPLACE FUNCTION shihou_is_worker() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT pg_has_role(session_user, 'shihou_worker', 'MEMBER')
         AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user AND rolsuper)
$$""",
    """CREATE OR REPLACE FUNCTION shihou_outbox_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE who text := session_user;
BEGIN
  IF shihou_is_trusted() THEN RETURN NEW; END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.requested_by IS DISTINCT FROM who THEN
      RAISE EXCEPTION 'action_outbox.requested_by is the signed-in operator (%), not %', who, NEW.requested_by
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT shihou_may_run(who, NEW.kind) AND NOT (shihou_is_worker() AND NEW.kind IN (%KINDS%)) THEN
      RAISE EXCEPTION 'operator % may not request actions of kind %', who, NEW.kind
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.state <> 'pending' THEN
      RAISE EXCEPTION 'a new action is pending' USING ERRCODE = 'check_violation';
    END IF;
    NEW.role := coalesce(shihou_role_of(who), 'worker');
    RETURN NEW;
  END IF;
  IF (NEW.idempotency_key, NEW.kind, NEW.target, NEW.requested_by, NEW.role, NEW.created_at)
     IS DISTINCT FROM (OLD.idempotency_key, OLD.kind, OLD.target, OLD.requested_by, OLD.role, OLD.created_at) THEN
    RAISE EXCEPTION 'only the state, attempts, payload and error of an action change'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.state IN ('done', 'refused') THEN
    RAISE EXCEPTION 'action % is % and does not change', OLD.id, OLD.state USING ERRCODE = 'check_violation';
  END IF;
  IF NOT shihou_may_run(who, OLD.kind) AND NOT shihou_is_worker() THEN
    RAISE EXCEPTION 'operator % may not run actions of kind %', who, OLD.kind USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.state <> 'refused'
     AND (NEW.attempts > OLD.attempts OR NEW.state = 'done' OR (OLD.state = 'failed' AND NEW.state = 'pending'))
     AND NOT shihou_may_run(OLD.requested_by, OLD.kind)
     AND NOT (OLD.kind IN (%KINDS%) AND shihou_role_of(OLD.requested_by) IS NULL
              AND EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = OLD.requested_by
                          AND pg_has_role(r.oid, 'shihou_worker', 'MEMBER'))) THEN
    RAISE EXCEPTION 'action % was requested by %, whose role may not run % now', OLD.id, OLD.requested_by, OLD.kind
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$""",
    """CREATE OR REPLACE FUNCTION shihou_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF shihou_is_trusted() THEN RETURN NEW; END IF;
  IF NEW.actor IS NULL OR NEW.actor = '' THEN NEW.actor := session_user; END IF;
  IF NEW.actor IS DISTINCT FROM session_user::text THEN
    RAISE EXCEPTION 'audit_log.actor is the signed-in operator (%), not %', session_user, NEW.actor
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  NEW.role := coalesce(shihou_role_of(session_user), CASE WHEN shihou_is_worker() THEN 'worker' END, NEW.role);
  RETURN NEW;
END $$""",
]

FUNCTIONS = [f.replace("%KINDS%", _KINDS_SQL) for f in _FUNCTIONS]

_EVERYONE = f"{', '.join(GROUPS)}, {WORKER_ROLE}"

GRANTS = [
    # procrastinate: the worker runs jobs; every console role may enqueue one (and read the counts)
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON {_PROCRASTINATE} TO {_EVERYONE}",
    f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {_EVERYONE}",
    f"GRANT SELECT ON worker_heartbeats TO {', '.join(GROUPS)}",
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON worker_heartbeats TO {WORKER_ROLE}",
    f"GRANT EXECUTE ON FUNCTION shihou_is_worker() TO {_EVERYONE}",
    # what running any queued action writes (its handler's apply), and the campaigns, reverts and reports
    f"GRANT SELECT, INSERT, UPDATE ON {_CHAT}, {_PUSH} TO {WORKER_ROLE}",
    f"GRANT DELETE ON {_CHAT} TO {WORKER_ROLE}",
    # a revert or a session gag lifted is an action the worker requests in its own name (kinds: the outbox guard)
    f"GRANT INSERT ON action_outbox TO {WORKER_ROLE}",   # a revert takes its session-only words and whitelist back
    f"GRANT SELECT ON chat_messages, devices, approvals, sms_templates TO {WORKER_ROLE}",
    f"GRANT SELECT ({_USERS_NO_PHONE}) ON users TO {WORKER_ROLE}",
    f"GRANT SELECT, UPDATE ON sms_campaigns TO {WORKER_ROLE}",
    # SMS as operators have them: numbers only from the claim functions while the worker holds the claim
    f"GRANT SELECT ({sms_phones_ddl._RECIPIENTS}) ON sms_campaign_recipients TO {WORKER_ROLE}",
    f"GRANT UPDATE ({sms_phones_ddl._RECIPIENTS_UPDATE}) ON sms_campaign_recipients TO {WORKER_ROLE}",
    f"GRANT SELECT ({sms_phones_ddl._MESSAGES}) ON sms_messages TO {WORKER_ROLE}",
    f"GRANT INSERT, UPDATE (status, error_code, delivered_at, biz_id) ON sms_messages TO {WORKER_ROLE}",
    f"GRANT SELECT ({sms_phones_ddl._OPT_OUTS}) ON sms_opt_outs TO {WORKER_ROLE}",
    f"GRANT EXECUTE ON FUNCTION shihou_sms_claim_batch(bigint, bigint, integer), "
    f"shihou_sms_receipt_batch(bigint, bigint, integer) TO {WORKER_ROLE}",
    # mail (docs/mail.md): the digest's figures
    f"GRANT SELECT (push_id, status, received_at, clicked_at) ON push_recipients TO {WORKER_ROLE}",
    f"GRANT SELECT (id, state, created_at, sent_at) ON pushes TO {WORKER_ROLE}",
]

PG_DOWNGRADE_GRANTS = [
    f"REVOKE INSERT ON action_outbox FROM {WORKER_ROLE}",
    f"REVOKE ALL ON {_CHAT}, {_PUSH} FROM {WORKER_ROLE}",
    f"REVOKE ALL ON chat_messages, devices, approvals, sms_templates, users, sms_campaigns, pushes, push_recipients, "
    f"sms_campaign_recipients, sms_messages, sms_opt_outs FROM {WORKER_ROLE}",
    f"REVOKE EXECUTE ON FUNCTION shihou_sms_claim_batch(bigint, bigint, integer), "
    f"shihou_sms_receipt_batch(bigint, bigint, integer) FROM {WORKER_ROLE}",
]


def _restore_0005(name: str) -> str:
    """The 0005 text of a function this migration redefines (for the downgrade)."""
    for stmt in team_ddl._FUNCTIONS:
        if stmt.startswith(f"CREATE FUNCTION {name}("):
            return stmt.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    raise LookupError(name)


PG_DOWNGRADE = [
    *PG_DOWNGRADE_GRANTS,
    _restore_0005("shihou_outbox_guard"), _restore_0005("shihou_audit_guard"),
    "DROP FUNCTION IF EXISTS shihou_is_worker()",
    "DROP TABLE IF EXISTS worker_heartbeats",
]


def pg_upgrade() -> list[str]:
    """The statements of migration 0007 on PostgreSQL after the column changes and procrastinate's schema."""
    return [HEARTBEATS, *FUNCTIONS, *GRANTS]


#: procrastinate's objects, for the downgrade (its schema has no drop script).
PROCRASTINATE_DROP = [
    "DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, "
    "procrastinate_workers CASCADE",
    "DO $$ DECLARE t record; BEGIN FOR t IN SELECT typname FROM pg_type y JOIN pg_namespace n ON n.oid = y.typnamespace "
    "WHERE n.nspname = 'public' AND typname LIKE 'procrastinate\\_%' AND typtype IN ('c', 'e') "
    "LOOP EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', t.typname); END LOOP; END $$",
    "DO $$ DECLARE f record; BEGIN FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p "
    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.proname LIKE 'procrastinate\\_%' "
    "LOOP EXECUTE 'DROP FUNCTION IF EXISTS ' || f.sig || ' CASCADE'; END LOOP; END $$",
]
