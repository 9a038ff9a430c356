#!/usr/bin/env bash
# Every parameter combination of pw_top is checked at elaboration: legal ones
# lint clean (-Wall), illegal ones stop with the module's message.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
src=(rtl/pw_pkg.sv $(ls rtl/*.sv | grep -v pw_pkg.sv))
fail=0
lint() { verilator --lint-only -Wall -Irtl --top-module pw_top "$@" "${src[@]}" 2>&1; }
legal=("" "-GTLB_ENTRIES=1" "-GTLB_ENTRIES=64" "-GPSC_PDE=0 -GPSC_PDPTE=0 -GPSC_PML4E=0 -GPSC_PML5E=0"
       "-GPSC_PDE=64 -GPSC_PML5E=1" "-GMAXPHYADDR=32" "-GMAXPHYADDR=52" "-GAD_AS_WALKED=1'b1 -GPDPTE_ON_DEMAND=1'b1"
       "-GHAS_1G=0 -GHAS_PSE36=0 -GHAS_LA57=0 -GHAS_PCID=0 -GHAS_PKS=0 -GHAS_CET=0"
       "-GCNT_W=16" "-GCNT_W=24" "-GCNT_W=64" "-GHAS_LONG=0 -GHAS_LA57=0")
illegal=("-GTLB_ENTRIES=0" "-GTLB_ENTRIES=3" "-GTLB_ENTRIES=128" "-GPSC_PDE=3" "-GPSC_PML4E=128"
         "-GMAXPHYADDR=31" "-GMAXPHYADDR=53" "-GCNT_W=15" "-GCNT_W=65" "-GHAS_LONG=0")
for p in "${legal[@]}"; do
  # shellcheck disable=SC2086
  if out=$(lint $p) && [ -z "$out" ]; then echo "ok - legal ${p:-defaults}"
  else echo "not ok - legal ${p:-defaults} rejected: $(printf '%s' "$out" | head -1)"; fail=1; fi
done
for p in "${illegal[@]}"; do
  # shellcheck disable=SC2086
  if out=$(lint $p); then echo "not ok - illegal $p accepted (reproduce: verilator --lint-only -Wall -Irtl --top-module pw_top $p ${src[*]})"; fail=1
  else echo "ok - illegal $p stopped: $(printf '%s' "$out" | grep -m1 -oE 'pw_[a-z]+: .*')"; fi
done
exit $fail
