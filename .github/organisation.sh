#!/usr/bin/env bash
# The forge's installers for an organisation: writes target/organisation.json (its service) and
# target/organisation.conf.json, which `tauri build --config` merges so that the file is among
# the installers' resources (read by the app at start: crates/desk/src/settings.rs). Without a
# URL, the configuration adds nothing and the installers are the demo's.
set -euo pipefail
url="${1:-}"
mkdir -p target
if [ -z "$url" ]; then
    echo '{}' > target/organisation.conf.json
    exit 0
fi
case "$url" in
    https://?*) ;;
    *) echo "the organisation's service must be an https:// address, not: $url" >&2; exit 1 ;;
esac
node -e '
const fs = require("fs"), path = require("path");
fs.writeFileSync("target/organisation.json", JSON.stringify({ service_url: process.argv[1] }) + "\n");
const file = path.resolve("target/organisation.json");
fs.writeFileSync("target/organisation.conf.json",
  JSON.stringify({ bundle: { resources: { [file]: "organisation.json" } } }) + "\n");
' "$url"
