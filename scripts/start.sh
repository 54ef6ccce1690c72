#!/usr/bin/env bash
# `bun run start`: prepares the machine (scripts/setup.sh), builds the browser bundles (skipped when
# up to date), then serves Tubelet from source.
# `serve` applies pending migrations itself, under an advisory lock.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
SCRIPT_NAME=start
. scripts/lib.sh

bash scripts/setup.sh
bun scripts/build-assets.ts
load_dotenv
exec bun src/main.ts serve "$@"
