#!/usr/bin/env bash
# Fetches DJL's CUDA build of libtorch for the System 2 CUDA image (mvn -Pcuda package -pl system2-service -am):
# every file DJL publishes for <flavor>/linux-x86_64 under https://publish.djl.ai/pytorch/<version>/ (listed in
# files.txt there, each gzipped), unpacked into <out>/lib. These are the files DJL itself would download at first
# use; the image carries them so that pods download nothing. DJL's pytorch-jni 2.7.1-0.36.0 ships its JNI library
# for the flavour cu128 only (jnilib/linux-x86_64/cu128), hence CUDA 12.8: a driver of the 570 series or newer.
# Usage: deploy/images/fetch-libtorch-cuda.sh [VERSION] [FLAVOR] [OUT]
#   (defaults: 2.7.1, cu128, work/images/libtorch-VERSION-FLAVOR; several GB of downloads and as much disk)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version="${1:-2.7.1}"
flavor="${2:-cu128}"
out="${3:-$root/work/images/libtorch-$version-$flavor}"
base="https://publish.djl.ai/pytorch/$version"
if [ -f "$out/lib/libtorch.so" ] && [ -f "$out/lib/libtorch_cuda.so" ]; then
  echo "libtorch $version $flavor already at $out"; exit 0
fi
tmp="$out.partial"
rm -rf "$tmp" && mkdir -p "$tmp/lib"
files=$(curl -fsSL "$base/files.txt" | grep "^$flavor/linux-x86_64/native/lib/" || true)
[ -n "$files" ] || { echo "DJL publishes no $flavor/linux-x86_64 build of libtorch $version ($base/files.txt)" >&2; exit 1; }
for f in $files; do
  name=$(basename "$f" .gz)
  name=$(printf '%b' "${name//%/\\x}") # names are URL-encoded there (a '+' is %2B)
  echo "  $name"
  curl -fsSL "$base/$f" | gunzip > "$tmp/lib/$name"
done
for need in libtorch.so libtorch_cpu.so libtorch_cuda.so libc10_cuda.so; do
  [ -f "$tmp/lib/$need" ] || { echo "the $flavor build lacks $need" >&2; exit 1; }
done
rm -rf "$out" && mv "$tmp" "$out"
echo "libtorch $version $flavor: $out ($(du -sh "$out" | cut -f1), $(ls "$out/lib" | wc -l) files)"
