#!/usr/bin/env bash
# The co-simulation must notice a wrong RTL: each --inject makes the RTL side
# wrong on purpose (a response field, an entry of its memory, a lost address-space
# switch). Each run must fail with a MISMATCH, the command that reproduces
# it and a waveform.   usage: tests/cosim_selftest.sh build/pw_cosim
set -u
cosim=${1:-build/pw_cosim}
dir=$(dirname "$cosim")
rc=0
for inj in rsp mem ctl; do
  fst="$dir/cosim_selftest_$inj.fst"
  rm -f "$fst"
  out=$("$cosim" --mode 4level --seed 1 --seeds 1 -n 5000 --inject "$inj" --fail-fst "$fst" 2>&1)
  status=$?
  if [ $status -ne 1 ] || ! grep -q '^MISMATCH' <<<"$out" || ! grep -q 'reproduce: ' <<<"$out" \
     || [ ! -s "$fst" ]; then
    echo "cosim-selftest: --inject $inj was not caught (exit $status)"
    echo "$out" | tail -20
    rc=1
  fi
done
[ $rc -eq 0 ] && echo "cosim-selftest: ok (rsp, mem and ctl faults caught, waveforms written)"
exit $rc
