#!/usr/bin/env bash
# Builds the base image of fsgen's service images without a container daemon or a registry: a
# minimal Debian bookworm with the Java 17 runtime (debootstrap, from Debian's package archive),
# packed as a one-layer image tarball in `docker save` format that Jib reads as tar://<file>.
# Usage: deploy/images/build-base.sh [OUT.tar]   (default: work/images/base-jre17.tar; needs root)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/work/images/base-jre17.tar}"
work="$root/work/images"
mkdir -p "$work" "$(dirname "$out")"
if ! command -v debootstrap >/dev/null; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
fi
rootfs="$work/rootfs"
if [ ! -x "$rootfs/usr/lib/jvm/java-17-openjdk-amd64/bin/java" ]; then
  rm -rf "$rootfs"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$rootfs" http://deb.debian.org/debian
  # what a server image does not need
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
  # the user the services run as (uid 10001), so that tools show a name
  echo "fsgen:x:10001:10001:fsgen:/nonexistent:/usr/sbin/nologin" >> "$rootfs/etc/passwd"
  echo "fsgen:x:10001:" >> "$rootfs/etc/group"
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tar -C "$rootfs" --sort=name --mtime=@0 --numeric-owner -cf "$tmp/layer.tar" .
diff=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
mkdir "$tmp/$diff" && mv "$tmp/layer.tar" "$tmp/$diff/layer.tar"
cat > "$tmp/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"debootstrap bookworm minbase + openjdk-17-jre-headless"}]}
JSON
cfg=$(sha256sum "$tmp/config.json" | cut -d' ' -f1)
mv "$tmp/config.json" "$tmp/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["fsgen/base-jre17:bookworm"],"Layers":["%s/layer.tar"]}]\n' "$cfg" "$diff" > "$tmp/manifest.json"
tar -C "$tmp" --sort=name --mtime=@0 --owner=0 --group=0 -cf "$out" manifest.json "$cfg.json" "$diff"
echo "base image: $out ($(du -h "$out" | cut -f1))"
