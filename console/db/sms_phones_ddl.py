"""PostgreSQL: operators send SMS campaigns without reading the SMS tables' phone numbers (migration 0006).

Phones are readable only by roles holding REVEAL_PHONE (support, admin). Migration 0005 covered
``users.phone`` and moderators on ``sms_messages``; this covers operators (``shihou_operator``):

* Column grants: operators read every column of ``sms_messages``, ``sms_campaign_recipients`` and
  ``sms_opt_outs`` but ``phone`` (``sms_opt_outs.phone_masked`` is a generated column for the list), and
  nothing of ``sms_codes`` (its ``code_hash`` of a 6-digit code is as good as the code). A WHERE on ``phone``
  needs the same SELECT privilege, so a number cannot be probed either. Updates are limited to the columns
  sending changes; recipients are inserted only by ``shihou_sms_audience`` (migration 0004).
* The console calls the gateway, so it gets a number at the moment it sends, and only then, from SECURITY
  DEFINER functions owned by ``shihou_owner`` (EXECUTE for operators and admins):

  - ``shihou_sms_claim_batch(campaign, after_id, limit)``: pending recipients (with their numbers) of a
    campaign that is approved or sending and claimed by the caller (``sms_campaigns.claimed_by`` is
    ``<session user>#<console>``);
  - ``shihou_sms_receipt_batch(campaign, after_id, limit)``: the campaign's messages still awaiting a
    delivery receipt (receipts are asked for by number);
  - ``shihou_sms_opt_out_id(phone)``: the opt-out entry of a number the operator typed (or NULL), for
    "is it opted out" and removal by number; the list shows ``phone_masked`` and removes by ``id``.

  The table owner's own sessions (a superuser, e.g. tests acting with ``SET ROLE``) are trusted.
* Triggers keep a sent or failed recipient, and a campaign that is done, rejected or cancelled, from going
  back (so nobody re-opens a finished campaign to be handed its numbers again).
* ``shihou_sms_audience`` gets the safe ``search_path`` (``pg_temp`` last).
"""

from __future__ import annotations

from console.db.team_ddl import OWNER_ROLE

_SEARCH_PATH = "SET search_path = pg_catalog, public, pg_temp"
_SUPERUSER = "EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user AND rolsuper)"
_AUDIENCE = "shihou_sms_audience(bigint, text, integer, bigint[], timestamptz)"
#: Hard cap of one batch a function hands out.
MAX_BATCH = 1000

FUNCTIONS = [
    f"""CREATE FUNCTION shihou_sms_claim_batch(p_campaign bigint, p_after bigint, p_limit integer)
RETURNS TABLE (id bigint, user_id bigint, phone text, out_id text, attempts integer, updated_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER {_SEARCH_PATH} AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM sms_campaigns c WHERE c.id = p_campaign AND c.state IN ('approved', 'sending')
                 AND (split_part(c.claimed_by, '#', 1) = session_user::text OR {_SUPERUSER})) THEN
    RAISE EXCEPTION 'campaign % is not approved and claimed by % (numbers go only to the console sending it)',
      p_campaign, session_user USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN QUERY
    SELECT r.id, r.user_id, r.phone::text, r.out_id::text, r.attempts, r.updated_at
    FROM sms_campaign_recipients r
    WHERE r.campaign_id = p_campaign AND r.state = 'pending' AND r.id > coalesce(p_after, 0)
    ORDER BY r.id LIMIT least(greatest(coalesce(p_limit, 1), 1), {MAX_BATCH});
END $$""",
    f"""CREATE FUNCTION shihou_sms_receipt_batch(p_campaign bigint, p_after bigint, p_limit integer)
RETURNS TABLE (id bigint, phone text, out_id text, biz_id text, sent_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER {_SEARCH_PATH} AS $$
  SELECT m.id, m.phone::text, m.out_id::text, m.biz_id::text, m.sent_at
  FROM sms_campaigns c
  JOIN sms_campaign_recipients r ON r.campaign_id = c.id AND r.state = 'sent'
  JOIN sms_messages m ON m.out_id = r.out_id
  WHERE c.id = p_campaign AND c.started_at IS NOT NULL AND m.purpose = 'campaign' AND m.status = 'sent'
    AND m.id > coalesce(p_after, 0)
  ORDER BY m.id LIMIT least(greatest(coalesce(p_limit, 1), 1), {MAX_BATCH})
$$""",
    f"""CREATE FUNCTION shihou_sms_opt_out_id(p_phone text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER {_SEARCH_PATH} AS $$
  SELECT id FROM sms_opt_outs WHERE phone = p_phone
$$""",
    f"""CREATE FUNCTION shihou_sms_recipient_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF {_SUPERUSER} THEN RETURN NEW; END IF;
  IF OLD.state <> 'pending' AND NEW.state IS DISTINCT FROM OLD.state THEN
    RAISE EXCEPTION 'recipient % is % and stays so', OLD.id, OLD.state USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$""",
    f"""CREATE FUNCTION shihou_sms_campaign_final_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF {_SUPERUSER} THEN RETURN NEW; END IF;
  IF OLD.state IN ('done', 'rejected', 'cancelled') AND NEW.state IS DISTINCT FROM OLD.state THEN
    RAISE EXCEPTION 'campaign % is % and stays so', OLD.id, OLD.state USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$""",
]

TRIGGERS = [
    "CREATE TRIGGER sms_recipients_final BEFORE UPDATE ON sms_campaign_recipients "
    "FOR EACH ROW EXECUTE FUNCTION shihou_sms_recipient_guard()",
    "CREATE TRIGGER sms_campaigns_final BEFORE UPDATE ON sms_campaigns "
    "FOR EACH ROW EXECUTE FUNCTION shihou_sms_campaign_final_guard()",
]

DEFINER = ("shihou_sms_claim_batch(bigint, bigint, integer)", "shihou_sms_receipt_batch(bigint, bigint, integer)",
           "shihou_sms_opt_out_id(text)")

_MESSAGES = ("id, user_id, phone_masked, template_code, purpose, out_id, biz_id, status, error_code, sent_at, "
             "delivered_at")
_RECIPIENTS = "id, campaign_id, user_id, out_id, state, attempts, biz_id, error_code, last_error, updated_at"
_RECIPIENTS_UPDATE = "state, attempts, biz_id, error_code, last_error, updated_at"
_OPT_OUTS = "id, user_id, source, created_by, created_at, phone_masked"

GRANTS = [
    # the functions' owner reads what they hand out
    f"GRANT SELECT ON sms_campaigns, sms_campaign_recipients, sms_messages, sms_opt_outs TO {OWNER_ROLE}",
    *(f"ALTER FUNCTION {fn} OWNER TO {OWNER_ROLE}" for fn in DEFINER),
    *(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC" for fn in DEFINER),
    *(f"GRANT EXECUTE ON FUNCTION {fn} TO shihou_operator, shihou_admin" for fn in DEFINER),
    f"ALTER FUNCTION {_AUDIENCE} {_SEARCH_PATH}",
    # sms_messages: operators insert the messages they send and record receipts, never read a number
    "REVOKE SELECT, UPDATE ON sms_messages FROM shihou_operator",
    f"GRANT SELECT ({_MESSAGES}) ON sms_messages TO shihou_operator",
    "GRANT UPDATE (status, error_code, delivered_at, biz_id) ON sms_messages TO shihou_operator",
    # recipients: snapshotted by shihou_sms_audience, numbers handed out by shihou_sms_claim_batch
    "REVOKE SELECT, INSERT, UPDATE ON sms_campaign_recipients FROM shihou_operator",
    f"GRANT SELECT ({_RECIPIENTS}) ON sms_campaign_recipients TO shihou_operator",
    f"GRANT UPDATE ({_RECIPIENTS_UPDATE}) ON sms_campaign_recipients TO shihou_operator",
    # opt-outs: added by number (INSERT … ON CONFLICT DO NOTHING), listed masked, removed by id
    "REVOKE SELECT, UPDATE ON sms_opt_outs FROM shihou_operator",
    f"GRANT SELECT ({_OPT_OUTS}) ON sms_opt_outs TO shihou_operator",
    # verification codes are support's (RESEND_SMS_CODE): operators have no use for them
    "REVOKE ALL ON sms_codes FROM shihou_operator",
]


def pg_upgrade() -> list[str]:
    """The PostgreSQL statements of migration 0006 after the schema changes, in order."""
    return [*FUNCTIONS, *TRIGGERS, *GRANTS]


PG_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS sms_recipients_final ON sms_campaign_recipients",
    "DROP TRIGGER IF EXISTS sms_campaigns_final ON sms_campaigns",
    *(f"DROP FUNCTION IF EXISTS {fn}" for fn in (*DEFINER, "shihou_sms_recipient_guard()",
                                                 "shihou_sms_campaign_final_guard()")),
    f"ALTER FUNCTION {_AUDIENCE} SET search_path = public",
    f"REVOKE SELECT ON sms_campaigns, sms_campaign_recipients, sms_messages, sms_opt_outs FROM {OWNER_ROLE}",
    "GRANT SELECT, UPDATE ON sms_messages TO shihou_operator",
    "GRANT SELECT, INSERT, UPDATE ON sms_campaign_recipients TO shihou_operator",
    "GRANT SELECT, UPDATE ON sms_opt_outs TO shihou_operator",
    "GRANT SELECT, INSERT, UPDATE ON sms_codes TO shihou_operator",
]
