# Shared by setup.sh, start.sh and test.sh (sourced, not run).

say() { printf '%s: %s\n' "${SCRIPT_NAME:-tubelet}" "$*"; }
die() {
  printf '%s: error: %s\n' "${SCRIPT_NAME:-tubelet}" "$*" >&2
  exit 1
}

# Reads KEY=VALUE lines from .env without overriding variables already set, the same precedence Bun
# uses when it loads .env itself, so `DATABASE_URL=... bun run start` still wins over the file.
load_dotenv() {
  local file=${1:-.env} line key value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    case "$line" in '' | \#*) continue ;; esac
    key=${line%%=*}
    value=${line#*=}
    key=${key#export }
    key=${key//[[:space:]]/}
    [[ $key =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
    if [ -z "${!key+set}" ]; then export "$key=$value"; fi
  done <"$file"
}
