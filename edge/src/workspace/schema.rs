//! The workspace's tables, as objects already on disk have them, and the changes that brought
//! older ones up to date.

use crate::glue::{create_schema, migrate};
use worker::State;

/// Creates (or, after a closed workspace was purged, recreates) the tables.
pub fn schema(state: &State) {
    create_schema(
        state,
        "workspace",
        &[
            "CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, visitor_name TEXT NOT NULL, \
             last_message TEXT NOT NULL, last_author TEXT NOT NULL, last_at INTEGER NOT NULL, last_seq INTEGER NOT NULL)",
            "CREATE INDEX IF NOT EXISTS conversations_by_time ON conversations (last_at)",
            "CREATE TABLE IF NOT EXISTS consent_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS members (email TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, \
             joined_at INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS invites (token_hash TEXT PRIMARY KEY, json TEXT NOT NULL, created_at INTEGER NOT NULL)",
            // Members' email notifications (from their accounts) and when each was last mailed.
            "CREATE TABLE IF NOT EXISTS notify (email TEXT PRIMARY KEY, verified INTEGER NOT NULL, \
             mode TEXT NOT NULL, last_digest_at INTEGER NOT NULL)",
            // Conversations whose visitor waits for an answer (see `logic::notify`).
            "CREATE TABLE IF NOT EXISTS waiting (id TEXT PRIMARY KEY, visitor_name TEXT NOT NULL, \
             preview TEXT NOT NULL, since INTEGER NOT NULL, last_at INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS identities (user_id TEXT PRIMARY KEY, json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS message_index (conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, \
             body TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (conversation_id, seq))",
            "CREATE TABLE IF NOT EXISTS directory (visitor_id TEXT PRIMARY KEY, email TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS directory_by_email ON directory (email)",
            // Every visitor object of the site (pseudonymous ids only), so closing the
            // workspace can delete them all.
            "CREATE TABLE IF NOT EXISTS visitors (visitor_id TEXT PRIMARY KEY)",
            // Visitors still to be told a new retention period (their page-activity alarms).
            "CREATE TABLE IF NOT EXISTS retention_sync (visitor_id TEXT PRIMARY KEY)",
            // Ids of erased conversations (random, nothing else): an update still in flight
            // when the erasure ran must not bring the conversation back into the index.
            "CREATE TABLE IF NOT EXISTS erased_conversations (id TEXT PRIMARY KEY)",
            // Erased visitors by their consent hash, so a late call cannot list them again.
            "CREATE TABLE IF NOT EXISTS erased_visitors (visitor_hash TEXT PRIMARY KEY)",
            "CREATE TABLE IF NOT EXISTS closure (id INTEGER PRIMARY KEY CHECK (id = 1), deleted_at INTEGER NOT NULL)",
            // Which conversations each agent session has a socket open on, so ending the session
            // or the membership closes them all (public session ids, pruned after a session's life).
            "CREATE TABLE IF NOT EXISTS agent_sockets (conversation_id TEXT NOT NULL, email TEXT NOT NULL, \
             session TEXT NOT NULL, opened_at INTEGER NOT NULL, PRIMARY KEY (conversation_id, email, session))",
            "CREATE INDEX IF NOT EXISTS agent_sockets_by_email ON agent_sockets (email, session)",
            // Sessions that ended, refused if an upgrade checked just before still tries to register.
            // How many entries each cheap source (a refused identity, a failed sign-in on one
            // account) wrote in its current window: a flood cannot push the log out of view.
            "CREATE TABLE IF NOT EXISTS audit_budget (source TEXT PRIMARY KEY, start INTEGER NOT NULL, json TEXT NOT NULL)",
            // What the alarm was last set to (see `logic::Scheduled`); cleared with every config write.
            "CREATE TABLE IF NOT EXISTS scheduled (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS ended_sessions (session TEXT PRIMARY KEY, ended_at INTEGER NOT NULL)",
            // Conversations with a visitor's socket open, told when availability changes (see
            // `logic::live`), and whether the workspace was last available (one row).
            "CREATE TABLE IF NOT EXISTS live_visitors (conversation_id TEXT PRIMARY KEY)",
            "CREATE TABLE IF NOT EXISTS availability (id INTEGER PRIMARY KEY CHECK (id = 1), online INTEGER NOT NULL)",
            // Usage per month (see `logic::usage`): what billing shows beside the plan's limits.
            "CREATE TABLE IF NOT EXISTS usage (month TEXT PRIMARY KEY, conversations INTEGER NOT NULL, \
             messages INTEGER NOT NULL, emails INTEGER NOT NULL, refused INTEGER NOT NULL)",
            // API tokens (see `logic::tokens`): the hash of each secret, never the secret.
            "CREATE TABLE IF NOT EXISTS api_tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL, json TEXT NOT NULL)",
        ],
    );
    migrate(
        state,
        "workspace",
        &[
            ("summary-details", "ALTER TABLE conversations ADD COLUMN json TEXT"),
            ("summary-rev", "ALTER TABLE conversations ADD COLUMN rev INTEGER NOT NULL DEFAULT 0"),
            // Whose conversation: an erasure also finds those the visitor's own list missed.
            ("summary-visitor", "ALTER TABLE conversations ADD COLUMN visitor_id TEXT"),
            // Which change of availability visitors were last told (see `logic::live::Told`).
            ("availability-seq", "ALTER TABLE availability ADD COLUMN seq INTEGER NOT NULL DEFAULT 0"),
            // What agents are shown while new chats are refused that month (see `logic::usage`).
            ("usage-notice", "ALTER TABLE usage ADD COLUMN notice TEXT"),
            // When each conversation last changed, for the REST API's `updated_since`.
            ("summary-updated", "ALTER TABLE conversations ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0"),
        ],
    );
}
