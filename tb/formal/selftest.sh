#!/usr/bin/env bash
# The proofs must be able to fail: each mutant is a copy of rtl/ with one bug put in by a
# textual edit (the RTL itself stays untouched), and the proof of the property the bug
# breaks must FAIL with a counterexample trace (bmc, from reset, so the trace is real).
#   usage: tb/formal/selftest.sh OUT_DIR
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
out=${1:?usage: selftest.sh OUT_DIR}
rm -rf "$out"
mkdir -p "$out"

# Fields, separated by @: name @ file @ text @ replacement @ the proof (formal.sh spec) that
# must fail. \n in the texts is a newline.
mutants=(
  # mem_req_valid_o drops without mem_req_ready_i: breaks the handshake (property 1).
  "valid_drops@pw_walker.sv@if (mreq_valid_q && mem_req_ready_i) begin@if (mreq_valid_q) begin@p1_handshake|kvm|*p1_*|bmc|6"
  # A fill no longer invalidates the entries it overlaps: two TLB entries hit (property 2).
  # Shortest trace: fill X (slot 0), fill Y (slot 1), INVLPG X, re-walk Y (a write through
  # its clean entry) into the free slot 0; the solver finds one of 13 cycles.
  "tlb_overlap@pw_tlb.sv@valid_q[i] && !(fill_i && overlap[i]) && !old_flushed[i]@valid_q[i] && !old_flushed[i]@p2_one_hit|kvm|*p2_*|bmc|14"
  # A control operation in the fill cycle is ignored: a fill from an overtaken walk (property 3).
  "epoch_fill_cycle@pw_top.sv@(epoch_dirty_q || ctl_valid_i));@(epoch_dirty_q));@p3_no_overtaken_fill|kvm|*p3_*|bmc|8"
  # The walker issues nothing after its first memory response: a walk never ends (property 4).
  "walk_stalls@pw_walker.sv@(start_i || (busy_q && waiting_q && mem_rsp_valid_i))) begin@(start_i)) begin@p4_no_stall|kvm|*p4_no_stall *p1_*|bmc|6"
  # An A-bit CAS during the walk re-reads its level: more reads per pass than levels (property 4).
  "reread_after_cas@pw_walker.sv@table_d = next_table_q[mlevel_q];\n          level_d = mlevel_q - 3'd1;@level_d = mlevel_q;@p4_walk_bound|qemu_fixed|*p4_pass_* *p4_walk_*|bmc|14"
)

rc=0
for m in "${mutants[@]}"; do
  IFS='@' read -r name file text repl spec <<<"$m"
  dir="$out/$name"
  mkdir -p "$dir/rtl"
  cp rtl/*.sv "$dir/rtl/"
  # The edit must apply exactly once, or the self-test itself is broken.
  if ! python3 - "$dir/rtl/$file" "$text" "$repl" <<'EOF'
import sys
path, old, new = sys.argv[1], sys.argv[2], sys.argv[3]
old = old.replace('\\n', '\n')
new = new.replace('\\n', '\n')
s = open(path).read()
if s.count(old) != 1:
    sys.exit(1)
open(path, 'w').write(s.replace(old, new))
EOF
  then
    echo "formal-selftest: mutant $name did not apply to rtl/$file (the RTL changed: update tb/formal/selftest.sh)"
    rc=1
    continue
  fi
  line=$(tb/formal/formal.sh "$dir/proof" "$dir/rtl" "$spec" | tail -1)
  if grep -q ' FAIL ' <<<"$line" && ls "$dir"/proof/*.vcd >/dev/null 2>&1; then
    echo "formal-selftest: $name caught: $line"
  else
    echo "formal-selftest: $name NOT caught: $line"
    rc=1
  fi
done
[ $rc -eq 0 ] && echo "formal-selftest: ok (${#mutants[@]} mutants, each caught with a counterexample trace)"
exit $rc
