#!/usr/bin/env sh
# FuseSoC hooks of pagewalk.core, run in the target's work directory with
# FILES_ROOT = this repository:
#   fusesoc_hook.sh cfg ecp5|ice40     the board's generated files into the work directory
#   fusesoc_hook.sh bit ecp5|ice40     make fpga's flow, bitstream copied here
set -eu
: "${FILES_ROOT:?run by FuseSoC (FILES_ROOT unset)}"
# FuseSoC may give it relative to the work directory (seen with --no-export).
case "$FILES_ROOT" in /*) ;; *) FILES_ROOT="$PWD/$FILES_ROOT" ;; esac
[ -f "$FILES_ROOT/Makefile" ] || {
  echo "fusesoc_hook: $FILES_ROOT is an exported copy without the build system; run fusesoc with --no-export" >&2
  exit 2
}
case "${1:-}:${2:-}" in
  cfg:ecp5|cfg:ice40)
    make -s -C "$FILES_ROOT" fpga-cfg FPGA_CFG_BOARD="$2" FPGA_CFG_OUT="$PWD" ;;
  bit:ecp5)
    make -s -C "$FILES_ROOT" fpga-cfg FPGA_CFG_BOARD=ecp5 FPGA_CFG_OUT="$PWD"
    make -s -C "$FILES_ROOT" fpga-ecp5
    cp "$FILES_ROOT/build/fpga/ecp5/pw_ulx3s_top.bit" . ;;
  bit:ice40)
    make -s -C "$FILES_ROOT" fpga-cfg FPGA_CFG_BOARD=ice40 FPGA_CFG_OUT="$PWD"
    make -s -C "$FILES_ROOT" fpga-ice40
    cp "$FILES_ROOT/build/fpga/ice40/pw_hx8k_top.bin" . ;;
  *)
    echo "usage: fusesoc_hook.sh cfg|bit ecp5|ice40" >&2; exit 2 ;;
esac
