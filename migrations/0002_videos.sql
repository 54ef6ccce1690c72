-- Videos on demand, resumable uploads and per-user quotas.

ALTER TABLE users
  ADD COLUMN video_quota bigint NOT NULL DEFAULT -1,        -- bytes, -1 = unlimited
  ADD COLUMN video_quota_daily bigint NOT NULL DEFAULT -1;  -- bytes per 24 h, -1 = unlimited

CREATE TABLE videos (
  id                bigserial PRIMARY KEY,
  uuid              uuid NOT NULL UNIQUE,
  short_id          text NOT NULL UNIQUE,
  channel_id        bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  name              text NOT NULL CHECK (length(name) BETWEEN 3 AND 120),
  description       text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
  -- PeerTube's numbering: 1 public, 2 unlisted, 3 private.
  privacy           smallint NOT NULL CHECK (privacy IN (1, 2, 3)),
  category          integer,
  language          text,
  tags              text[] NOT NULL DEFAULT '{}',
  comments_enabled  boolean NOT NULL DEFAULT true,
  download_enabled  boolean NOT NULL DEFAULT true,
  state             text NOT NULL CHECK (state IN ('queued', 'transcoding', 'published', 'failed')),
  state_reason      text,
  progress          smallint NOT NULL DEFAULT 0,
  original_path     text,
  original_size     bigint NOT NULL DEFAULT 0,
  original_filename text NOT NULL DEFAULT '',
  duration          real NOT NULL DEFAULT 0,
  width             integer NOT NULL DEFAULT 0,
  height            integer NOT NULL DEFAULT 0,
  fps               real NOT NULL DEFAULT 0,
  audio_only        boolean NOT NULL DEFAULT false,
  renditions        jsonb NOT NULL DEFAULT '[]',
  output_size       bigint NOT NULL DEFAULT 0,
  views             bigint NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  published_at      timestamptz
);
CREATE INDEX videos_channel_idx ON videos (channel_id, created_at DESC);
CREATE INDEX videos_public_idx ON videos (published_at DESC, id DESC) WHERE privacy = 1 AND state = 'published';

-- An upload in progress: bytes go to a .part file until `received` reaches `size`.
CREATE TABLE upload_sessions (
  id          text PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  channel_id  bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  size        bigint NOT NULL CHECK (size > 0),
  received    bigint NOT NULL DEFAULT 0,
  filename    text NOT NULL,
  metadata    jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX upload_sessions_user_idx ON upload_sessions (user_id);
