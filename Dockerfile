# Tubelet as a container: the single executable on a slim Debian with ffmpeg.
#   docker build -t tubelet .
#   docker run -p 9000:9000 -p 1935:1935 -v tubelet-data:/var/lib/tubelet/data \
#     -e DATABASE_URL=postgres://... -e REDIS_URL=redis://... -e TUBELET_PUBLIC_URL=https://video.example.org tubelet

# --- build: the same steps as `bun run build` on a workstation ---------------------------------
# The Bun version the lockfile and the tests are checked with (.ci/run installs the same one).
ARG BUN_VERSION=1.4.5
FROM oven/bun:${BUN_VERSION} AS build
WORKDIR /src
# Dependencies first, so editing the source does not invalidate the install layer.
COPY package.json bun.lock bunfig.toml ./
RUN bun install --frozen-lockfile
COPY . .
RUN bun run build && ./dist/tubelet --version

# --- run: no Bun, no node_modules; views, migrations and assets are inside the executable ------
FROM debian:bookworm-slim
# ffmpeg transcodes and probes; ca-certificates lets federation reach other instances over HTTPS;
# the DejaVu font is what ffmpeg draws test cards and thumbnails' text with.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/tubelet --shell /usr/sbin/nologin tubelet \
 && mkdir -p /var/lib/tubelet/data \
 && chown -R tubelet:tubelet /var/lib/tubelet
COPY --from=build /src/dist/tubelet /usr/local/bin/tubelet

# Inside a container the server must listen on every interface for published ports to reach it.
ENV TUBELET_HOST=0.0.0.0 \
    TUBELET_DATA_DIR=/var/lib/tubelet/data
WORKDIR /var/lib/tubelet
USER tubelet
VOLUME /var/lib/tubelet/data
# 9000: HTTP (put Caddy or another TLS proxy in front); 1935: RTMP ingest for live streams.
EXPOSE 9000 1935
ENTRYPOINT ["/usr/local/bin/tubelet"]
CMD ["serve"]
