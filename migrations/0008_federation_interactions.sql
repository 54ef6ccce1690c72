-- Federation, phase 3: comments from other servers, blocklists, and the health of the hosts we deliver to.

-- A comment written elsewhere keeps the id its server gave it; local comments keep NULL (their id is derived from
-- the public URL, the video's uuid and the row id, like local videos' and actors' ids).
ALTER TABLE comments ADD COLUMN ap_id text;
CREATE UNIQUE INDEX comments_ap_id_key ON comments (ap_id);

-- What the administrators refuse to federate with: a whole server (its host, with the port when not default) or
-- one remote actor. Activities from them are refused, nothing is delivered to them, and what they sent is hidden.
CREATE TABLE federation_blocks (
  id          bigserial PRIMARY KEY,
  domain      text CHECK (domain IS NULL OR domain ~ '^[a-z0-9.:\[\]-]{1,255}$'),
  actor_id    bigint REFERENCES actors (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((domain IS NULL) <> (actor_id IS NULL))
);
CREATE UNIQUE INDEX federation_blocks_domain_key ON federation_blocks (domain) WHERE domain IS NOT NULL;
CREATE UNIQUE INDEX federation_blocks_actor_key ON federation_blocks (actor_id) WHERE actor_id IS NOT NULL;

-- Consecutive delivery failures per host: a host that keeps failing is paused, so its jobs wait instead of
-- spending attempts (and workers) on a server that is down.
CREATE TABLE federation_host_health (
  host                  text PRIMARY KEY,
  consecutive_failures  integer NOT NULL DEFAULT 0,
  paused_until          timestamptz,
  updated_at            timestamptz NOT NULL DEFAULT now()
);
