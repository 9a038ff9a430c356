#!/usr/bin/env bash
# Every rule of x86-paging.md (R1.1 ... R11.7, and R13) must appear in the name
# of at least one unit test (test_R9_4_...). Prints the rules without one.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
spec="$top/../shared/spec/x86-paging.md"
[ -f "$spec" ] || { echo "rule-coverage: $spec not found"; exit 1; }
rules=$( { grep -oE '^- \*\*R[0-9]+\.[0-9]+' "$spec" | sed 's/^- \*\*//'; \
           grep -q '^## 13\.' "$spec" && echo R13; } | sort -u -V)
names=$(grep -ohE 'test_R[0-9]+(_[0-9]+)?' "$top"/tests/unit/*.c | sort -u)
missing=()
for r in $rules; do
  id=${r//./_}
  printf '%s\n' "$names" | grep -qE "^test_${id}(_|$)" || missing+=("$r")
done
total=$(printf '%s\n' $rules | wc -l)
if [ ${#missing[@]} -gt 0 ]; then
  echo "rule-coverage: FAILED: no test named after ${missing[*]} (reproduce: tests/rule_coverage.sh)"
  exit 1
fi
echo "rule-coverage: ok ($total rules, each named by a test)"
