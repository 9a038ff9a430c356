#!/usr/bin/env bash
# pagewalk.core works the usual way: FuseSoC finds the core, its lint target runs
# Verilator -Wall over the RTL, and its sim target builds the iCE40 board self-test
# and passes (the signature the C model computed).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
fusesoc="$top/.venv/bin/fusesoc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail=0
run() {   # name, fusesoc arguments...
  local name=$1; shift
  if "$fusesoc" --cores-root "$top" "$@" >"$work/$name.log" 2>&1; then
    echo "ok - fusesoc $name"
  else
    echo "not ok - fusesoc $name (log follows)"; tail -20 "$work/$name.log"; fail=1
  fi
}
run core-info core-info pagewalk:pagewalk:pw_top
run lint run --build-root "$work/b" --target=lint pagewalk:pagewalk:pw_top
run sim run --no-export --build-root "$work/b" --target=sim pagewalk:pagewalk:pw_top
if [ $fail = 0 ] && ! grep -q "board_sim hx8k: PASS" "$work/sim.log"; then
  echo "not ok - fusesoc sim: no PASS line from the board self-test"; fail=1
fi
exit $fail
