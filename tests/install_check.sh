#!/usr/bin/env bash
# `make install` into a temporary prefix, then build examples/quickstart.c the
# way a user would (pkg-config) and check its answer: LA 0x7f0000001234 in the
# 2 MiB page at 0x7f0000000000 -> PA 0x200000 + 0x1234.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make -C "$top" --no-print-directory -s install PREFIX="$tmp/prefix" >/dev/null
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
cc -std=c11 -Wall -Wextra -Werror "$top/examples/quickstart.c" $(pkg-config --cflags --libs pagewalk) -o "$tmp/quickstart"
out=$("$tmp/quickstart")
want="0x7f0000001234 -> 0x201234 (2M page)"
if [ "$out" = "$want" ]; then
  echo "install-check: ok ($out)"
else
  echo "install-check: FAILED: got '$out', want '$want' (reproduce: tests/install_check.sh)"; exit 1
fi
