-- Federation, phase 2: videos of other instances, kept beside local ones so listings and search show them.

-- A remote channel (a Group actor of another instance) has no local owner. Its account, when known, is a remote
-- Person actor; listings fall back to the channel itself when it is not.
ALTER TABLE channels
  ALTER COLUMN owner_id DROP NOT NULL,
  ADD COLUMN account_actor_id bigint REFERENCES actors (id) ON DELETE SET NULL;

-- A remote video is played from its origin: the URLs come from its Video object. ap_id is NULL for local videos
-- (their id is derived from the public URL and the uuid, like local actors' ids).
ALTER TABLE videos
  ADD COLUMN ap_id                 text,
  ADD COLUMN origin_watch_url      text,
  ADD COLUMN origin_master_url     text,
  ADD COLUMN origin_hashes_url     text,
  ADD COLUMN origin_thumbnail_url  text,
  ADD COLUMN origin_preview_url    text,
  ADD COLUMN origin_tracker_urls   text[] NOT NULL DEFAULT '{}',
  ADD CONSTRAINT videos_remote_urls_check CHECK (ap_id IS NULL OR (origin_watch_url IS NOT NULL AND origin_master_url IS NOT NULL));
CREATE UNIQUE INDEX videos_ap_id_key ON videos (ap_id);
