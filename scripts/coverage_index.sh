#!/usr/bin/env bash
# The index page of make coverage: the functional cover points and the RTL's
# line/toggle coverage side by side, each linked to its full report.
#   scripts/coverage_index.sh DIR > DIR/index.html
set -euo pipefail
dir=${1:?usage: coverage_index.sh DIR}
db=$dir/functional.db
info=$dir/rtl.info
[ -r "$db" ] && [ -r "$info" ] || { echo "coverage_index.sh: $db or $info missing" >&2; exit 1; }

points=$(grep -vc '^#' "$db")
hit=$(grep -v '^#' "$db" | awk '$1 > 0' | wc -l)
missing=$(grep -v '^#' "$db" | awk '$1 == 0 { printf "%s ", $2 }')
# lcov counts every Verilator point (line and toggle) as a line of the info file.
rtl=$(lcov --summary "$info" 2>&1 | sed -n 's/^ *lines\.*: *//p')

cat <<HTML
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>pagewalk coverage</title></head><body>
<h1>pagewalk coverage</h1>
<table border="1" cellpadding="4">
<tr><th>kind</th><th>result</th><th>report</th></tr>
<tr><td>functional cover points (tb/coverage.cpp)</td><td>$hit of $points hit</td>
<td><a href="functional.html">functional.html</a></td></tr>
<tr><td>RTL line + toggle points (Verilator)</td><td>${rtl:-n/a}</td>
<td><a href="rtl/index.html">rtl/index.html</a>, annotated sources in <code>annotated/</code></td></tr>
</table>
<p>Never hit in this run: ${missing:-none}</p>
</body></html>
HTML
