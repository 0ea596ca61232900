#!/usr/bin/env bash
# The three service images without a container daemon or a registry: the base from Debian's
# packages (build-base.sh), then Jib writes each image as a tarball:
#   system1-service/target/image.tar, system2-service/target/image.tar, orchestrator/target/image.tar
# Load them with `docker load -i`, `podman load -i`, or push them with `skopeo copy docker-archive:...`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
base="$root/work/images/base-jre17.tar"
[ -f "$base" ] || bash "$root/deploy/images/build-base.sh" "$base"
cd "$root"
mvn -B -q -Pimages -DskipTests -Dfsgen.base.image="$base" package -pl system1-service,system2-service,orchestrator -am
ls -la system1-service/target/image.tar system2-service/target/image.tar orchestrator/target/image.tar
# With --cuda, System 2's CUDA image too: system2-service/target/image-cuda.tar (fsgen/system2-cuda), its libtorch
# fetched first from DJL's site (fetch-libtorch-cuda.sh, several GB).
if [ "${1:-}" = "--cuda" ]; then
  bash "$root/deploy/images/fetch-libtorch-cuda.sh"
  mvn -B -q -Pcuda -DskipTests -Dfsgen.base.image="$base" package -pl system2-service -am
  ls -la system2-service/target/image-cuda.tar
fi
