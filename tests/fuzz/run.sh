#!/usr/bin/env bash
# Run each fuzz target for SECONDS, one after the other at low priority (the
# machine is shared), and print per target: seconds, executions, exec/s, edge
# coverage, features, corpus and crashes. A crash (or leak, timeout, out of
# memory) stops that target; the others still run; the exit status is 1 and
# the command that reproduces each crash is printed.
#   tests/fuzz/run.sh SECONDS FUZZ_DIR TARGET...
# Corpora grow in FUZZ_DIR/corpus/TARGET (kept between runs), seeds come from
# FUZZ_DIR/seeds/TARGET (mkseeds), crash inputs go to FUZZ_DIR/artifacts,
# full logs to FUZZ_DIR/logs.
set -u
[ $# -ge 3 ] || { echo "usage: $0 SECONDS FUZZ_DIR TARGET..." >&2; exit 2; }
secs=$1; dir=$2; shift 2

unit_timeout=10   # seconds: one input running longer than this is a hang (the inputs are small)
niceness=10

# Largest input per target: big enough for every seed and well-formed case
# (ELF cores with a few pages, a full `info registers`, translate_input.h at
# its maxima: 4977 bytes), small enough to keep executions fast.
max_len_of() {
  case $1 in
    fuzz_image) echo 65536 ;;
    fuzz_regs) echo 8192 ;;
    *) echo 5120 ;;
  esac
}

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
fail=0
fmt='%-15s %7s %11s %8s %7s %9s %16s %8s\n'
printf "$fmt" target seconds executions exec/s cov features corpus crashes
for t in "$@"; do
  corpus=$dir/corpus/$t log=$dir/logs/$t.log
  mkdir -p "$corpus" "$dir/artifacts" "$dir/logs"
  start=$(date +%s)
  nice -n $niceness "$dir/$t" -max_total_time="$secs" -timeout=$unit_timeout \
    -max_len="$(max_len_of "$t")" -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t-" \
    "$corpus" "$dir/seeds/$t" >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  final_stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  status=$(grep -E '^#[0-9]+' "$log" | tail -1)
  field() { sed -n "s/.* $1: \([^ ]*\).*/\1/p" <<<"$status"; }
  crashes=0
  [ $rc -eq 0 ] || crashes=1
  printf "$fmt" "$t" "$took" "$(final_stat number_of_executed_units)" "$(final_stat average_exec_per_sec)" \
    "$(field cov)" "$(field ft)" "$(field corp)" "$crashes"
  if [ $rc -ne 0 ]; then
    fail=1
    grep -E 'invariant broken|ERROR: |SUMMARY: |ALARM|out-of-memory' "$log" | head -5 | sed 's/^/    /'
    artifact=$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' "$log" | tail -1)
    if [ -n "$artifact" ]; then
      echo "    reproduce: $dir/$t $artifact"
    else
      echo "    no crash input written: see $log"
    fi
  fi
done
[ $fail -eq 0 ] || echo "FAILED: a fuzz target crashed (logs in $dir/logs)"
exit $fail
