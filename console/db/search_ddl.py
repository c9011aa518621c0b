"""Dialect-specific DDL that SQLAlchemy's metadata cannot express.

Search side structures (database-facts.md §2–3): FTS5 trigram tables and a bigram table on
SQLite, pg_trgm GIN indexes and the same bigram table on PostgreSQL, both kept in step with
``users`` and ``nickname_history`` by triggers; the append-only guard of ``audit_log``; and
the PostgreSQL roles with their grants. Migration 0001 runs these lists; the bulk seeder
drops the per-row triggers, loads, and rebuilds with :data:`SQLITE_REBUILD` /
:data:`PG_REBUILD`.

Lower-casing is ASCII-only on both databases (SQLite's ``lower()``; PostgreSQL ``lower()``
on a ``"C"`` column), and :func:`console.services.users.ascii_lower` mirrors it in Python.
"""

from __future__ import annotations

MAX_NICK_LEN = 128

SQLITE_SEARCH_TABLES = [
    "CREATE TABLE seq (i INTEGER PRIMARY KEY)",
    f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {MAX_NICK_LEN}) "
    "INSERT INTO seq SELECT i FROM s",
    "CREATE INDEX ix_users_nickname ON users (nickname)",
    "CREATE INDEX ix_nickname_history_nickname ON nickname_history (nickname)",
    "CREATE VIRTUAL TABLE users_nick_fts USING fts5(nickname, content='users', content_rowid='id', "
    "tokenize='trigram', columnsize=0)",
    "CREATE VIRTUAL TABLE hist_nick_fts USING fts5(nickname, content='nickname_history', "
    "content_rowid='id', tokenize='trigram', columnsize=0)",
]

_NEW_BIGRAMS = "SELECT substr(lower(new.nickname), i, 2), {uid} FROM seq WHERE i < length(new.nickname)"
_OLD_BIGRAMS = "SELECT substr(lower(old.nickname), i, 2) FROM seq WHERE i < length(old.nickname)"

SQLITE_SEARCH_TRIGGERS = [
    f"""CREATE TRIGGER users_search_ai AFTER INSERT ON users BEGIN
  INSERT INTO users_nick_fts(rowid, nickname) VALUES (new.id, new.nickname);
  INSERT OR IGNORE INTO nick_bigram(bigram, user_id) {_NEW_BIGRAMS.format(uid="new.id")};
END""",
    f"""CREATE TRIGGER users_search_ad AFTER DELETE ON users BEGIN
  INSERT INTO users_nick_fts(users_nick_fts, rowid, nickname) VALUES ('delete', old.id, old.nickname);
  DELETE FROM nick_bigram WHERE user_id = old.id AND bigram IN ({_OLD_BIGRAMS});
END""",
    f"""CREATE TRIGGER users_search_au AFTER UPDATE OF nickname ON users BEGIN
  INSERT INTO users_nick_fts(users_nick_fts, rowid, nickname) VALUES ('delete', old.id, old.nickname);
  INSERT INTO users_nick_fts(rowid, nickname) VALUES (new.id, new.nickname);
  DELETE FROM nick_bigram WHERE user_id = old.id AND bigram IN ({_OLD_BIGRAMS});
  INSERT OR IGNORE INTO nick_bigram(bigram, user_id) {_NEW_BIGRAMS.format(uid="new.id")};
END""",
    f"""CREATE TRIGGER hist_search_ai AFTER INSERT ON nickname_history BEGIN
  INSERT INTO hist_nick_fts(rowid, nickname) VALUES (new.id, new.nickname);
  INSERT OR IGNORE INTO hist_bigram(bigram, user_id) {_NEW_BIGRAMS.format(uid="new.user_id")};
END""",
    f"""CREATE TRIGGER hist_search_ad AFTER DELETE ON nickname_history BEGIN
  INSERT INTO hist_nick_fts(hist_nick_fts, rowid, nickname) VALUES ('delete', old.id, old.nickname);
  DELETE FROM hist_bigram WHERE user_id = old.user_id AND bigram IN ({_OLD_BIGRAMS});
  INSERT OR IGNORE INTO hist_bigram(bigram, user_id)
    SELECT substr(lower(h.nickname), s.i, 2), h.user_id FROM nickname_history h, seq s
    WHERE h.user_id = old.user_id AND s.i < length(h.nickname);
END""",
]
SQLITE_SEARCH_TRIGGER_NAMES = ["users_search_ai", "users_search_ad", "users_search_au",
                               "hist_search_ai", "hist_search_ad"]

SQLITE_REBUILD = [
    "INSERT INTO users_nick_fts(users_nick_fts) VALUES ('rebuild')",
    "INSERT INTO hist_nick_fts(hist_nick_fts) VALUES ('rebuild')",
    "DELETE FROM nick_bigram",
    "INSERT OR IGNORE INTO nick_bigram(bigram, user_id) SELECT substr(lower(u.nickname), s.i, 2), u.id "
    "FROM users u JOIN seq s ON s.i < length(u.nickname)",
    "DELETE FROM hist_bigram",
    "INSERT OR IGNORE INTO hist_bigram(bigram, user_id) SELECT substr(lower(h.nickname), s.i, 2), h.user_id "
    "FROM nickname_history h JOIN seq s ON s.i < length(h.nickname)",
]

SQLITE_AUDIT_GUARD = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]

PG_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_users_nick_lower ON users (lower(nickname), id)",
    "ALTER INDEX ix_users_nick_lower ALTER COLUMN 1 SET STATISTICS 5000",
    "CREATE INDEX ix_users_nick_trgm ON users USING gin (nickname gin_trgm_ops)",
    "CREATE INDEX ix_hist_nick_lower ON nickname_history (lower(nickname), user_id)",
    "CREATE INDEX ix_hist_nick_trgm ON nickname_history USING gin (nickname gin_trgm_ops)",
    """CREATE FUNCTION shihou_bigrams(nick text) RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
  SELECT DISTINCT substr(lower(nick), i, 2) FROM generate_series(1, length(nick) - 1) AS i
$$""",
    """CREATE FUNCTION shihou_users_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM nick_bigram WHERE user_id = OLD.id AND bigram IN (SELECT shihou_bigrams(OLD.nickname));
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO nick_bigram (bigram, user_id) SELECT b, NEW.id FROM shihou_bigrams(NEW.nickname) b
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$""",
    """CREATE FUNCTION shihou_hist_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM hist_bigram WHERE user_id = OLD.user_id AND bigram IN (SELECT shihou_bigrams(OLD.nickname));
    INSERT INTO hist_bigram (bigram, user_id)
      SELECT b, h.user_id FROM nickname_history h, shihou_bigrams(h.nickname) b WHERE h.user_id = OLD.user_id
      ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO hist_bigram (bigram, user_id) SELECT b, NEW.user_id FROM shihou_bigrams(NEW.nickname) b
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$""",
]
PG_SEARCH_TRIGGERS = [
    "CREATE TRIGGER users_search AFTER INSERT OR DELETE OR UPDATE OF nickname ON users "
    "FOR EACH ROW EXECUTE FUNCTION shihou_users_search()",
    "CREATE TRIGGER hist_search AFTER INSERT OR DELETE ON nickname_history "
    "FOR EACH ROW EXECUTE FUNCTION shihou_hist_search()",
]
PG_DROP_SEARCH_TRIGGERS = [
    "DROP TRIGGER IF EXISTS users_search ON users",
    "DROP TRIGGER IF EXISTS hist_search ON nickname_history",
]
PG_REBUILD = [
    "TRUNCATE nick_bigram",
    "INSERT INTO nick_bigram (bigram, user_id) SELECT DISTINCT substr(lower(u.nickname), i, 2), u.id "
    "FROM users u, generate_series(1, length(u.nickname) - 1) AS i",
    "TRUNCATE hist_bigram",
    "INSERT INTO hist_bigram (bigram, user_id) SELECT DISTINCT substr(lower(h.nickname), i, 2), h.user_id "
    "FROM nickname_history h, generate_series(1, length(h.nickname) - 1) AS i",
]

# --- PostgreSQL roles: one per console role, only the grants it needs --------------------

PG_ROLES = ("shihou_login", "shihou_support", "shihou_moderator", "shihou_operator", "shihou_admin")

_READ_PROFILE = ("users", "nickname_history", "devices", "rooms", "sanctions", "chat_messages",
                 "pushes", "push_recipients", "sms_messages", "support_notes", "nick_bigram", "hist_bigram")

PG_GRANTS: dict[str, list[str]] = {
    # Before sign-in: check a password and record the attempt, nothing else.
    "shihou_login": [
        "GRANT SELECT ON operators, alembic_version TO shihou_login",
        "GRANT INSERT ON audit_log TO shihou_login",
    ],
    "shihou_support": [
        f"GRANT SELECT ON {', '.join(_READ_PROFILE)} TO shihou_support",
        "GRANT INSERT ON support_notes TO shihou_support",
        "GRANT SELECT (id, username, display_name, role, active) ON operators TO shihou_support",
    ],
    "shihou_moderator": [
        f"GRANT SELECT ON {', '.join(_READ_PROFILE)} TO shihou_moderator",
        "GRANT INSERT ON support_notes TO shihou_moderator",
        "GRANT INSERT, UPDATE ON sanctions TO shihou_moderator",
        "GRANT UPDATE (state, updated_at) ON rooms TO shihou_moderator",
        "GRANT SELECT (id, username, display_name, role, active) ON operators TO shihou_moderator",
    ],
    "shihou_operator": [
        "GRANT SELECT (id, registered_at, channel, status, last_active_at) ON users TO shihou_operator",
        "GRANT SELECT ON devices, rooms, pushes, push_recipients, sms_messages TO shihou_operator",
        "GRANT INSERT, UPDATE ON pushes, push_recipients, sms_messages TO shihou_operator",
        "GRANT SELECT (id, username, display_name, role, active) ON operators TO shihou_operator",
    ],
    "shihou_admin": [
        f"GRANT SELECT ON {', '.join(_READ_PROFILE)} TO shihou_admin",
        "GRANT INSERT ON support_notes TO shihou_admin",
        "GRANT INSERT, UPDATE ON sanctions, pushes, push_recipients, sms_messages TO shihou_admin",
        "GRANT UPDATE (state, updated_at) ON rooms TO shihou_admin",
        "GRANT SELECT, INSERT, UPDATE ON operators TO shihou_admin",
    ],
}
# Every console role: the audit log (append-only: no UPDATE, no DELETE for anyone),
# the outbox, the event feed and the sequences behind them.
for _r in ("shihou_support", "shihou_moderator", "shihou_operator", "shihou_admin"):
    PG_GRANTS[_r] += [
        f"GRANT SELECT, INSERT ON audit_log, events TO {_r}",
        f"GRANT SELECT, INSERT, UPDATE ON action_outbox TO {_r}",
        f"GRANT SELECT ON alembic_version TO {_r}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {_r}",
    ]
PG_GRANTS["shihou_login"].append("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO shihou_login")


def pg_create_roles() -> list[str]:
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{r}') THEN "
        f"CREATE ROLE {r} NOLOGIN; END IF; END $$"
        for r in PG_ROLES
    ]
