"""PostgreSQL for a team: one login role per operator, and the rules the database itself enforces.

Migration 0005 runs :func:`pg_upgrade`; ``docs/team-deployment.md`` says the same for people. In short:

* Every operator is a PostgreSQL login role with a SCRAM password, a member of exactly one group role
  (``shihou_support``, ``shihou_moderator``, ``shihou_operator``, ``shihou_admin``). Nobody is a member of
  two groups, so ``SET ROLE`` to another group fails.
* Operators are created, re-roled, disabled and given new passwords only through the SECURITY DEFINER
  functions below (owned by ``shihou_owner``, a NOLOGIN role with CREATEROLE), which check that the caller
  is an active admin, keep the last admin, audit the change and announce it.
* ``shihou_login`` is the sign-in gate: it can only ask how long a name must wait and record a failed
  sign-in. Its password is ``shihou_login`` on purpose: it is not a secret, as it grants nothing else.
  After 5 failures a name waits longer each time (15 s, doubling) up to a 15-minute lock; while it waits
  its role is NOLOGIN, so the server refuses even the right password. A lock is audited once.
* Triggers: ``audit_log.actor`` is the session user; an ``action_outbox`` row is requested by the session
  user for a kind their role may run, and runs (an attempt, or done) only while its requester's *current*
  role may run it; an approval is decided by an active operator or admin who did not request it; a
  campaign leaves ``awaiting_approval`` only with an approved request.
* Phones: moderators read ``users.phone_masked`` and ``sms_messages.phone_masked`` (generated columns), never
  ``phone``; operators never read ``users.phone``.
* ``shihou_routing`` (the chat routing endpoint) and ``shihou_worker`` (background duties) have their own
  grants. The table owner (the bootstrap superuser) and ``shihou_owner`` are trusted by the triggers.
"""

from __future__ import annotations

from console.domain import ACTION_PERMISSIONS, NAME_PATTERN, RESERVED_NAMES, ROLE_PERMISSIONS, Role

GROUPS = tuple(f"shihou_{r}" for r in Role)
GATE_ROLE = "shihou_login"
GATE_PASSWORD = "shihou_login"  # not a secret: the gate may only call the two sign-in functions
OWNER_ROLE = "shihou_owner"
WORKER_ROLE = "shihou_worker"
ROUTING_ROLE = "shihou_routing"
#: The console's application_name on PostgreSQL (connections are counted by it).
APP_NAME = "shihou-console"

FREE_FAILURES = 5
FIRST_WAIT_S = 15
LOCK_S = 900


_SEARCH_PATH = "SET search_path = pg_catalog, public, pg_temp"


def _create_role(name: str, options: str) -> str:
    return (f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN "
            f"CREATE ROLE {name} {options}; END IF; END $$")


ROLES = [
    _create_role(OWNER_ROLE, "NOLOGIN CREATEROLE"),
    _create_role(WORKER_ROLE, "NOLOGIN"),
    _create_role(ROUTING_ROLE, "NOLOGIN"),
    f"ALTER ROLE {OWNER_ROLE} NOLOGIN CREATEROLE",
    f"ALTER ROLE {GATE_ROLE} LOGIN PASSWORD '{GATE_PASSWORD}'",
    # the groups take members only through the owner's functions (PostgreSQL 16+ asks for ADMIN OPTION)
    *(f"GRANT {g} TO {OWNER_ROLE} WITH ADMIN OPTION" for g in GROUPS),
    f"GRANT pg_signal_backend TO {OWNER_ROLE}",  # a disabled operator's sessions end at once
]

TABLES = [
    "CREATE TABLE shihou_role_permissions (role text NOT NULL, permission text NOT NULL, "
    "PRIMARY KEY (role, permission))",
    "CREATE TABLE shihou_action_kinds (kind text PRIMARY KEY, permission text NOT NULL)",
    *(f"INSERT INTO shihou_role_permissions VALUES ('{r}', '{p}')"
      for r, perms in ROLE_PERMISSIONS.items() for p in sorted(perms)),
    *(f"INSERT INTO shihou_action_kinds VALUES ('{k}', '{p}')" for k, p in sorted(ACTION_PERMISSIONS.items())),
]

_FUNCTIONS = [
    # --- who is who -------------------------------------------------------------------------------
    """CREATE FUNCTION shihou_is_trusted() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT current_user = 'shihou_owner' OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user AND rolsuper)
$$""",
    f"""CREATE FUNCTION shihou_role_of(p_name text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER {_SEARCH_PATH} AS $$
  SELECT role FROM operators WHERE username = p_name AND active
$$""",
    f"""CREATE FUNCTION shihou_can(p_name text, p_permission text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER {_SEARCH_PATH} AS $$
  SELECT EXISTS (SELECT 1 FROM operators o JOIN shihou_role_permissions rp ON rp.role = o.role
                 WHERE o.username = p_name AND o.active AND rp.permission = p_permission)
$$""",
    f"""CREATE FUNCTION shihou_may_run(p_name text, p_kind text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER {_SEARCH_PATH} AS $$
  SELECT EXISTS (SELECT 1 FROM operators o JOIN shihou_role_permissions rp ON rp.role = o.role
                 JOIN shihou_action_kinds k ON k.permission = rp.permission
                 WHERE o.username = p_name AND o.active AND k.kind = p_kind)
$$""",
    f"""CREATE FUNCTION shihou_wait_after(p_failures integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_failures < {FREE_FAILURES} THEN 0
              ELSE least({LOCK_S}, {FIRST_WAIT_S} * power(2, least(p_failures - {FREE_FAILURES}, 20)))::integer END
$$""",
    # --- the sign-in gate (shihou_login) and the signed-in operator --------------------------------
    f"""CREATE FUNCTION shihou_sign_in_wait(p_name text) RETURNS double precision
LANGUAGE plpgsql SECURITY DEFINER {_SEARCH_PATH} AS $$
DECLARE o record;
BEGIN
  SELECT id, active, locked_until INTO o FROM operators WHERE username = p_name FOR UPDATE;
  IF NOT FOUND OR o.locked_until IS NULL THEN RETURN 0; END IF;
  IF o.locked_until > now() THEN RETURN extract(epoch FROM o.locked_until - now()); END IF;
  UPDATE operators SET locked_until = NULL WHERE id = o.id;  -- the wait is over
  IF o.active THEN EXECUTE format('ALTER ROLE %I LOGIN', p_name); END IF;
  RETURN 0;
END $$""",
    f"""CREATE FUNCTION shihou_sign_in_failed(p_name text) RETURNS double precision
LANGUAGE plpgsql SECURITY DEFINER {_SEARCH_PATH} AS $$
DECLARE o record; n integer; wait integer;
BEGIN
  SELECT id, role, failed_attempts, locked_until INTO o FROM operators WHERE username = p_name FOR UPDATE;
  IF NOT FOUND THEN RETURN 0; END IF;
  IF o.locked_until IS NOT NULL AND o.locked_until > now() THEN  -- already waiting: nothing more to count
    RETURN extract(epoch FROM o.locked_until - now());
  END IF;
  n := o.failed_attempts + 1;
  wait := shihou_wait_after(n);
  UPDATE operators SET failed_attempts = n,
         locked_until = CASE WHEN wait > 0 THEN now() + make_interval(secs => wait) END
   WHERE id = o.id;
  IF wait > 0 THEN
    EXECUTE format('ALTER ROLE %I NOLOGIN', p_name);
  END IF;
  IF wait >= {LOCK_S} THEN
    INSERT INTO audit_log (at, actor, role, kind, target, reason, outcome, after)
    VALUES (now(), p_name, o.role, 'operator_locked', 'operator:' || p_name,
            n || ' failed sign-ins', 'refused', jsonb_build_object('locked_for_s', wait));
    INSERT INTO events (at, topic, ref) VALUES (now(), 'operators', p_name);
    PERFORM pg_notify('shihou_events', 'operators:' || p_name);
  END IF;
  RETURN wait;
END $$""",
    f"""CREATE FUNCTION shihou_sign_in_status(p_name text) RETURNS TABLE (active boolean, wait_s double precision)
LANGUAGE sql STABLE SECURITY DEFINER {_SEARCH_PATH} AS $$
  SELECT active, greatest(0, coalesce(extract(epoch FROM locked_until - now()), 0))::double precision
  FROM operators WHERE username = p_name
$$""",
    f"""CREATE FUNCTION shihou_signed_in() RETURNS TABLE (id bigint, display_name text, role text,
                                                      must_change_password boolean)
LANGUAGE sql SECURITY DEFINER {_SEARCH_PATH} AS $$
  UPDATE operators SET failed_attempts = 0, locked_until = NULL, last_sign_in_at = now()
   WHERE username = session_user AND active
  RETURNING id, display_name::text, role::text, must_change_password
$$""",
    # --- operator administration (active admins; the bootstrap superuser for the first admin) ----
    f"""CREATE FUNCTION shihou_require_admin() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER {_SEARCH_PATH} AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM operators WHERE username = session_user AND role = 'admin' AND active) THEN
    RETURN 'admin';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user AND rolsuper) THEN RETURN 'dba'; END IF;
  RAISE EXCEPTION 'only an active admin manages operators (% is not one)', session_user
    USING ERRCODE = 'insufficient_privilege';
END $$""",
    f"""CREATE FUNCTION shihou_check_name(p_name text) RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_name IS NULL OR p_name !~ '{NAME_PATTERN}' OR p_name LIKE 'pg\\_%' OR p_name LIKE 'shihou\\_%'
     OR p_name IN ({", ".join(f"'{n}'" for n in RESERVED_NAMES)}) THEN
    RAISE EXCEPTION 'not a valid operator name: %', coalesce(p_name, '(none)') USING ERRCODE = 'invalid_parameter_value';
  END IF;
END $$""",
    """CREATE FUNCTION shihou_check_verifier(p_verifier text) RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_verifier IS NULL OR p_verifier !~ '^SCRAM-SHA-256\\$[0-9]{4,7}:[A-Za-z0-9+/=]{16,64}\\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$' THEN
    RAISE EXCEPTION 'a password is set as a SCRAM-SHA-256 verifier, never as text' USING ERRCODE = 'invalid_parameter_value';
  END IF;
END $$""",
    """CREATE FUNCTION shihou_operator_audit(p_kind text, p_name text, p_reason text, p_before jsonb, p_after jsonb)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_log (at, actor, role, kind, target, reason, before, after, outcome)
  VALUES (now(), session_user, coalesce(shihou_role_of(session_user), 'dba'), p_kind, 'operator:' || p_name,
          coalesce(p_reason, ''), p_before, p_after, 'ok');
  INSERT INTO events (at, topic, ref) VALUES (now(), 'operators', p_name);
  PERFORM pg_notify('shihou_events', 'operators:' || p_name);
END $$""",
    f"""CREATE FUNCTION shihou_operator_create(p_name text, p_display text, p_role text, p_verifier text, p_reason text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER {_SEARCH_PATH} AS $$
DECLARE new_id bigint;
BEGIN
  PERFORM shihou_require_admin();
  PERFORM shihou_check_name(p_name);
  PERFORM shihou_check_verifier(p_verifier);
  IF p_role IS NULL OR p_role NOT IN ('support', 'moderator', 'operator', 'admin') THEN
    RAISE EXCEPTION 'unknown role %', p_role USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF EXISTS (SELECT 1 FROM operators WHERE username = p_name) THEN
    RAISE EXCEPTION 'operator % exists already', p_name USING ERRCODE = 'unique_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name) THEN
    RAISE EXCEPTION 'a database role named % exists already and is not an operator', p_name
      USING ERRCODE = 'duplicate_object';
  END IF;
  EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', p_name, p_verifier, 'shihou_' || p_role);
  INSERT INTO operators (username, display_name, role, password_hash, active, created_at, must_change_password)
  VALUES (p_name, left(coalesce(nullif(p_display, ''), p_name), 64), p_role, '!postgres', true, now(), true)
  RETURNING id INTO new_id;
  PERFORM shihou_operator_audit('operator_create', p_name, p_reason, NULL,
                                jsonb_build_object('role', p_role, 'display_name', p_display));
  RETURN new_id;
END $$""",
    f"""CREATE FUNCTION shihou_operator_set_role(p_name text, p_role text, p_reason text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER {_SEARCH_PATH} AS $$
DECLARE o record;
BEGIN
  PERFORM shihou_require_admin();
  IF p_role IS NULL OR p_role NOT IN ('support', 'moderator', 'operator', 'admin') THEN
    RAISE EXCEPTION 'unknown role %', p_role USING ERRCODE = 'invalid_parameter_value';
  END IF;
  LOCK TABLE operators IN SHARE ROW EXCLUSIVE MODE;  -- two admins demoting each other: one waits
  SELECT * INTO o FROM operators WHERE username = p_name;
  IF NOT FOUND THEN RAISE EXCEPTION 'no operator named %', p_name USING ERRCODE = 'no_data_found'; END IF;
  IF o.role = p_role THEN RETURN; END IF;
  IF o.role = 'admin' AND o.active
     AND (SELECT count(*) FROM operators WHERE role = 'admin' AND active) <= 1 THEN
    RAISE EXCEPTION 'the last active admin cannot be demoted' USING ERRCODE = 'check_violation';
  END IF;
  EXECUTE format('REVOKE %I FROM %I', 'shihou_' || o.role, p_name);
  EXECUTE format('GRANT %I TO %I', 'shihou_' || p_role, p_name);
  UPDATE operators SET role = p_role WHERE id = o.id;
  PERFORM shihou_operator_audit('operator_role', p_name, p_reason, jsonb_build_object('role', o.role),
                                jsonb_build_object('role', p_role));
END $$""",
    f"""CREATE FUNCTION shihou_operator_set_active(p_name text, p_active boolean, p_reason text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER {_SEARCH_PATH} AS $$
DECLARE o record;
BEGIN
  PERFORM shihou_require_admin();
  LOCK TABLE operators IN SHARE ROW EXCLUSIVE MODE;
  SELECT * INTO o FROM operators WHERE username = p_name;
  IF NOT FOUND THEN RAISE EXCEPTION 'no operator named %', p_name USING ERRCODE = 'no_data_found'; END IF;
  IF o.active = p_active THEN RETURN; END IF;
  IF NOT p_active AND o.role = 'admin'
     AND (SELECT count(*) FROM operators WHERE role = 'admin' AND active) <= 1 THEN
    RAISE EXCEPTION 'the last active admin cannot be disabled' USING ERRCODE = 'check_violation';
  END IF;
  UPDATE operators SET active = p_active, locked_until = NULL, failed_attempts = 0 WHERE id = o.id;
  EXECUTE format('ALTER ROLE %I %s', p_name, CASE WHEN p_active THEN 'LOGIN' ELSE 'NOLOGIN' END);
  PERFORM shihou_operator_audit(CASE WHEN p_active THEN 'operator_enable' ELSE 'operator_disable' END, p_name,
                                p_reason, jsonb_build_object('active', o.active), jsonb_build_object('active', p_active));
  IF NOT p_active THEN  -- their open sessions end now; the pool's next connection is refused
    PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = p_name AND pid <> pg_backend_pid();
  END IF;
END $$""",
    f"""CREATE FUNCTION shihou_operator_reset_password(p_name text, p_verifier text, p_reason text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER {_SEARCH_PATH} AS $$
DECLARE o record;
BEGIN
  PERFORM shihou_require_admin();
  PERFORM shihou_check_verifier(p_verifier);
  SELECT * INTO o FROM operators WHERE username = p_name FOR UPDATE;
  IF NOT FOUND THEN RAISE EXCEPTION 'no operator named %', p_name USING ERRCODE = 'no_data_found'; END IF;
  EXECUTE format('ALTER ROLE %I PASSWORD %L', p_name, p_verifier);
  UPDATE operators SET must_change_password = true, failed_attempts = 0, locked_until = NULL WHERE id = o.id;
  IF o.active THEN EXECUTE format('ALTER ROLE %I LOGIN', p_name); END IF;
  PERFORM shihou_operator_audit('operator_password_reset', p_name, p_reason, NULL, NULL);
END $$""",
    f"""CREATE FUNCTION shihou_change_own_password(p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER {_SEARCH_PATH} AS $$
BEGIN
  PERFORM shihou_check_verifier(p_verifier);
  IF shihou_role_of(session_user) IS NULL THEN
    RAISE EXCEPTION '% is not an active operator', session_user USING ERRCODE = 'insufficient_privilege';
  END IF;
  EXECUTE format('ALTER ROLE %I PASSWORD %L', session_user, p_verifier);
  UPDATE operators SET must_change_password = false WHERE username = session_user;
  INSERT INTO audit_log (at, actor, role, kind, target, reason, outcome)
  VALUES (now(), session_user, shihou_role_of(session_user), 'password_change', 'operator:' || session_user, '', 'ok');
END $$""",
    # --- triggers ----------------------------------------------------------------------------------
    """CREATE FUNCTION shihou_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF shihou_is_trusted() THEN RETURN NEW; END IF;
  IF NEW.actor IS NULL OR NEW.actor = '' THEN NEW.actor := session_user; END IF;
  IF NEW.actor IS DISTINCT FROM session_user::text THEN
    RAISE EXCEPTION 'audit_log.actor is the signed-in operator (%), not %', session_user, NEW.actor
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  NEW.role := coalesce(shihou_role_of(session_user), NEW.role);
  RETURN NEW;
END $$""",
    """CREATE FUNCTION shihou_outbox_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE who text := session_user;
BEGIN
  IF shihou_is_trusted() THEN RETURN NEW; END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.requested_by IS DISTINCT FROM who THEN
      RAISE EXCEPTION 'action_outbox.requested_by is the signed-in operator (%), not %', who, NEW.requested_by
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT shihou_may_run(who, NEW.kind) THEN
      RAISE EXCEPTION 'operator % may not request actions of kind %', who, NEW.kind
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.state <> 'pending' THEN
      RAISE EXCEPTION 'a new action is pending' USING ERRCODE = 'check_violation';
    END IF;
    NEW.role := shihou_role_of(who);
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
  IF NOT shihou_may_run(who, OLD.kind) THEN
    RAISE EXCEPTION 'operator % may not run actions of kind %', who, OLD.kind USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.state <> 'refused'
     AND (NEW.attempts > OLD.attempts OR NEW.state = 'done' OR (OLD.state = 'failed' AND NEW.state = 'pending'))
     AND NOT shihou_may_run(OLD.requested_by, OLD.kind) THEN
    RAISE EXCEPTION 'action % was requested by %, whose role may not run % now', OLD.id, OLD.requested_by, OLD.kind
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$""",
    """CREATE FUNCTION shihou_approval_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE who text := session_user;
        perm text;
BEGIN
  IF shihou_is_trusted() THEN RETURN NEW; END IF;
  perm := CASE NEW.kind WHEN 'push' THEN 'send_push' WHEN 'sms' THEN 'send_sms' END;
  IF TG_OP = 'INSERT' THEN
    IF NEW.requested_by IS DISTINCT FROM who OR NEW.state <> 'pending' OR NEW.approved_by IS NOT NULL
       OR NOT shihou_can(who, perm) THEN
      RAISE EXCEPTION 'an approval is requested, pending, by an operator who may send (%)', who
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  IF (NEW.kind, NEW.subject_id, NEW.summary, NEW.audience_size, NEW.requested_by, NEW.requested_at)
     IS DISTINCT FROM (OLD.kind, OLD.subject_id, OLD.summary, OLD.audience_size, OLD.requested_by, OLD.requested_at) THEN
    RAISE EXCEPTION 'what was asked for does not change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.state <> 'pending' THEN
    RAISE EXCEPTION 'approval % is already %', OLD.id, OLD.state USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.state IN ('approved', 'rejected') THEN
    IF who = OLD.requested_by THEN
      RAISE EXCEPTION 'the requester cannot approve or reject their own send' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT shihou_can(who, perm) THEN
      RAISE EXCEPTION 'operator % may not decide % sends', who, NEW.kind USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.approved_by IS DISTINCT FROM who THEN
      RAISE EXCEPTION 'approved_by is the signed-in operator (%)', who USING ERRCODE = 'insufficient_privilege';
    END IF;
  ELSIF NEW.state = 'cancelled' THEN
    IF who <> OLD.requested_by AND coalesce(shihou_role_of(who), '') <> 'admin' THEN
      RAISE EXCEPTION 'only the requester or an admin withdraws a request' USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  RETURN NEW;
END $$""",
    """CREATE FUNCTION shihou_campaign_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF shihou_is_trusted() THEN RETURN NEW; END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.state NOT IN ('draft', 'awaiting_approval') THEN
      RAISE EXCEPTION 'a new campaign is a draft or awaits approval' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  IF OLD.approval_id IS NOT NULL AND NEW.approval_id IS DISTINCT FROM OLD.approval_id THEN
    RAISE EXCEPTION 'a campaign keeps its approval request' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.state = 'awaiting_approval' AND NEW.state NOT IN ('awaiting_approval', 'rejected', 'cancelled')
     AND NOT EXISTS (SELECT 1 FROM approvals a WHERE a.id = NEW.approval_id AND a.kind = TG_ARGV[0]
                     AND a.subject_id = NEW.id::text AND a.state = 'approved') THEN
    RAISE EXCEPTION 'campaign % needs an approved request before it is %', NEW.id, NEW.state
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$""",
]

TRIGGERS = [
    "CREATE TRIGGER audit_log_actor BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION shihou_audit_guard()",
    "CREATE TRIGGER action_outbox_guard BEFORE INSERT OR UPDATE ON action_outbox "
    "FOR EACH ROW EXECUTE FUNCTION shihou_outbox_guard()",
    "CREATE TRIGGER approvals_guard BEFORE INSERT OR UPDATE ON approvals "
    "FOR EACH ROW EXECUTE FUNCTION shihou_approval_guard()",
    "CREATE TRIGGER sms_campaigns_guard BEFORE INSERT OR UPDATE ON sms_campaigns "
    "FOR EACH ROW EXECUTE FUNCTION shihou_campaign_guard('sms')",
    "CREATE TRIGGER push_campaigns_guard BEFORE INSERT OR UPDATE ON push_campaigns "
    "FOR EACH ROW EXECUTE FUNCTION shihou_campaign_guard('push')",
]

_DEFINER = ("shihou_role_of(text)", "shihou_can(text, text)", "shihou_may_run(text, text)",
            "shihou_sign_in_wait(text)", "shihou_sign_in_failed(text)", "shihou_sign_in_status(text)",
            "shihou_signed_in()", "shihou_require_admin()",
            "shihou_operator_create(text, text, text, text, text)", "shihou_operator_set_role(text, text, text)",
            "shihou_operator_set_active(text, boolean, text)", "shihou_operator_reset_password(text, text, text)",
            "shihou_change_own_password(text)")
_CONSOLE = ", ".join(GROUPS)
_USERS_NO_PHONE = "id, nickname, phone_masked, registered_at, channel, status, last_active_at"
_SMS_NO_PHONE = ("id, user_id, phone_masked, template_code, purpose, out_id, biz_id, status, error_code, sent_at, "
                 "delivered_at")
_OPERATOR_COLUMNS = ("id, username, display_name, role, active, created_at, failed_attempts, locked_until, "
                     "last_sign_in_at, must_change_password")

GRANTS = [
    *(f"ALTER FUNCTION {fn} OWNER TO {OWNER_ROLE}" for fn in _DEFINER),
    *(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC" for fn in _DEFINER),
    "GRANT SELECT, UPDATE ON operators TO shihou_owner",
    "GRANT SELECT ON shihou_role_permissions, shihou_action_kinds TO shihou_owner",
    "GRANT INSERT ON audit_log, events TO shihou_owner",
    "GRANT SELECT ON pg_stat_activity TO shihou_owner",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO shihou_owner",
    "GRANT INSERT ON operators TO shihou_owner",
    # the gate: two functions, nothing else
    "REVOKE ALL ON operators FROM shihou_login",
    "REVOKE INSERT ON audit_log FROM shihou_login",
    "REVOKE USAGE ON ALL SEQUENCES IN SCHEMA public FROM shihou_login",
    "GRANT EXECUTE ON FUNCTION shihou_sign_in_wait(text), shihou_sign_in_failed(text), "
    "shihou_sign_in_status(text) TO shihou_login",
    # every console role
    f"GRANT EXECUTE ON FUNCTION shihou_role_of(text), shihou_can(text, text), shihou_may_run(text, text), "
    f"shihou_signed_in(), shihou_change_own_password(text) TO {_CONSOLE}, shihou_worker, shihou_routing",
    "GRANT EXECUTE ON FUNCTION shihou_require_admin(), shihou_operator_create(text, text, text, text, text), "
    "shihou_operator_set_role(text, text, text), shihou_operator_set_active(text, boolean, text), "
    "shihou_operator_reset_password(text, text, text) TO shihou_admin",
    # operators: admins read the list (never a password hash); writes go through the functions above
    "REVOKE ALL ON operators FROM shihou_admin",
    f"GRANT SELECT ({_OPERATOR_COLUMNS}) ON operators TO shihou_admin",
    # phones: only REVEAL_PHONE roles (support, admin) read users.phone
    "REVOKE SELECT ON users FROM shihou_moderator",
    f"GRANT SELECT ({_USERS_NO_PHONE}) ON users TO shihou_moderator",
    "GRANT SELECT (phone_masked) ON users TO shihou_operator, shihou_support, shihou_admin",
    "REVOKE SELECT ON sms_messages FROM shihou_moderator",
    f"GRANT SELECT ({_SMS_NO_PHONE}) ON sms_messages TO shihou_moderator",
    "GRANT SELECT (phone_masked) ON sms_messages TO shihou_operator, shihou_support, shihou_admin",
    # the chat routing endpoint: stores RongCloud's messages and announces them
    "GRANT SELECT, INSERT ON chat_messages TO shihou_routing",
    "GRANT SELECT, INSERT ON events TO shihou_routing",
    "GRANT SELECT ON chat_rooms TO shihou_routing",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO shihou_routing",
    # the worker: the outbox and what completing an action writes
    "GRANT SELECT, UPDATE ON action_outbox TO shihou_worker",
    "GRANT SELECT, INSERT ON audit_log, events TO shihou_worker",
    "GRANT SELECT (id, username, display_name, role, active) ON operators TO shihou_worker",
    "GRANT SELECT, UPDATE (state, updated_at) ON rooms TO shihou_worker",
    "GRANT SELECT, INSERT, UPDATE ON sanctions TO shihou_worker",
    "GRANT SELECT ON alembic_version TO shihou_worker, shihou_routing",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO shihou_worker",
]


def pg_upgrade() -> list[str]:
    """Every statement of migration 0005 on PostgreSQL, in order."""
    return [*ROLES, *TABLES, *_FUNCTIONS, *TRIGGERS, *GRANTS]


PG_DOWNGRADE = [
    *(f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in (
        ("audit_log_actor", "audit_log"), ("action_outbox_guard", "action_outbox"), ("approvals_guard", "approvals"),
        ("sms_campaigns_guard", "sms_campaigns"), ("push_campaigns_guard", "push_campaigns"))),
    *(f"DROP FUNCTION IF EXISTS {fn}" for fn in (
        "shihou_audit_guard()", "shihou_outbox_guard()", "shihou_approval_guard()", "shihou_campaign_guard()",
        "shihou_operator_audit(text, text, text, jsonb, jsonb)", "shihou_check_name(text)",
        "shihou_check_verifier(text)", "shihou_wait_after(integer)", "shihou_is_trusted()", *_DEFINER)),
    "DROP TABLE IF EXISTS shihou_role_permissions",
    "DROP TABLE IF EXISTS shihou_action_kinds",
    "GRANT SELECT ON users, sms_messages TO shihou_moderator",
    "GRANT SELECT, INSERT, UPDATE ON operators TO shihou_admin",
    "GRANT SELECT ON operators TO shihou_login",
    "GRANT INSERT ON audit_log TO shihou_login",
    f"ALTER ROLE {GATE_ROLE} NOLOGIN",
]


def pg_login_statements(name: str, role: str, verifier: str) -> list[str]:
    """As the table owner: make ``name`` an operator's login role in ``role``'s group with the SCRAM
    ``verifier`` (the sandbox seeder and tests; admins use ``shihou_operator_create``). ``name`` and
    ``verifier`` must already be valid (:data:`NAME_PATTERN`, :data:`console.db.scram.VERIFIER`)."""
    import re

    from console.db.scram import VERIFIER

    if not re.match(NAME_PATTERN, name) or not VERIFIER.match(verifier) or role not in {r.value for r in Role}:
        raise ValueError(f"not a valid operator login: {name!r} ({role})")
    others = ", ".join(g for g in GROUPS if g != f"shihou_{role}")
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN "
        f"CREATE ROLE \"{name}\" LOGIN; END IF; END $$",
        f"ALTER ROLE \"{name}\" LOGIN PASSWORD '{verifier}'",
        f"REVOKE {others} FROM \"{name}\"",
        f"GRANT shihou_{role} TO \"{name}\"",
        f"UPDATE operators SET password_hash = '!postgres' WHERE username = '{name}'",
    ]
