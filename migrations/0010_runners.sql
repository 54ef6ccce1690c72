-- Remote transcoding runners (issue 9): registration tokens, runners and the jobs offered to them.
-- Runner and job tokens are stored as SHA-256 hashes only; registration tokens are shown to administrators
-- (they paste them into `tubelet runner --token`), so they are kept as issued, like PeerTube does.

CREATE TABLE runner_registration_tokens (
  id          bigserial PRIMARY KEY,
  token       text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE runners (
  id                     bigserial PRIMARY KEY,
  name                   text NOT NULL UNIQUE,
  description            text,
  token_hash             text NOT NULL UNIQUE,
  -- Deleting a registration token unregisters the runners it let in (PeerTube does the same).
  registration_token_id  bigint NOT NULL REFERENCES runner_registration_tokens(id) ON DELETE CASCADE,
  ip                     text,
  last_contact           timestamptz NOT NULL DEFAULT now(),
  created_at             timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE runner_jobs (
  id             bigserial PRIMARY KEY,
  uuid           uuid NOT NULL UNIQUE,
  type           text NOT NULL CHECK (type IN ('vod-hls-transcoding', 'live-rtmp-hls-transcoding')),
  state          text NOT NULL CHECK (state IN ('pending', 'processing', 'completed', 'errored', 'cancelled')),
  video_id       bigint REFERENCES videos(id) ON DELETE CASCADE,
  -- What the runner is told (ladder settings, input URL); never secret.
  payload        jsonb NOT NULL,
  runner_id      bigint REFERENCES runners(id) ON DELETE SET NULL,
  job_token_hash text UNIQUE,
  progress       smallint NOT NULL DEFAULT 0,
  failures       int NOT NULL DEFAULT 0,
  -- One line per failed attempt, oldest first, shown to administrators and (the last) to the creator.
  errors         text[] NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now(),
  -- When the job last became pending: "both" mode hands it to a local worker when no runner takes it in time.
  pending_since  timestamptz NOT NULL DEFAULT now(),
  started_at     timestamptz,
  finished_at    timestamptz,
  last_contact   timestamptz
);

CREATE INDEX runner_jobs_pending_idx ON runner_jobs (pending_since) WHERE state = 'pending';
CREATE INDEX runner_jobs_processing_idx ON runner_jobs (last_contact) WHERE state = 'processing';
-- At most one open job per video: a second offer of the same video is a no-op.
CREATE UNIQUE INDEX runner_jobs_open_video_idx ON runner_jobs (video_id) WHERE state IN ('pending', 'processing');
