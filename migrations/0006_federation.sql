-- Federation (ActivityPub): remote actors cached beside local ones, actor keys, follow states, inbox idempotency.

-- Local actors (domain NULL) keep uri NULL: their ids are derived from the instance's public URL and handle, so a
-- change of TUBELET_PUBLIC_URL cannot leave stale copies behind. Remote actors store what their server published.
ALTER TABLE actors
  ADD COLUMN uri               text,
  ADD COLUMN inbox_url         text,
  ADD COLUMN shared_inbox_url  text,
  ADD COLUMN outbox_url        text,
  ADD COLUMN followers_url     text,
  ADD COLUMN following_url     text,
  ADD COLUMN url               text,
  ADD COLUMN public_key_pem    text,
  -- Only actors of this instance sign; a remote actor's private key is never known here.
  ADD COLUMN private_key_pem   text CHECK (private_key_pem IS NULL OR domain IS NULL),
  ADD COLUMN key_id            text,
  -- When a remote actor was last fetched; NULL for local actors.
  ADD COLUMN fetched_at        timestamptz,
  ADD CONSTRAINT actors_remote_uri_check CHECK (domain IS NULL OR (uri IS NOT NULL AND inbox_url IS NOT NULL));

CREATE UNIQUE INDEX actors_uri_key ON actors (uri);
CREATE INDEX actors_key_id_idx ON actors (key_id);

-- Handles were unique instance-wide; remote actors bring their own namespace per domain.
DROP INDEX actors_handle_key;
CREATE UNIQUE INDEX actors_local_handle_key ON actors (handle) WHERE domain IS NULL;
CREATE UNIQUE INDEX actors_remote_handle_key ON actors (handle, domain) WHERE domain IS NOT NULL;

-- A follow starts pending when a remote actor has to accept it; local subscriptions are accepted at once.
ALTER TABLE subscriptions
  ADD COLUMN state text NOT NULL DEFAULT 'accepted' CHECK (state IN ('pending', 'accepted')),
  -- The Follow activity's id, which Accept, Reject and Undo refer to; NULL for subscriptions between local actors.
  ADD COLUMN follow_activity_id text;
CREATE UNIQUE INDEX subscriptions_follow_activity_key ON subscriptions (follow_activity_id);

-- Inbound activities already processed: the same activity id delivered twice has one effect.
CREATE TABLE ap_inbox_seen (
  activity_id  text PRIMARY KEY,
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ap_inbox_seen_received_idx ON ap_inbox_seen (received_at);
