#!/usr/bin/env bash
# Builds the fast mode's sampler (python-helper/memlens_native/src/*.c) once per CPython 3.8-3.13
# found on this machine (pyenv's interpreters first, then python3.X on PATH), into
# python-helper/memlens_native/_built/_sampler<EXT_SUFFIX> so that each Python imports its own.
# A module newer than every source (and this script) is left alone, so a run with nothing to do
# costs only asking each interpreter for its paths. A compile error stops the script non-zero.
# Free-threaded builds are skipped: the sampler's hooks assume the GIL.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/python-helper/memlens_native/src"
out="$root/python-helper/memlens_native/_built"
mkdir -p "$out"
sources=("$src"/*.c)
inputs=("${sources[@]}" "$src"/*.h "$0")

# The first interpreter found for each minor version: pyenv's directly (its shims are slow).
interpreter() {
  local minor=$1 candidate
  for candidate in "$HOME"/.pyenv/versions/3."$minor".*/bin/python3."$minor"; do
    [ -x "$candidate" ] && { echo "$candidate"; return; }
  done
  command -v "python3.$minor" || true
}

built=0
for minor in 8 9 10 11 12 13; do
  py=$(interpreter "$minor")
  if [ -z "$py" ]; then
    echo "build-native: no Python 3.$minor found, its module is not built"
    continue
  fi
  read -r include suffix gil_disabled < <("$py" -c 'import sysconfig
print(sysconfig.get_paths()["include"], sysconfig.get_config_var("EXT_SUFFIX"), sysconfig.get_config_var("Py_GIL_DISABLED") or 0)')
  if [ "$gil_disabled" = 1 ]; then
    echo "build-native: $py is free-threaded, skipped"
    continue
  fi
  target="$out/_sampler$suffix"
  fresh=1
  for f in "${inputs[@]}"; do
    [ "$target" -nt "$f" ] || { fresh=0; break; }
  done
  [ "$fresh" = 1 ] && continue
  # Compiled to a temporary name and renamed, so a failed compile never leaves a module that
  # looks up to date.
  gcc -O2 -fPIC -shared -std=gnu11 -Wall -Wextra -Werror -fvisibility=hidden \
      -I"$include" -I"$src" "${sources[@]}" -o "$target.tmp" -lm -pthread
  mv -f "$target.tmp" "$target"
  echo "build-native: built $(basename "$target") for $("$py" -c 'import platform; print(platform.python_version())')"
  built=$((built + 1))
done
echo "build-native: $built module(s) built, the others up to date, in ${out#"$root"/}"
