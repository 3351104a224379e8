#!/usr/bin/env bash
# Install Debian's chromium for the end-to-end tests when it is missing.
# (`playwright install` cannot download browsers on our machines; Playwright drives /usr/bin/chromium.)
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "chromium が見つからないため、Debian のパッケージからインストールします…"
if [ "$(id -u)" = "0" ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "エラー: chromium をインストールする権限がありません。管理者に 'apt-get install chromium' を依頼してください。" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null
echo "chromium をインストールしました: $(chromium --version 2>/dev/null || echo chromium)"
