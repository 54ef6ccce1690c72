-- Accounts, channels, sessions and OAuth tokens.
-- Handles of people (accounts) and groups (channels) share one namespace per instance,
-- as ActivityPub actors do; they are stored lower-case.

CREATE TABLE actors (
  id            bigserial PRIMARY KEY,
  handle        text NOT NULL CHECK (handle = lower(handle) AND length(handle) BETWEEN 1 AND 50),
  kind          text NOT NULL CHECK (kind IN ('person', 'group', 'application')),
  display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 120),
  description   text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
  avatar_path   text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX actors_handle_key ON actors (handle);

CREATE TABLE users (
  id             bigserial PRIMARY KEY,
  actor_id       bigint NOT NULL UNIQUE REFERENCES actors (id) ON DELETE CASCADE,
  email          text NOT NULL CHECK (length(email) <= 254),
  password_hash  text NOT NULL,
  role           text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  approved       boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE channels (
  id          bigserial PRIMARY KEY,
  actor_id    bigint NOT NULL UNIQUE REFERENCES actors (id) ON DELETE CASCADE,
  owner_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  support     text NOT NULL DEFAULT '' CHECK (length(support) <= 1000),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX channels_owner_idx ON channels (owner_id);

CREATE TABLE sessions (
  token_hash  bytea PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE oauth_clients (
  client_id      text PRIMARY KEY,
  client_secret  text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE oauth_tokens (
  access_hash         bytea PRIMARY KEY,
  refresh_hash        bytea NOT NULL UNIQUE,
  user_id             bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id           text NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
  access_expires_at   timestamptz NOT NULL,
  refresh_expires_at  timestamptz NOT NULL
);
CREATE INDEX oauth_tokens_user_idx ON oauth_tokens (user_id);
