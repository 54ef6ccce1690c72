-- Redundancy: this instance mirrors videos of instances it follows, and records who mirrors its own videos.

-- The administrators' redundancy settings, when changed from the admin page; until then the configuration's apply.
CREATE TABLE redundancy_settings (
  id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  settings    jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Our mirrors of remote videos: every rendition's playlists, init and media segments and the SHA-256 map, kept under
-- redundancy/hls/<uuid>/ in the data folder and served under /static/. A row exists only once every file is in
-- place and checked; it goes with the remote video (its files are swept by the next redundancy run).
CREATE TABLE video_mirrors (
  id            bigserial PRIMARY KEY,
  video_id      bigint NOT NULL UNIQUE REFERENCES videos (id) ON DELETE CASCADE,
  uuid          uuid NOT NULL UNIQUE,
  strategy      text NOT NULL CHECK (strategy IN ('most-viewed', 'trending', 'recently-added', 'manual')),
  size_bytes    bigint NOT NULL,
  bytes_served  bigint NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  -- The `expires` of the CacheFile last announced; renewed (Update) before it passes.
  expires_at    timestamptz NOT NULL
);

-- Mirrors other instances announced (CacheFile) of our videos, checked against our SHA-256 map before they are
-- recorded and again at every redundancy run; players fetch segments from them as well as from us.
CREATE TABLE video_redundancies (
  id              bigserial PRIMARY KEY,
  video_id        bigint NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  actor_id        bigint NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
  -- The CacheFile's id, which Update and Undo refer to.
  ap_id           text NOT NULL UNIQUE,
  -- The folder holding the mirror's master playlist and segments, named as ours are.
  base_url        text NOT NULL,
  expires_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  checked_at      timestamptz NOT NULL DEFAULT now(),
  -- Consecutive checks the mirror did not answer; it is dropped after a few.
  failed_checks   integer NOT NULL DEFAULT 0,
  UNIQUE (video_id, actor_id)
);
CREATE INDEX video_redundancies_video_idx ON video_redundancies (video_id);
