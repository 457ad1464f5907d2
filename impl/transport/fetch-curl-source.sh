#!/bin/sh
# Fetch Debian's curl source package (with Debian's patches applied) into <dest-dir>.
#
#   impl/transport/fetch-curl-source.sh <dest-dir>
#
# Prints the absolute path of the extracted source tree (the directory holding `configure`) as
# the last line of stdout. Idempotent: a second run finds the tree from the first and only
# prints its path.
#
# `apt-get source` needs deb-src entries. When there are none and we run as root, this script
# derives them from the machine's own apt sources (the same mirrors, suites and keys as the
# binary entries, `deb` -> `deb-src`), writes them to /etc/apt/sources.list.d/chc-deb-src.*,
# and runs `apt-get update`. It also installs dpkg-dev (dpkg-source) when it is missing.
# No mirror name is written anywhere by this script: everything is copied from the machine.
#
# Environment:
#   CHC_CURL_SOURCE_VERSION   exact Debian version to fetch (default: the newest apt knows)
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 <dest-dir>" >&2
  exit 2
fi
dest=$1
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
marker="$dest/.chc-curl-source"

# Already fetched?
if [ -f "$marker" ]; then
  src=$(cat "$marker")
  if [ -f "$src/configure" ] && [ -f "$src/include/curl/curlver.h" ]; then
    echo "$src"
    exit 0
  fi
fi

log() { echo "fetch-curl-source: $*" >&2; }

is_root() { [ "$(id -u)" = 0 ]; }

have_deb_src() {
  # showsrc prints a "Package: curl" stanza only when some deb-src index lists curl.
  apt-cache showsrc curl 2>/dev/null | grep -q '^Package: curl$'
}

enable_deb_src() {
  # deb822 files: copy every stanza whose Types has "deb" with Types set to "deb-src".
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    case "$f" in */chc-deb-src.sources) continue ;; esac
    if grep -Eq '^Types:.*\bdeb\b' "$f"; then
      out=/etc/apt/sources.list.d/chc-deb-src.sources
      {
        echo "# Written by chconnect's impl/transport/fetch-curl-source.sh from $f"
        sed -E 's/^Types:.*$/Types: deb-src/' "$f"
        echo
      } >>"$out"
      log "added deb-src stanzas from $f to $out"
    fi
  done
  # one-line format: sources.list and *.list
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    case "$f" in */chc-deb-src.list) continue ;; esac
    if grep -Eq '^[[:space:]]*deb[[:space:]]' "$f"; then
      out=/etc/apt/sources.list.d/chc-deb-src.list
      {
        echo "# Written by chconnect's impl/transport/fetch-curl-source.sh from $f"
        grep -E '^[[:space:]]*deb[[:space:]]' "$f" | sed -E 's/^([[:space:]]*)deb([[:space:]])/\1deb-src\2/'
      } >>"$out"
      log "added deb-src lines from $f to $out"
    fi
  done
}

if ! have_deb_src; then
  if ! is_root; then
    log "no deb-src entry lists curl and we are not root; add deb-src entries (or set"
    log "CHC_CURL_SOURCE_DIR to an extracted curl source, or configure with -DCHC_SYSTEM_CURL=ON)"
    exit 1
  fi
  if [ ! -e /etc/apt/sources.list.d/chc-deb-src.sources ] && [ ! -e /etc/apt/sources.list.d/chc-deb-src.list ]; then
    enable_deb_src
  fi
  log "apt-get update"
  apt-get update -qq >&2
  if ! have_deb_src; then
    log "apt still knows no source package for curl"
    exit 1
  fi
fi

if ! command -v dpkg-source >/dev/null 2>&1; then
  if ! is_root; then
    log "dpkg-source missing: install dpkg-dev"
    exit 1
  fi
  log "installing dpkg-dev"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev >&2
fi

pkg=curl
if [ -n "${CHC_CURL_SOURCE_VERSION:-}" ]; then
  pkg="curl=$CHC_CURL_SOURCE_VERSION"
fi

# Download into a scratch directory first so an interrupted run leaves no half tree behind.
work="$dest/.work.$$"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
log "apt-get source $pkg (into $dest)"
# The _apt sandbox user cannot write into most build trees; the download then runs unsandboxed
# (apt says so in a notice). dpkg-source -x applies Debian's patch series.
(cd "$work" && apt-get source -qq "$pkg" >&2)

src_name=
for d in "$work"/curl-*; do
  if [ -d "$d" ] && [ -f "$d/configure" ]; then src_name=$(basename "$d"); fi
done
if [ -z "$src_name" ]; then
  log "apt-get source gave no curl-*/configure"
  exit 1
fi
rm -rf "${dest:?}/$src_name"
mv "$work/$src_name" "$dest/$src_name"
# keep the Debian package files (.dsc, .orig.tar.*, .debian.tar.*) for reference
for f in "$work"/curl_*; do
  if [ -f "$f" ]; then mv "$f" "$dest/"; fi
done
echo "$dest/$src_name" >"$marker"
echo "$dest/$src_name"
