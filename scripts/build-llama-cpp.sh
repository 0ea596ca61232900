#!/usr/bin/env bash
# Builds llama.cpp's native command-line tools (CPU only, Release) for the side-by-side benchmark:
# llama-bench (speed), llama-simple (greedy text), llama-tokenize (token ids of a text) and
# llama-speculative-simple (speculative decoding with a draft model). llama-cli is left out: in this
# release it links llama.cpp's whole server, which would triple the build time on two cores.
#
#   scripts/build-llama-cpp.sh [DIR]      (DIR defaults to work/llama.cpp under the repository root)
#
# The source is the llama.cpp release bundled with npm's node-llama-cpp (a git bundle inside the
# package), so only the npm registry is needed; it is built with the system's cmake and g++.
# Heavy steps run under `nice -n 19`. Running it again skips what is already there.
# The binaries end up in DIR/build/bin; the last line printed is that folder. fsgen finds them there
# for the default DIR; for another, point FSGEN_LLAMA_CPP_BIN (or -Dfsgen.llamacpp.bin) at that folder.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$root/work/llama.cpp}"
version="${NODE_LLAMA_CPP_VERSION:-3.22.1}"
jobs="${LLAMA_CPP_JOBS:-$(nproc)}"
targets=(llama-bench llama-simple llama-tokenize llama-speculative-simple)
bin="$dir/build/bin"

for tool in git cmake g++ npm; do
  command -v "$tool" >/dev/null || { echo "build-llama-cpp: '$tool' is required" >&2; exit 1; }
done

all_built() {
  for t in "${targets[@]}"; do [ -x "$bin/$t" ] || return 1; done
}
if all_built; then
  echo "build-llama-cpp: already built" >&2
  echo "$bin"
  exit 0
fi
mkdir -p "$dir"

# 1. the npm package that carries llama.cpp's source (no install scripts, no prebuilt bindings)
bundle="$dir/npm/node_modules/node-llama-cpp/llama/gitRelease.bundle"
if [ ! -f "$bundle" ]; then
  echo "build-llama-cpp: npm install node-llama-cpp@$version" >&2
  mkdir -p "$dir/npm"
  (cd "$dir/npm" && [ -f package.json ] || echo '{"name":"fsgen-llama-cpp","private":true}' > "$dir/npm/package.json")
  (cd "$dir/npm" && npm install --no-audit --no-fund --ignore-scripts --omit=optional \
      "node-llama-cpp@$version" >&2)
fi
[ -f "$bundle" ] || { echo "build-llama-cpp: $bundle is missing" >&2; exit 1; }

# 2. the source, cloned from the bundle
src="$dir/src"
if [ ! -f "$src/CMakeLists.txt" ]; then
  rm -rf "$src"
  echo "build-llama-cpp: cloning the bundled source" >&2
  git clone --quiet "$bundle" "$src" >&2
fi
info="$dir/npm/node_modules/node-llama-cpp/llama/binariesGithubRelease.json"
[ -f "$info" ] && echo "build-llama-cpp: llama.cpp release $(tr -d '\n ' < "$info")" >&2

# 3. configure and build the tools (CPU only, no network-fetching extras)
if [ ! -f "$dir/build/CMakeCache.txt" ]; then
  nice -n 19 cmake -S "$src" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=ON -DGGML_CUDA=OFF -DGGML_VULKAN=OFF -DGGML_METAL=OFF \
    -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF >&2
fi
nice -n 19 cmake --build "$dir/build" --config Release -j "$jobs" --target "${targets[@]}" >&2
all_built || { echo "build-llama-cpp: some tools were not built in $bin" >&2; exit 1; }
echo "build-llama-cpp: built ${targets[*]} in $bin" >&2
echo "$bin"
