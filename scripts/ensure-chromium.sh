#!/usr/bin/env bash
# What the end-to-end tests need from Debian, installed when missing: chromium (Playwright drives /usr/bin/chromium;
# `playwright install` cannot download browsers on our machines) and a Japanese font (fonts-noto-cjk), so that the
# pages and the screenshots of failing journeys show Japanese text rather than boxes.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "ブラウザテストに必要なパッケージをインストールします: ${missing[*]}"
if [ "$(id -u)" = "0" ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "エラー: ${missing[*]} をインストールする権限がありません。管理者に 'apt-get install ${missing[*]}' を依頼してください。" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
command -v chromium >/dev/null
echo "インストールしました: $(chromium --version 2>/dev/null || echo chromium)、fonts-noto-cjk"
