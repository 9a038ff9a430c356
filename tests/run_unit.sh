#!/usr/bin/env bash
# Run every cmocka binary in $1; fail if any fails. cmocka prints its summary on stderr.
set -u
dir=$1; fail=0; total=0
for t in "$dir"/test_*; do
  [ -x "$t" ] || continue
  total=$((total+1))
  if out=$("$t" 2>&1); then
    printf '%s\n' "$out" | grep -E '^\[  PASSED  \]' | sed "s|^|$(basename "$t"): |"
  else
    printf '%s\n' "$out"; echo "FAILED: $t  (reproduce: $t)"; fail=1
  fi
done
[ "$total" -gt 0 ] || { echo "no unit tests found in $dir"; exit 1; }
exit $fail
