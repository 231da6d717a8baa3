#!/usr/bin/env bash
# System packages MediaGen needs: ffmpeg/ffprobe (media pipeline) and Chromium (browser tests).
set -euo pipefail
need=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "Please install: ${need[*]} (e.g. sudo apt-get install -y ${need[*]})" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "system packages ok: $(ffmpeg -version | head -n1 | cut -d' ' -f1-3), $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
