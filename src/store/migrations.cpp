// Schema history. Append new migrations; never edit one that has shipped.
//
// Designed for what comes after the seed: conversations of any size (a direct one per pair,
// keyed by its two members), members with their read position, messages with room for edits,
// deletion, replies and the client's idempotency key.
#include "store/migrations.hpp"

namespace parley::store {

namespace {

constexpr Migration all[] = {
    {1, "users, conversations, members, messages",
     R"sql(
CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  username      TEXT UNIQUE,
  password_hash TEXT,
  created_at    INTEGER NOT NULL
);
CREATE TABLE conversations (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
  direct_key TEXT UNIQUE,
  title      TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE conversation_members (
  conversation_id      INTEGER NOT NULL REFERENCES conversations(id),
  user_id              TEXT NOT NULL REFERENCES users(id),
  joined_at            INTEGER NOT NULL,
  last_read_message_id INTEGER,
  PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_user ON conversation_members (user_id);
CREATE TABLE messages (
  id                INTEGER PRIMARY KEY,
  conversation_id   INTEGER NOT NULL REFERENCES conversations(id),
  sender_id         TEXT NOT NULL REFERENCES users(id),
  content           TEXT NOT NULL,
  created_at        INTEGER NOT NULL,
  edited_at         INTEGER,
  deleted_at        INTEGER,
  reply_to_id       INTEGER,
  client_message_id TEXT
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE UNIQUE INDEX messages_client_id ON messages (sender_id, client_message_id)
  WHERE client_message_id IS NOT NULL;
)sql",
     R"sql(
CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  username      TEXT UNIQUE,
  password_hash TEXT,
  created_at    BIGINT NOT NULL
);
CREATE TABLE conversations (
  id         BIGSERIAL PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
  direct_key TEXT UNIQUE,
  title      TEXT,
  created_at BIGINT NOT NULL
);
CREATE TABLE conversation_members (
  conversation_id      BIGINT NOT NULL REFERENCES conversations(id),
  user_id              TEXT NOT NULL REFERENCES users(id),
  joined_at            BIGINT NOT NULL,
  last_read_message_id BIGINT,
  PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_user ON conversation_members (user_id);
CREATE TABLE messages (
  id                BIGSERIAL PRIMARY KEY,
  conversation_id   BIGINT NOT NULL REFERENCES conversations(id),
  sender_id         TEXT NOT NULL REFERENCES users(id),
  content           TEXT NOT NULL,
  created_at        BIGINT NOT NULL,
  edited_at         BIGINT,
  deleted_at        BIGINT,
  reply_to_id       BIGINT,
  client_message_id TEXT
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE UNIQUE INDEX messages_client_id ON messages (sender_id, client_message_id)
  WHERE client_message_id IS NOT NULL;
)sql"},
    // SQLite: the conversation index becomes a table of its own that the writer fills in bulk
    // (recent_messages.hpp says why); indexed_through is the id up to which it is complete.
    // PostgreSQL keeps messages_conversation: its B-tree inserts log a few dozen bytes each,
    // not whole pages.
    {2, "SQLite: the conversation index, filled in bulk",
     R"sql(
CREATE TABLE conversation_messages (
  conversation_id INTEGER NOT NULL,
  message_id      INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, message_id)
) WITHOUT ROWID;
CREATE TABLE message_index_state (indexed_through INTEGER NOT NULL);
INSERT INTO conversation_messages (conversation_id, message_id)
  SELECT conversation_id, id FROM messages ORDER BY conversation_id, id;
INSERT INTO message_index_state (indexed_through) SELECT COALESCE(MAX(id), 0) FROM messages;
DROP INDEX messages_conversation;
)sql",
     R"sql(
SELECT 1;
)sql"},
    // The conversation log: every entry (message or system entry) takes its conversation's next
    // seq; members get roles and read/delivery watermarks (a member who leaves is deleted).
    // SQLite: messages get no (conversation, seq) index of their own (each would dirty a hot
    // leaf per message, recent_messages.hpp): the bulk-filled conversation_messages carries the
    // seq, with an index by seq beside its key. Existing messages get seqs in id order.
    // PostgreSQL: the list of a
    // user's conversations reads conversation_members by user (its index covers the columns it
    // needs); conversations keeps no index on its activity, so that a message's update of its
    // conversation stays a HOT update. messages.seq stays nullable in the schema (rows written by
    // other tools than the store, as some tests do, need not know it); the store sets it always.
    {3, "conversations: log seq, roles, markers",
     R"sql(
ALTER TABLE conversations ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN last_activity_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN last_message_id INTEGER;
ALTER TABLE conversation_members ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
ALTER TABLE conversation_members ADD COLUMN joined_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversation_members ADD COLUMN read_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversation_members ADD COLUMN delivered_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text';
ALTER TABLE messages ADD COLUMN system TEXT;
ALTER TABLE conversation_messages ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

CREATE TEMP TABLE migration_seq (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
INSERT INTO migration_seq (id, seq)
  SELECT id, ROW_NUMBER() OVER (PARTITION BY conversation_id ORDER BY id) FROM messages;
UPDATE messages SET seq = (SELECT s.seq FROM migration_seq s WHERE s.id = messages.id);
UPDATE conversation_messages SET seq = (SELECT s.seq FROM migration_seq s WHERE s.id = conversation_messages.message_id);
DROP TABLE migration_seq;

CREATE TEMP TABLE migration_tail (conversation_id INTEGER PRIMARY KEY, last_seq INTEGER, last_id INTEGER,
                                  last_kept_id INTEGER);
INSERT INTO migration_tail (conversation_id, last_seq, last_id, last_kept_id)
  SELECT conversation_id, MAX(seq), MAX(id), MAX(CASE WHEN deleted_at IS NULL THEN id END) FROM messages
  GROUP BY conversation_id;
UPDATE conversations SET
  last_seq = COALESCE((SELECT t.last_seq FROM migration_tail t WHERE t.conversation_id = conversations.id), 0),
  last_message_id = (SELECT t.last_kept_id FROM migration_tail t WHERE t.conversation_id = conversations.id),
  last_activity_at = COALESCE((SELECT m.created_at FROM migration_tail t JOIN messages m ON m.id = t.last_id
                               WHERE t.conversation_id = conversations.id), created_at);
DROP TABLE migration_tail;

UPDATE conversation_members SET
  joined_seq = 1,
  read_seq = COALESCE((SELECT m.seq FROM messages m WHERE m.id = conversation_members.last_read_message_id), 0);
UPDATE conversation_members SET delivered_seq = read_seq;

CREATE INDEX conversation_messages_seq ON conversation_messages (conversation_id, seq);
-- "My conversations by activity": the user's memberships from an index that holds their
-- conversation ids (no read of the member rows), joined to conversations and sorted. (An index
-- by activity on the member rows would spare the sort, but every entry would then move one
-- index entry per member on the writer: too dear for the one-to-one hot path.)
DROP INDEX conversation_members_user;
CREATE INDEX conversation_members_user ON conversation_members (user_id, conversation_id);
)sql",
     R"sql(
ALTER TABLE messages ADD COLUMN seq BIGINT, ADD COLUMN kind TEXT NOT NULL DEFAULT 'text'
  CHECK (kind IN ('text', 'system')), ADD COLUMN system TEXT;
UPDATE messages m SET seq = s.n
  FROM (SELECT id, row_number() OVER (PARTITION BY conversation_id ORDER BY id) AS n FROM messages) s
  WHERE m.id = s.id;
CREATE UNIQUE INDEX messages_seq ON messages (conversation_id, seq);

ALTER TABLE conversations ADD COLUMN last_seq BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN last_activity_at BIGINT, ADD COLUMN last_message_id BIGINT;
UPDATE conversations c SET
  last_seq = COALESCE((SELECT MAX(seq) FROM messages WHERE conversation_id = c.id), 0),
  last_activity_at = COALESCE((SELECT created_at FROM messages WHERE conversation_id = c.id
                               ORDER BY seq DESC LIMIT 1), c.created_at),
  last_message_id = (SELECT id FROM messages WHERE conversation_id = c.id AND deleted_at IS NULL
                     ORDER BY seq DESC LIMIT 1);
ALTER TABLE conversations ALTER COLUMN last_activity_at SET DEFAULT 0, ALTER COLUMN last_activity_at SET NOT NULL;

ALTER TABLE conversation_members
  ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
  ADD COLUMN joined_seq BIGINT NOT NULL DEFAULT 0, ADD COLUMN read_seq BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN delivered_seq BIGINT NOT NULL DEFAULT 0;
UPDATE conversation_members cm SET joined_seq = 1,
  read_seq = COALESCE((SELECT seq FROM messages WHERE id = cm.last_read_message_id), 0),
  delivered_seq = COALESCE((SELECT seq FROM messages WHERE id = cm.last_read_message_id), 0);
DROP INDEX conversation_members_user;
CREATE INDEX conversation_members_user ON conversation_members (user_id, conversation_id)
  INCLUDE (role, read_seq, delivered_seq, joined_seq);
)sql"},
    // SQLite: the bulk-filled conversation index keyed by (conversation, seq), the only order
    // it is read in, instead of (conversation, message id) plus an index by seq: each bulk then
    // writes one B-tree, not two (within a conversation seq and id grow together, so nothing
    // is lost). PostgreSQL has no such table.
    {4, "SQLite: the conversation index keyed by seq",
     R"sql(
CREATE TABLE conversation_log (
  conversation_id INTEGER NOT NULL,
  seq             INTEGER NOT NULL,
  message_id      INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, seq)
) WITHOUT ROWID;
INSERT INTO conversation_log (conversation_id, seq, message_id)
  SELECT conversation_id, seq, message_id FROM conversation_messages ORDER BY conversation_id, seq;
DROP TABLE conversation_messages;
ALTER TABLE conversation_log RENAME TO conversation_messages;
)sql",
     R"sql(
SELECT 1;
)sql"},
    // Changing messages: an edit, a deletion or a reaction is a log entry of its own (it takes the
    // next seq; kind 'edit', 'delete' or 'reaction', target_id its message); an edit's entry keeps
    // the text it replaced (the message's earlier version, erased with the message). Reactions
    // are rows of their own, one per (message, emoji, user). On SQLite, conversations'
    // last_message_id is from now on the newest entry of any kind (the list reads its last
    // message from the log); PostgreSQL keeps it the newest message not deleted.
    {5, "changing messages: edit, delete and reaction entries, reactions",
     R"sql(
ALTER TABLE messages ADD COLUMN target_id INTEGER;
CREATE INDEX messages_target ON messages (target_id) WHERE target_id IS NOT NULL;
CREATE TABLE message_reactions (
  message_id INTEGER NOT NULL,
  emoji      TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (message_id, emoji, user_id)
) WITHOUT ROWID;
)sql",
     R"sql(
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
  CHECK (kind IN ('text', 'system', 'edit', 'delete', 'reaction'));
ALTER TABLE messages ADD COLUMN target_id BIGINT;
CREATE INDEX messages_target ON messages (target_id) WHERE target_id IS NOT NULL;
CREATE TABLE message_reactions (
  message_id BIGINT NOT NULL REFERENCES messages(id),
  emoji      TEXT NOT NULL,
  user_id    TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (message_id, emoji, user_id)
);
)sql"},
    // Presence: when a user's last socket closed, and whether it chose to appear offline.
    {6, "presence: last seen, appear offline",
     R"sql(
ALTER TABLE users ADD COLUMN last_seen_at INTEGER;
ALTER TABLE users ADD COLUMN appear_offline INTEGER NOT NULL DEFAULT 0;
CREATE INDEX users_appear_offline ON users (id) WHERE appear_offline <> 0;
)sql",
     R"sql(
ALTER TABLE users ADD COLUMN last_seen_at BIGINT, ADD COLUMN appear_offline SMALLINT NOT NULL DEFAULT 0;
CREATE INDEX users_appear_offline ON users (id) WHERE appear_offline <> 0;
)sql"},
};

}  // namespace

std::span<const Migration> migrations() { return all; }
int latest_schema_version() { return all[std::size(all) - 1].version; }

}  // namespace parley::store
