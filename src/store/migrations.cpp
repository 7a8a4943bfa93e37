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
};

}  // namespace

std::span<const Migration> migrations() { return all; }
int latest_schema_version() { return all[std::size(all) - 1].version; }

}  // namespace parley::store
