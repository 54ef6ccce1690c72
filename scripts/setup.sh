#!/usr/bin/env bash
# Prepares a Debian/Ubuntu machine to run Tubelet from source: system packages, JavaScript dependencies,
# PostgreSQL, Redis and the database. Safe to run again and again: when everything is in place it touches
# nothing and takes well under two seconds, so start.sh and test.sh call it every time.
#
# Usage: scripts/setup.sh [--test] [--bench]
#   --test   also Chromium, for the end-to-end tests
#   --bench  also wrk, for the HTTP benchmarks
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
SCRIPT_NAME=setup
. scripts/lib.sh

with_test=false
with_bench=false
for arg in "$@"; do
  case "$arg" in
    --test) with_test=true ;;
    --bench) with_bench=true ;;
    -h | --help)
      sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *) die "unknown option $arg (expected --test or --bench)" ;;
  esac
done

load_dotenv
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tubelet}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}

has() { command -v "$1" >/dev/null 2>&1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif has sudo; then
    sudo "$@"
  else
    die "root is needed for: $* (run as root or install sudo)"
  fi
}

# Containers often ship systemctl without a running systemd; only talk to it when it answers.
systemd_up() { [ -d /run/systemd/system ] && has systemctl && systemctl list-units --no-pager >/dev/null 2>&1; }

# Polls a condition until it holds or the deadline (seconds) passes.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# Splits postgres:// or redis:// URLs into URL_USER, URL_PASSWORD, URL_HOST, URL_PORT and URL_PATH.
parse_url() {
  local rest=${1#*://} authority userinfo=""
  authority=${rest%%[/?#]*}
  rest=${rest#"$authority"}
  URL_PATH=${rest%%[?#]*}
  URL_PATH=${URL_PATH#/}
  if [[ $authority == *@* ]]; then
    userinfo=${authority%@*}
    authority=${authority##*@}
  fi
  URL_USER=${userinfo%%:*}
  URL_PASSWORD=""
  [[ $userinfo == *:* ]] && URL_PASSWORD=${userinfo#*:}
  if [[ $authority =~ ^\[(.*)\](:([0-9]+))?$ ]]; then
    URL_HOST=${BASH_REMATCH[1]}
    URL_PORT=${BASH_REMATCH[3]}
  else
    URL_HOST=${authority%%:*}
    URL_PORT=""
    [[ $authority == *:* ]] && URL_PORT=${authority##*:}
  fi
  URL_HOST=${URL_HOST:-127.0.0.1}
  URL_PORT=${URL_PORT:-$2}
}

is_local() { [[ $1 == localhost || $1 == 127.* || $1 == ::1 ]]; }

port_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null; }

# Any reply counts: a Redis that wants a password answers -NOAUTH, and it is still running.
redis_answers() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "PING\r\n" >&3 && IFS= read -r reply <&3 && [ -n "$reply" ]' "$1" "$2" 2>/dev/null
}

parse_url "$DATABASE_URL" 5432
DB_USER=${URL_USER:-postgres} DB_PASSWORD=$URL_PASSWORD DB_HOST=$URL_HOST DB_PORT=$URL_PORT DB_NAME=${URL_PATH:-tubelet}
parse_url "$REDIS_URL" 6379
REDIS_HOST=$URL_HOST REDIS_PORT=$URL_PORT

# --- System packages -----------------------------------------------------------------------------
missing=()
{ has ffmpeg && has ffprobe; } || missing+=(ffmpeg)
has caddy || missing+=(caddy)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if $with_test; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # Japanese pages in the e2e screenshots need a font with kana and kanji (12 MB; browsers of real users have one).
  [ -d /usr/share/fonts/opentype/ipafont-gothic ] || missing+=(fonts-ipafont-gothic)
fi
if $with_bench; then has wrk || missing+=(wrk); fi
# A PostgreSQL or Redis that already answers (a CI service, another host) is used as it is.
if is_local "$DB_HOST" && ! port_open "$DB_HOST" "$DB_PORT" && ! has pg_ctlcluster; then missing+=(postgresql); fi
if is_local "$REDIS_HOST" && ! redis_answers "$REDIS_HOST" "$REDIS_PORT" && ! has redis-server; then missing+=(redis-server); fi

if ((${#missing[@]})); then
  has apt-get || die "missing ${missing[*]}, and there is no apt-get here; install them by hand (Debian 12 or Ubuntu 24.04 expected)"
  say "installing ${missing[*]} with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed; check the network and /etc/apt/sources.list"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed (see the messages above)"
fi
say "system packages ok"

# --- JavaScript dependencies ---------------------------------------------------------------------
if [ ! -d node_modules ] || [ bun.lock -nt node_modules ] || [ package.json -nt node_modules ]; then
  say "installing JavaScript dependencies (bun install --frozen-lockfile)"
  bun install --frozen-lockfile || die "bun install failed; if package.json changed, run 'bun install' and commit bun.lock"
  # bun leaves the folder's time alone when nothing changed; without this every run would reinstall.
  touch node_modules
fi

# --- PostgreSQL ----------------------------------------------------------------------------------
start_postgres() {
  has pg_lsclusters || die "nothing answers on $DB_HOST:$DB_PORT and this PostgreSQL is not a Debian install; start it yourself or set DATABASE_URL"
  local ver name port status cluster=""
  while read -r ver name port status _; do
    if [ "$port" = "$DB_PORT" ]; then
      cluster="$ver $name"
      break
    fi
  done < <(pg_lsclusters --no-header)
  [ -n "$cluster" ] || die "no local PostgreSQL cluster uses port $DB_PORT (see pg_lsclusters); set DATABASE_URL to the right port"
  set -- $cluster
  say "starting PostgreSQL $1/$2"
  if systemd_up; then
    as_root systemctl start "postgresql@$1-$2" || die "systemctl start postgresql@$1-$2 failed"
  else
    as_root pg_ctlcluster --skip-systemctl-redirect "$1" "$2" start || die "pg_ctlcluster $1 $2 start failed"
  fi
  wait_until 30 port_open "$DB_HOST" "$DB_PORT" ||
    die "PostgreSQL did not open $DB_HOST:$DB_PORT within 30 s; see /var/log/postgresql/postgresql-$1-$2.log"
}

if ! port_open "$DB_HOST" "$DB_PORT"; then
  is_local "$DB_HOST" || die "cannot reach PostgreSQL at $DB_HOST:$DB_PORT (from DATABASE_URL); is it running?"
  start_postgres
fi
say "PostgreSQL on $DB_HOST:$DB_PORT answers"

# --- Redis ---------------------------------------------------------------------------------------
if ! redis_answers "$REDIS_HOST" "$REDIS_PORT"; then
  is_local "$REDIS_HOST" || die "cannot reach Redis at $REDIS_HOST:$REDIS_PORT (from REDIS_URL); is it running?"
  say "starting Redis on port $REDIS_PORT"
  if systemd_up && [ "$REDIS_PORT" = 6379 ] && systemctl cat redis-server.service >/dev/null 2>&1; then
    as_root systemctl start redis-server || die "systemctl start redis-server failed"
  else
    # Queues and rate limits are rebuilt on start, so this development Redis keeps nothing on disk.
    bind=127.0.0.1
    [ "$REDIS_HOST" = ::1 ] && bind=::1
    redis-server --daemonize yes --bind "$bind" --port "$REDIS_PORT" --save "" --appendonly no >/dev/null ||
      die "redis-server failed to start on port $REDIS_PORT"
  fi
  wait_until 15 redis_answers "$REDIS_HOST" "$REDIS_PORT" || die "Redis did not answer on $REDIS_HOST:$REDIS_PORT within 15 s"
fi
say "Redis on $REDIS_HOST:$REDIS_PORT answers"

# --- Credentials and the database ----------------------------------------------------------------
# A fresh Debian PostgreSQL accepts the postgres role only through the Unix socket (peer auth as the
# postgres OS user) and asks for a password on TCP (scram), and that role has no password yet. CI
# machines instead trust postgres on 127.0.0.1. For the fresh case we give the role a random password
# through the socket and write DATABASE_URL and TEST_DATABASE_ADMIN_URL into the gitignored .env
# (mode 600), which start.sh, test.sh and Bun itself load. Adding a `trust` line to pg_hba.conf
# would be shorter, but would let every local account connect as the superuser.
can_set_local_password() {
  is_local "$DB_HOST" && [ "$DB_USER" = postgres ] && [ -z "$DB_PASSWORD" ] && id postgres >/dev/null 2>&1 && has psql
}

psql_as_postgres() {
  local runner=(runuser -u postgres --)
  [ "$(id -u)" -eq 0 ] || runner=(sudo -u postgres)
  # From /, because the postgres account usually cannot enter the checkout.
  (cd / && "${runner[@]}" psql -X -q -At -v ON_ERROR_STOP=1 -p "$DB_PORT" -d postgres "$@")
}

set_local_password() {
  local has_password password
  has_password=$(psql_as_postgres -c "SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = 'postgres'") ||
    die "PostgreSQL refused the password-less login, and connecting as the postgres OS user failed too"
  [ "$has_password" = f ] ||
    die "the postgres role already has a password; put it in .env as DATABASE_URL=postgres://postgres:PASSWORD@$DB_HOST:$DB_PORT/$DB_NAME"
  password=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
  # Through stdin, so the password never appears in a process list.
  printf "ALTER ROLE postgres PASSWORD '%s';\n" "$password" | psql_as_postgres -f - || die "could not set the postgres role's password"

  local host=$DB_HOST tmp base
  [[ $host == *:* ]] && host="[$host]"
  base="postgres://postgres:$password@$host:$DB_PORT"
  tmp=$(mktemp .env.XXXXXX)
  chmod 600 "$tmp"
  if [ -f .env ]; then grep -vE '^(export )?(DATABASE_URL|TEST_DATABASE_ADMIN_URL)=' .env >>"$tmp" || true; fi
  printf '# Written by scripts/setup.sh: the password it gave the local postgres role.\nDATABASE_URL=%s\nTEST_DATABASE_ADMIN_URL=%s\n' \
    "$base/$DB_NAME" "$base/postgres" >>"$tmp"
  mv "$tmp" .env
  export DATABASE_URL="$base/$DB_NAME" TEST_DATABASE_ADMIN_URL="$base/postgres"
  say "gave the local postgres role a password, saved in .env"
}

rc=0
# Quiet on the first try: a refused password-less login is the expected state of a fresh install.
report=$(bun scripts/ensure-database.ts 2>&1) || rc=$?
if [ "$rc" -eq 3 ] && can_set_local_password; then
  set_local_password
  rc=0
  report=$(bun scripts/ensure-database.ts 2>&1) || rc=$?
fi
[ -z "$report" ] || printf '%s\n' "$report"
case "$rc" in
  0) ;;
  2) die "cannot reach PostgreSQL at $DB_HOST:$DB_PORT (from DATABASE_URL)" ;;
  3) die "PostgreSQL refused the credentials of DATABASE_URL; put working ones in .env, e.g. DATABASE_URL=postgres://postgres:PASSWORD@$DB_HOST:$DB_PORT/$DB_NAME" ;;
  *) die "could not prepare database $DB_NAME (see the message above)" ;;
esac
say "ready"
