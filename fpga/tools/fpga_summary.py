#!/usr/bin/env python3
"""Summary table of the FPGA builds: resources (Yosys `stat -json` of the mapped
design, capacity from nextpnr's report) and Fmax against the target.

    fpga_summary.py --dir build/fpga BOARD:TARGET_MHZ ...

Reads DIR/BOARD/synth_stat.json and DIR/BOARD/report.json. Fmax and size are
figures, not pass/fail: the exit status is 0 whenever both files are readable.
"""
import argparse
import json
import sys

# Cell types per family: what counts as a LUT, a flip-flop, a block RAM, a DSP.
FAMILIES = {
    "ecp5": {
        "device": "ECP5 LFE5U-85F (ULX3S)",
        "lut": lambda t: t == "LUT4",
        "lut_per": {"CCU2C": 2},          # a carry cell uses two LUT4s
        "ff": lambda t: t == "TRELLIS_FF",
        "bram": lambda t: t == "DP16KD",
        "dsp": lambda t: t.startswith("MULT18X18") or t.startswith("ALU54"),
        "cap": {"lut": ("TRELLIS_COMB",), "ff": ("TRELLIS_FF",), "bram": ("DP16KD",),
                "dsp": ("MULT18X18D",)},
    },
    "ice40": {
        "device": "iCE40 HX8K (breakout board)",
        "lut": lambda t: t == "SB_LUT4",
        "lut_per": {},
        "ff": lambda t: t.startswith("SB_DFF"),
        "bram": lambda t: t.startswith("SB_RAM40"),
        "dsp": lambda t: t == "SB_MAC16",
        "cap": {"lut": ("ICESTORM_LC",), "ff": ("ICESTORM_LC",), "bram": ("ICESTORM_RAM",),
                "dsp": ("ICESTORM_DSP",)},
    },
}


def die(msg):
    print("fpga_summary: " + msg, file=sys.stderr)
    sys.exit(2)


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        die("cannot read %s: %s" % (path, e))


def cells_by_type(stat):
    # Yosys `stat -json`: {"design": {"num_cells_by_type": {...}}} (top module, flattened)
    design = stat.get("design") or {}
    cells = design.get("num_cells_by_type")
    if cells is None:
        mods = stat.get("modules") or {}
        cells = {}
        for m in mods.values():
            for t, n in (m.get("num_cells_by_type") or {}).items():
                cells[t] = cells.get(t, 0) + n
    return {t.lstrip("\\$"): int(n) for t, n in cells.items()}


def capacity(report, names):
    util = report.get("utilization") or {}
    for n in names:
        if n in util:
            return int(util[n].get("available", 0)), int(util[n].get("used", 0))
    return 0, 0


def row(board, target, d):
    fam = FAMILIES[board]
    stat = load("%s/%s/synth_stat.json" % (d, board))
    report = load("%s/%s/report.json" % (d, board))
    cells = cells_by_type(stat)
    used = {"lut": 0, "ff": 0, "bram": 0, "dsp": 0}
    for t, n in cells.items():
        for k in ("ff", "bram", "dsp"):
            if fam[k](t):
                used[k] += n
        if fam["lut"](t):
            used["lut"] += n
        used["lut"] += fam["lut_per"].get(t, 0) * n
    cols = []
    for k in ("lut", "ff", "bram", "dsp"):
        avail, _ = capacity(report, fam["cap"][k])
        cols.append("%d / %d" % (used[k], avail) if avail else "%d / -" % used[k])
    fmax = report.get("fmax") or {}
    achieved = min((v.get("achieved", 0.0) for v in fmax.values()), default=0.0)
    met = "met" if achieved >= target else "missed"
    return [fam["device"]] + cols + ["%.1f MHz" % achieved, "%d MHz (%s)" % (target, met)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("boards", nargs="+", help="BOARD:TARGET_MHZ, BOARD one of " +
                    ", ".join(FAMILIES))
    a = ap.parse_args()
    rows = [["device", "LUT4 used / avail", "FF used / avail", "BRAM used / avail",
             "DSP used / avail", "Fmax", "target"]]
    for spec in a.boards:
        board, _, mhz = spec.partition(":")
        if board not in FAMILIES or not mhz.isdigit():
            die("bad board spec '%s' (want ecp5:125 or ice40:50)" % spec)
        rows.append(row(board, int(mhz), a.dir))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, r in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    main()
