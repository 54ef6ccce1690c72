-- Viewer features: search, comments, ratings, subscriptions, notifications, playlists, trending,
-- personal settings. Each section below belongs to one feature folder under src/.

-- pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it without superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- NULL domain: an actor of this instance. Federation fills it for remote accounts and channels.
ALTER TABLE actors ADD COLUMN domain text;

-- ---- accounts: personal settings ----
ALTER TABLE users
  -- NULL: follow the browser's Accept-Language.
  ADD COLUMN locale text CHECK (locale IN ('en', 'ja')),
  ADD COLUMN sensitive_policy text NOT NULL DEFAULT 'blur' CHECK (sensitive_policy IN ('show', 'blur', 'hide')),
  -- NULL: every language; otherwise only videos in these languages (and videos with no language) are listed.
  ADD COLUMN video_languages text[],
  -- Per notification type: false turns it off; a missing key means on.
  ADD COLUMN notification_settings jsonb NOT NULL DEFAULT '{}';

-- ---- videos: flags used by listings and search ----
ALTER TABLE videos
  ADD COLUMN sensitive boolean NOT NULL DEFAULT false,
  ADD COLUMN is_live boolean NOT NULL DEFAULT false,
  ADD COLUMN likes integer NOT NULL DEFAULT 0,
  ADD COLUMN dislikes integer NOT NULL DEFAULT 0;

-- ---- search ----
-- to_tsvector over an array needs an immutable text form of the tags.
CREATE FUNCTION tubelet_tags_text(tags text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(array_to_string(tags, ' '), '') $$;

ALTER TABLE videos ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple'::regconfig, name), 'A') ||
  setweight(to_tsvector('simple'::regconfig, tubelet_tags_text(tags)), 'B') ||
  setweight(to_tsvector('simple'::regconfig, left(description, 4000)), 'C')
) STORED;
CREATE INDEX videos_search_idx ON videos USING gin (search_vector);
CREATE INDEX videos_name_trgm_idx ON videos USING gin (lower(name) gin_trgm_ops);
CREATE INDEX videos_tags_idx ON videos USING gin (tags);
CREATE INDEX actors_name_trgm_idx ON actors USING gin (lower(display_name || ' ' || handle) gin_trgm_ops);

-- ---- browse: views per hour, for trending ----
CREATE TABLE video_views_hourly (
  video_id  bigint NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  hour      timestamptz NOT NULL,
  views     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (video_id, hour)
);
CREATE INDEX video_views_hourly_hour_idx ON video_views_hourly (hour);

-- ---- comments ----
CREATE TABLE comments (
  id          bigserial PRIMARY KEY,
  video_id    bigint NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  -- NULL once the author's account is gone; the comment then reads as deleted.
  actor_id    bigint REFERENCES actors (id) ON DELETE SET NULL,
  -- Replies point at the comment they answer and at the thread's first comment.
  parent_id   bigint REFERENCES comments (id) ON DELETE CASCADE,
  thread_id   bigint REFERENCES comments (id) ON DELETE CASCADE,
  text        text NOT NULL CHECK (length(text) <= 10000),
  -- Deleting keeps the row (text emptied) so that replies stay readable in their thread.
  deleted_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_video_idx ON comments (video_id, thread_id, created_at);
CREATE INDEX comments_parent_idx ON comments (parent_id);
CREATE INDEX comments_actor_idx ON comments (actor_id);

-- ---- ratings ----
CREATE TABLE video_rates (
  actor_id    bigint NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
  video_id    bigint NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  rating      text NOT NULL CHECK (rating IN ('like', 'dislike')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (actor_id, video_id)
);
CREATE INDEX video_rates_video_idx ON video_rates (video_id);

-- ---- subscriptions ----
-- Between actors, so a remote account can later follow a channel here and a person here a remote channel.
CREATE TABLE subscriptions (
  subscriber_id  bigint NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
  channel_id     bigint NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subscriber_id, channel_id)
);
CREATE INDEX subscriptions_channel_idx ON subscriptions (channel_id);

-- ---- notifications ----
CREATE TABLE notifications (
  id          bigserial PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type        text NOT NULL CHECK (type IN ('new_video', 'comment_reply', 'video_comment', 'transcode_finished', 'transcode_failed')),
  video_id    bigint REFERENCES videos (id) ON DELETE CASCADE,
  comment_id  bigint REFERENCES comments (id) ON DELETE CASCADE,
  -- Who caused it (the commenter, the channel).
  actor_id    bigint REFERENCES actors (id) ON DELETE CASCADE,
  read_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- ---- playlists ----
CREATE TABLE playlists (
  id           bigserial PRIMARY KEY,
  uuid         uuid NOT NULL UNIQUE,
  short_id     text NOT NULL UNIQUE,
  owner_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  channel_id   bigint REFERENCES channels (id) ON DELETE SET NULL,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  description  text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
  privacy      smallint NOT NULL CHECK (privacy IN (1, 2, 3)),
  kind         text NOT NULL DEFAULT 'regular' CHECK (kind IN ('regular', 'watch_later')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX playlists_owner_idx ON playlists (owner_id, updated_at DESC);
CREATE UNIQUE INDEX playlists_watch_later_key ON playlists (owner_id) WHERE kind = 'watch_later';

CREATE TABLE playlist_elements (
  id           bigserial PRIMARY KEY,
  playlist_id  bigint NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
  video_id     bigint NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  position     integer NOT NULL CHECK (position >= 1),
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- Reordering shifts positions inside one statement; the check waits for its end.
  CONSTRAINT playlist_elements_position_key UNIQUE (playlist_id, position) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX playlist_elements_video_idx ON playlist_elements (video_id);
