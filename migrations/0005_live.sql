-- Lives (issue 6). A live IS a video (videos.is_live, state 'published', no original), so the watch page,
-- the API, privacy, comments and ratings work unchanged; this table holds what only a live has.

CREATE TABLE lives (
  id              bigserial PRIMARY KEY,
  video_id        bigint NOT NULL UNIQUE REFERENCES videos (id) ON DELETE CASCADE,
  -- What the publisher puts in OBS. Kept in clear: its owner must be able to read it back.
  stream_key      text NOT NULL UNIQUE CHECK (length(stream_key) >= 32),
  save_replay     boolean NOT NULL DEFAULT false,
  -- A permanent live goes back to 'waiting' when its publisher stops, and can be published to again.
  permanent       boolean NOT NULL DEFAULT false,
  latency_mode    text NOT NULL DEFAULT 'normal' CHECK (latency_mode IN ('normal', 'low')),
  state           text NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'live', 'ended')),
  -- The current (or last) publish session: part of the files' URLs, so each session's segments are new files.
  session         text CHECK (session ~ '^[A-Za-z0-9_-]{1,64}$'),
  started_at      timestamptz,
  -- When the session's first segment was written: until then its playlists do not exist, so pages keep waiting.
  playable_at     timestamptz,
  ended_at        timestamptz,
  replay_video_id bigint REFERENCES videos (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (state <> 'live' OR session IS NOT NULL)
);

-- Lives not on air are left out of public listings (NOT EXISTS over this small index).
CREATE INDEX lives_off_air_idx ON lives (video_id) WHERE state <> 'live';
-- The per-user and per-instance limits count lives on air.
CREATE INDEX lives_on_air_idx ON lives (video_id) WHERE state = 'live';
