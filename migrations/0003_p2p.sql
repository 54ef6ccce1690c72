-- P2P: each viewer's consent kept in their profile, and the bytes players report (HTTP, from peers, uploaded).

-- NULL: follow the instance's default (and the browser's cookie); 'on' or 'off': the person's own choice.
ALTER TABLE users ADD COLUMN p2p_preference text CHECK (p2p_preference IN ('on', 'off'));

ALTER TABLE videos
  ADD COLUMN http_bytes bigint NOT NULL DEFAULT 0,
  ADD COLUMN p2p_bytes bigint NOT NULL DEFAULT 0,
  ADD COLUMN uploaded_bytes bigint NOT NULL DEFAULT 0;

-- Instance-wide totals per day, so the admin page can show a trend without scanning every video.
CREATE TABLE p2p_daily (
  day             date PRIMARY KEY,
  http_bytes      bigint NOT NULL DEFAULT 0,
  p2p_bytes       bigint NOT NULL DEFAULT 0,
  uploaded_bytes  bigint NOT NULL DEFAULT 0
);
