#!/usr/bin/env bash
# Browser tests drive the system Chromium (never a downloaded browser). Install it from the
# distribution's packages when missing, then print the variable the tests read.
set -euo pipefail
find_chromium() {
  for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}
if ! path="$(find_chromium)"; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2
  fi
  path="$(find_chromium)" || { echo "echo 'chromium could not be installed' >&2"; exit 0; }
fi
echo "export NEVINDEX_CHROMIUM=$path"
