#!/usr/bin/env bash
# Tests of the pagewalk CLI: tests/cli/run.sh CLI MKIMAGE
#   CLI      the pagewalk binary (build/pagewalk or build/asan/pagewalk)
#   MKIMAGE  build/tests/mkimage: builds an image, a regs file and the expected
#            output for each paging mode (see tests/cli/mkimage.c)
# Prints "ok - NAME" or "not ok - NAME" per case, with the command that failed;
# exits 1 if any case failed.
set -u
ulimit -c 0 # a crash must not leave a core file behind

if [ $# -ne 2 ]; then
  echo "usage: $0 CLI MKIMAGE" >&2
  exit 2
fi
cli=$1
mkimage=$2
for b in "$cli" "$mkimage"; do
  [ -x "$b" ] || { echo "$0: $b is not an executable (make cli build/tests/mkimage)" >&2; exit 2; }
done

failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pagewalk-cli.XXXXXX") || exit 2
# Keep the fixtures when a case failed, so that the printed commands can be rerun.
trap 'if [ "$failed" -eq 0 ]; then rm -rf "$tmp"; else echo "fixtures kept in $tmp"; fi' EXIT
out=$tmp/stdout
err=$tmp/stderr
total=0

pass() { total=$((total + 1)); echo "ok - $1"; }
fail() { # NAME WHY CMD...
  local name=$1 why=$2
  shift 2
  total=$((total + 1))
  failed=$((failed + 1))
  echo "not ok - $name: $why"
  printf '  command:'
  printf ' %q' "$@"
  printf '\n'
  sed 's/^/  stderr: /' "$err" | head -5
}

# Run a command with stdout/stderr captured; sets rc.
run() { "$@" >"$out" 2>"$err"; rc=$?; }

# A crash (signal) shows as rc > 128 in bash.
crashed() { [ "$rc" -gt 128 ]; }

# expect_error_like NAME RC REGEX CMD...: exit code RC, nothing on stdout,
# exactly one line on stderr, which starts with "pagewalk: " and matches REGEX.
expect_error_like() {
  local name=$1 want=$2 like=$3
  shift 3
  run "$@"
  if crashed; then fail "$name" "crashed (exit $rc)" "$@"
  elif [ "$rc" -ne "$want" ]; then fail "$name" "exit $rc, want $want" "$@"
  elif [ -s "$out" ]; then fail "$name" "unexpected output on stdout" "$@"
  elif [ "$(wc -l <"$err")" -ne 1 ]; then fail "$name" "want exactly one line on stderr" "$@"
  elif ! grep -q '^pagewalk: ' "$err"; then fail "$name" "stderr does not start with 'pagewalk: '" "$@"
  elif ! grep -q -- "$like" "$err"; then fail "$name" "stderr does not match '$like'" "$@"
  else pass "$name"
  fi
}
expect_error() { # NAME RC CMD...
  local name=$1 want=$2
  shift 2
  expect_error_like "$name" "$want" '' "$@"
}

# expect_output NAME EXPECTED_FILE CMD...: exit 0, stdout equal to the file,
# stderr empty (ASan and UBSan report there).
expect_output() {
  local name=$1 expected=$2
  shift 2
  run "$@"
  if crashed; then fail "$name" "crashed (exit $rc)" "$@"
  elif [ "$rc" -ne 0 ]; then fail "$name" "exit $rc, want 0" "$@"
  elif [ -s "$err" ]; then fail "$name" "unexpected output on stderr" "$@"
  elif ! diff -u "$expected" "$out" >"$tmp/diff"; then
    fail "$name" "output differs from $(basename "$expected")" "$@"
    sed 's/^/  /' "$tmp/diff" | head -20
  else pass "$name"
  fi
}

sum() { sha256sum "$1" | cut -d' ' -f1; }

# ---- Every paging mode: translate the probes mkimage wrote, for each run ----
for mode in 32 pae 4level 5level; do
  dir=$tmp/$mode
  mkdir "$dir"
  if ! "$mkimage" "$mode" "$dir" 2>"$err"; then
    fail "mkimage-$mode" "mkimage failed" "$mkimage" "$mode" "$dir"
    continue
  fi
  img=$dir/image.raw
  before=$(sum "$img")
  while read -r name regs expected flags; do
    # shellcheck disable=SC2086 # flags are words
    expect_output "$mode-$name" "$dir/$expected" \
      "$cli" translate --image "$img" --regs "$dir/$regs" $flags $(cut -d' ' -f1 "$dir/$expected")
  done <"$dir/runs"
  if [ "$(sum "$img")" = "$before" ]; then pass "$mode-image-unchanged"
  else fail "$mode-image-unchanged" "the image file changed" sha256sum "$img"
  fi
done

# ---- Bad input, with the 4-level fixture as a base ----
img=$tmp/4level/image.raw
regs=$tmp/4level/regs
base=("$cli" translate --image "$img" --regs "$regs")
before=$(sum "$img")

regs_with() { # NAME LINE...: a copy of the 4-level regs file with lines appended
  local f=$tmp/regs-$1
  shift
  cp "$regs" "$f"
  printf '%s\n' "$@" >>"$f"
  echo "$f"
}
regs_without() { # NAME KEY: the 4-level regs file without KEY
  local f=$tmp/regs-$1
  grep -iv "^[[:space:]]*$2[[:space:]]*=" "$regs" >"$f"
  echo "$f"
}

expect_error no-command 2 "$cli"
expect_error unknown-command 2 "$cli" frobnicate
expect_error unknown-flag 2 "${base[@]}" --bogus 0x1000
expect_error unknown-short-flag 2 "${base[@]}" -x 0x1000
expect_error flag-with-value-that-takes-none 2 "${base[@]}" --user=1 0x1000
expect_error_like cr3-junk 2 "bad value '0x12zz' for --cr3" "${base[@]}" --cr3 0x12zz 0x1000
expect_error cr3-empty 2 "${base[@]}" --cr3= 0x1000
expect_error cr3-overflow 2 "${base[@]}" --cr3 0x10000000000000000 0x1000
expect_error pkru-over-32-bits 2 "${base[@]}" --pkru 0x100000000 0x1000
expect_error missing-value 2 "${base[@]}" 0x1000 --cr3
expect_error missing-value-before-flag 2 "${base[@]}" --cr3 --user 0x1000
expect_error flag-twice 2 "${base[@]}" --cr3 0x1000 --cr3 0x2000 0x1000
expect_error no-image-flag 2 "$cli" translate --regs "$regs" 0x1000
expect_error image-missing-file 1 "$cli" translate --image "$tmp/no-such-image" --regs "$regs" 0x1000
expect_error image-is-directory 1 "$cli" translate --image "$tmp" --regs "$regs" 0x1000
expect_error regs-missing-file 1 "$cli" translate --image "$img" --regs "$tmp/no-such-regs" 0x1000
f=$(regs_without empty cr3)
echo "cr3 =   # nothing" >>"$f"
expect_error_like regs-empty-value 2 "regs-empty:$(wc -l <"$f"): bad value '' for cr3: empty" \
  "$cli" translate --image "$img" --regs "$f" 0x1000
f=$(regs_with unknown "cr5 = 0x1")
expect_error_like regs-unknown-key 2 "regs-unknown:$(wc -l <"$f"): unknown key 'cr5'" \
  "$cli" translate --image "$img" --regs "$f" 0x1000
f=$(regs_with dup "cr0=0x80010001")
expect_error_like regs-duplicate-key 2 "regs-dup:$(wc -l <"$f"): duplicate key 'cr0'" \
  "$cli" translate --image "$img" --regs "$f" 0x1000
f=$(regs_with badnum "pkrs = 12abc")
expect_error_like regs-bad-number 2 "regs-badnum:$(wc -l <"$f"): bad value '12abc' for pkrs" \
  "$cli" translate --image "$img" --regs "$f" 0x1000
expect_error regs-negative 2 "$cli" translate --image "$img" --regs "$(regs_with neg "pkrs = -1")" 0x1000
expect_error regs-no-equals 2 "$cli" translate --image "$img" --regs "$(regs_with noeq "pkrs 0x1")" 0x1000
expect_error_like regs-missing-register 2 'missing register cr4' \
  "$cli" translate --image "$img" --regs "$(regs_without nocr4 cr4)" 0x1000
expect_error regs-some-pdptes 2 "$cli" translate --image "$img" --regs "$(regs_with pdpte "pdpte0=0x1001")" 0x1000
# No ADDR: the addresses come from stdin (here none: nothing to print).
: >"$tmp/no-address.expected"
expect_output no-address-reads-stdin "$tmp/no-address.expected" sh -c '"$@" </dev/null' sh "${base[@]}"
expect_error address-junk 2 "${base[@]}" 0x1000zz
expect_error address-hex-prefix-only 2 "${base[@]}" 0x
expect_error address-negative 2 "${base[@]}" -1
expect_error address-overflow 2 "${base[@]}" 18446744073709551616
expect_error address-with-newline 2 "${base[@]}" $'0x10\n00'
expect_error address-very-long 2 "${base[@]}" "$(printf '1%.0s' {1..5000})"
expect_error write-and-fetch 2 "${base[@]}" --write --fetch 0x1000
expect_error bad-ad-policy 2 "${base[@]}" --ad-policy sometimes 0x1000
expect_error bad-maxphyaddr 2 "${base[@]}" --maxphyaddr 99 0x1000
expect_error_like invalid-registers 2 'invalid registers: EFER.LMA' "${base[@]}" --cr0 0x11 --efer 0x500 0x1000
if [ -w /dev/full ]; then
  expect_error output-unwritable 1 sh -c '"$@" >/dev/full' sh "${base[@]}" 0x00007f0000001234
fi

# Faults and bus errors are results: exit 0.
printf '0x8000000000000000 gp non-canonical\n' >"$tmp/gp.expected"
expect_output non-canonical-address "$tmp/gp.expected" "${base[@]}" 0x8000000000000000

head -c 4096 /dev/zero >"$tmp/short.raw"
printf '0x0000000000001000 bus-error level=4 entry_pa=0x0000000000100000\n' >"$tmp/short.expected"
expect_output image-shorter-than-cr3 "$tmp/short.expected" "$cli" translate --image "$tmp/short.raw" --regs "$regs" 0x1000
: >"$tmp/empty.raw"
expect_output image-empty "$tmp/short.expected" "$cli" translate --image "$tmp/empty.raw" --regs "$regs" 0x1000

# Paging off: LA = PA, no walk.
printf '0x0000000000012345 ok pa=0x0000000000012345 size=4K level=0 rw=1 us=1 xd=0 g=0 pk=0 mt=0x0\n' \
  >"$tmp/nopaging.expected"
expect_output paging-off "$tmp/nopaging.expected" \
  "$cli" translate --image "$img" --cr0 0x11 --cr3 0 --cr4 0 --efer 0 0x12345

# R6.2: a present PAE PDPTE with a reserved bit (bit 1) cannot be loaded.
{ printf '\003'; head -c 4095 /dev/zero; } >"$tmp/badpdpte.raw"
printf 'cr0=0x80000001\ncr3=0\ncr4=0x20\nefer=0\n' >"$tmp/regs-pae"
expect_error_like pae-pdpte-reserved 1 '^pagewalk: PDPTEs at CR3 have reserved bits set' \
  "$cli" translate --image "$tmp/badpdpte.raw" --regs "$tmp/regs-pae" 0x1000
expect_error pae-pdpte-outside-image 1 "$cli" translate --image "$tmp/badpdpte.raw" --regs "$tmp/regs-pae" \
  --cr3 0x10000 0x1000

# Help and version go to stdout and succeed.
for args in "--help" "help" "help translate" "translate --help" "--version"; do
  # shellcheck disable=SC2086
  run "$cli" $args
  if crashed || [ "$rc" -ne 0 ] || [ -s "$err" ] || ! grep -q 'pagewalk' "$out"; then
    fail "help: $args" "exit $rc or missing output" "$cli" $args
  else
    pass "help: $args"
  fi
done
run "$cli" --version
if grep -qx 'pagewalk [0-9]*\.[0-9]*\.[0-9]*' "$out"; then pass version-format
else fail version-format "want 'pagewalk X.Y.Z'" "$cli" --version
fi
expect_error help-unknown-command 2 "$cli" help frobnicate

if [ "$(sum "$img")" = "$before" ]; then pass bad-input-image-unchanged
else fail bad-input-image-unchanged "the image file changed" sha256sum "$img"
fi

# ==== ELF cores and QEMU `info registers` text (image_elf.c, regs_qemu.c) ====
# mkimage --elf also writes each mode's memory as an ELF core (image.elf), the
# registers as QEMU prints them (regs.qemu) and the runs that use them
# (runs-qemu). Every run of `runs` and `runs-qemu` must print over image.elf
# what it prints over image.raw; the runs-qemu ones run over image.raw too.
for mode in 32 pae 4level 5level; do
  dir=$tmp/elf-$mode
  mkdir "$dir"
  if ! "$mkimage" --elf "$mode" "$dir" 2>"$err"; then
    fail "mkimage-elf-$mode" "mkimage --elf failed" "$mkimage" --elf "$mode" "$dir"
    continue
  fi
  elf=$dir/image.elf
  elf_before=$(sum "$elf")
  while read -r name regs expected flags; do
    # shellcheck disable=SC2086 # flags are words
    expect_output "elf-$mode-$name" "$dir/$expected" \
      "$cli" translate --image "$elf" --regs "$dir/$regs" $flags $(cut -d' ' -f1 "$dir/$expected")
  done < <(cat "$dir/runs" "$dir/runs-qemu")
  while read -r name regs expected flags; do
    # shellcheck disable=SC2086
    expect_output "raw-$mode-$name" "$dir/$expected" \
      "$cli" translate --image "$dir/image.raw" --regs "$dir/$regs" $flags $(cut -d' ' -f1 "$dir/$expected")
  done <"$dir/runs-qemu"
  if [ "$(sum "$elf")" = "$elf_before" ]; then pass "elf-$mode-image-unchanged"
  else fail "elf-$mode-image-unchanged" "the ELF core changed" sha256sum "$elf"
  fi
done

elf=$tmp/elf-4level/image.elf
qregs=$tmp/elf-4level/regs.qemu
kvregs=$tmp/elf-4level/regs

# Bad cores: exit 1, one line that says what is wrong.
head -c 40 "$elf" >"$tmp/trunc-header.elf"
expect_error_like elf-truncated-header 1 "^pagewalk: cannot open image '.*/trunc-header.elf': truncated ELF header$" \
  "$cli" translate --image "$tmp/trunc-header.elf" --regs "$kvregs" 0x1000
head -c 100 "$elf" >"$tmp/trunc-phdrs.elf"
expect_error_like elf-truncated-phdrs 1 "ELF program headers lie outside the file (truncated?)$" \
  "$cli" translate --image "$tmp/trunc-phdrs.elf" --regs "$kvregs" 0x1000
head -c 8192 "$elf" >"$tmp/trunc-data.elf"
expect_error_like elf-truncated-data 1 "a PT_LOAD's bytes lie outside the file (truncated?)$" \
  "$cli" translate --image "$tmp/trunc-data.elf" --regs "$kvregs" 0x1000
cp "$elf" "$tmp/class32.elf"
printf '\001' | dd of="$tmp/class32.elf" bs=1 seek=4 conv=notrunc 2>/dev/null
expect_error_like elf-class32 1 "32-bit ELF (ELFCLASS32): only ELF64 cores are read$" \
  "$cli" translate --image "$tmp/class32.elf" --regs "$kvregs" 0x1000
cp "$elf" "$tmp/bigendian.elf"
printf '\002' | dd of="$tmp/bigendian.elf" bs=1 seek=5 conv=notrunc 2>/dev/null
expect_error_like elf-big-endian 1 "big-endian ELF" \
  "$cli" translate --image "$tmp/bigendian.elf" --regs "$kvregs" 0x1000
printf '\177ELF' >"$tmp/magic-only.elf"
expect_error_like elf-magic-only 1 "truncated ELF header$" \
  "$cli" translate --image "$tmp/magic-only.elf" --regs "$kvregs" 0x1000

# An address in a hole between segments is a bus error, not an error: CR3
# itself in a hole of the core.
printf '0x0000000000001000 bus-error level=4 entry_pa=0x0000000000800000\n' >"$tmp/hole.expected"
expect_output elf-cr3-in-hole "$tmp/hole.expected" \
  "$cli" translate --image "$elf" --regs "$kvregs" --cr3 0x800000 0x1000

# QEMU register text: garbage is a usage error that names file:line.
cr_line=$(grep -n '^CR0=' "$qregs" | cut -d: -f1)
{ head -5 "$qregs"; echo "hello world"; tail -n +6 "$qregs"; } >"$tmp/qemu-garbage"
expect_error_like qemu-regs-garbage 2 "^pagewalk: .*/qemu-garbage:6: not QEMU 'info registers' output: 'hello world'$" \
  "$cli" translate --image "$elf" --regs "$tmp/qemu-garbage" 0x1000
sed 's/CR3=[0-9a-f]*/CR3=00zz/' "$qregs" >"$tmp/qemu-badvalue"
expect_error_like qemu-regs-bad-value 2 "qemu-badvalue:$cr_line: bad value '00zz' for CR3: trailing characters" \
  "$cli" translate --image "$elf" --regs "$tmp/qemu-badvalue" 0x1000
{ echo "CPU#0"; cat "$qregs"; echo "CPU#1"; cat "$qregs"; } >"$tmp/qemu-two-cpus"
expect_error_like qemu-regs-two-cpus 2 "qemu-two-cpus:$(($(wc -l <"$qregs") + 2)): registers of more than one CPU" \
  "$cli" translate --image "$elf" --regs "$tmp/qemu-two-cpus" 0x1000
{ cat "$qregs"; echo "maxphyaddr=46"; } >"$tmp/qemu-maxphyaddr"
expect_error_like qemu-regs-keyvalue-key 2 "maxphyaddr is not read from QEMU 'info registers' text (give it as a flag)$" \
  "$cli" translate --image "$elf" --regs "$tmp/qemu-maxphyaddr" 0x1000
grep -v '^EFER=' "$qregs" >"$tmp/qemu-no-efer"
expect_error_like qemu-regs-missing-efer 2 'missing register efer' \
  "$cli" translate --image "$elf" --regs "$tmp/qemu-no-efer" 0x1000
# ==== end of ELF cores and QEMU register text ====

# ==== dump, walk, lint, stats; translate from stdin and --json ====
# (cmd_dump.c, cmd_walk.c, cmd_lint.c, cmd_stats.c, translate_opts.c)
# mkimage also writes, from what it built (never from the CLI): dump.expected
# and dump-mem.expected (every mapping of image.raw), walk.expected (per probe,
# the entries `walk` draws and where it ends), a lint table set with one
# planted problem per finding kind (lint.expected), the same set without them
# (clean: no findings; clean-stats.expected from pw_os_stats) and one whose
# tables loop. Round trip: every table set is read back from its raw image
# and from its ELF core, and `dump` must list exactly the mappings built.

# expect_output_rc NAME RC EXPECTED_FILE CMD...: like expect_output, exit RC.
expect_output_rc() {
  local name=$1 want=$2 expected=$3
  shift 3
  run "$@"
  if crashed; then fail "$name" "crashed (exit $rc)" "$@"
  elif [ "$rc" -ne "$want" ]; then fail "$name" "exit $rc, want $want" "$@"
  elif [ -s "$err" ]; then fail "$name" "unexpected output on stderr" "$@"
  elif ! diff -u "$expected" "$out" >"$tmp/diff"; then
    fail "$name" "output differs from $(basename "$expected")" "$@"
    sed 's/^/  /' "$tmp/diff" | head -20
  else pass "$name"
  fi
}

# expect_failure_like NAME RC REGEX CMD...: exit RC, exactly one line on stderr
# matching REGEX; stdout may hold what was printed before the error. Bounded
# in time: a loop in the tables must not hang the command.
if command -v timeout >/dev/null; then bounded=(timeout 120); else bounded=(); fi
expect_failure_like() {
  local name=$1 want=$2 like=$3
  shift 3
  run ${bounded[@]+"${bounded[@]}"} "$@"
  if crashed; then fail "$name" "crashed or timed out (exit $rc)" "$@"
  elif [ "$rc" -ne "$want" ]; then fail "$name" "exit $rc, want $want" "$@"
  elif [ "$(wc -l <"$err")" -ne 1 ]; then fail "$name" "want exactly one line on stderr" "$@"
  elif ! grep -q -- "^pagewalk: $like" "$err"; then fail "$name" "stderr does not match '$like'" "$@"
  else pass "$name"
  fi
}

# check_walk NAME DIR ADDR ENTRIES END: `walk ADDR` draws exactly ENTRIES (the
# "NAME[index]" of each entry line, top down), says END, and ends with the
# line `translate` prints for ADDR (read.expected).
check_walk() {
  local name=$1 dir=$2 addr=$3 entries=$4 end=$5 got last want
  run "$cli" walk --image "$dir/image.raw" --regs "$dir/regs" "$addr"
  got=$(grep -oE '^ *[A-Z0-9]+E\[[0-9]+\]' "$out" | tr -d ' ' | paste -sd' ' -)
  last=$(tail -n 1 "$out")
  want=$(grep "^$addr " "$dir/read.expected")
  if crashed || [ "$rc" -ne 0 ] || [ -s "$err" ]; then fail "$name" "exit $rc or stderr output" "$cli" walk "$addr"
  elif [ "$got" != "$entries" ]; then fail "$name" "entries '$got', want '$entries'" "$cli" walk "$addr"
  elif ! grep -qF -- "$end" "$out"; then fail "$name" "no line with '$end'" "$cli" walk "$addr"
  elif [ "$last" != "$want" ]; then fail "$name" "last line '$last', want '$want'" "$cli" walk "$addr"
  else pass "$name"
  fi
}

# The text lines of translate as the JSON objects --json must print.
to_json() {
  awk '{
    printf "{\"addr\":\"%s\",\"result\":\"%s\"", $1, $2
    if ($2 == "gp") { print ",\"reason\":\"non-canonical\"}"; next }
    for (i = 3; i <= NF; i++) {
      split($i, kv, "="); k = kv[1]; v = kv[2]
      if (k == "level" || k == "rw" || k == "us" || k == "xd" || k == "g") printf ",\"%s\":%s", k, v
      else if (k == "pk") printf ",\"pk\":%d", index("0123456789abcdef", v) - 1
      else if (k == "mt") printf ",\"mt\":%d", index("0123456789abcdef", substr(v, 3)) - 1
      else printf ",\"%s\":\"%s\"", k, v
    }
    print "}"
  }' "$1"
}

for mode in 32 pae 4level 5level; do
  dir=$tmp/scan-$mode
  mkdir "$dir"
  if ! "$mkimage" --elf "$mode" "$dir" 2>"$err"; then
    fail "scan-mkimage-$mode" "mkimage failed" "$mkimage" --elf "$mode" "$dir"
    continue
  fi
  img=$dir/image.raw
  before=$(sum "$img")
  elf_before=$(sum "$dir/image.elf")
  for f in image.raw image.elf; do
    expect_output "$mode-dump-$f" "$dir/dump.expected" "$cli" dump --image "$dir/$f" --regs "$dir/regs"
    expect_output "$mode-dump-tlb-$f" "$dir/dump.expected" "$cli" dump --tlb --image "$dir/$f" --regs "$dir/regs"
    expect_output "$mode-dump-mem-$f" "$dir/dump-mem.expected" "$cli" dump --mem --image "$dir/$f" --regs "$dir/regs"
  done
  for set in lint clean; do
    for ext in raw elf; do
      f=$dir/$set.$ext
      expect_output "$mode-$set-dump-$ext" "$dir/$set-dump.expected" "$cli" dump --image "$f" --regs "$dir/$set.regs"
      expect_output "$mode-$set-dump-mem-$ext" "$dir/$set-dump-mem.expected" \
        "$cli" dump --mem --image "$f" --regs "$dir/$set.regs"
    done
  done
  for ext in raw elf; do
    expect_output_rc "$mode-lint-findings-$ext" 3 "$dir/lint.expected" \
      "$cli" lint --image "$dir/lint.$ext" --regs "$dir/lint.regs"
    expect_output "$mode-lint-clean-$ext" /dev/null "$cli" lint --image "$dir/clean.$ext" --regs "$dir/clean.regs"
    expect_output "$mode-stats-$ext" "$dir/clean-stats.expected" \
      "$cli" stats --image "$dir/clean.$ext" --regs "$dir/clean.regs"
  done
  # --skip drops exactly the lines of the kinds it names.
  grep -v '^wx \|^conflict ' "$dir/lint.expected" >"$dir/lint-skip.expected"
  expect_output_rc "$mode-lint-skip" 3 "$dir/lint-skip.expected" \
    "$cli" lint --skip wx,conflict --image "$dir/lint.raw" --regs "$dir/lint.regs"
  # Loops end in one error line and exit 1, whatever was listed before.
  for cmd in dump lint stats; do
    for ext in raw elf; do
      expect_failure_like "$mode-loop-$cmd-$ext" 1 'page tables loop: the PD entry at 0x[0-9a-f]* (LA 0x0000000000800000) points to the table at 0x[0-9a-f]*, already on its path$' \
        "$cli" "$cmd" --image "$dir/loop.$ext" --regs "$dir/loop.regs"
    done
  done

  while IFS='|' read -r addr entries end; do
    check_walk "$mode-walk-$addr" "$dir" "$addr" "$entries" "$end"
  done <"$dir/walk.expected"

  # translate: addresses from stdin (no ADDR, or '-'), '#' comments and blank lines.
  cut -d' ' -f1 "$dir/read.expected" >"$dir/addrs"
  expect_output "$mode-translate-stdin" "$dir/read.expected" \
    sh -c '"$@" <"$0"' "$dir/addrs" "$cli" translate --image "$img" --regs "$dir/regs"
  { echo "# probes, written by run.sh"; echo; sed 's/$/   # a probe/' "$dir/addrs"; echo '  '; } >"$dir/addrs-commented"
  expect_output "$mode-translate-stdin-comments" "$dir/read.expected" \
    sh -c '"$@" <"$0"' "$dir/addrs-commented" "$cli" translate --image "$img" --regs "$dir/regs" -
  first=$(head -n 1 "$dir/addrs")
  last=$(tail -n 1 "$dir/addrs")
  { grep "^$first " "$dir/read.expected"; cat "$dir/read.expected"; grep "^$last " "$dir/read.expected"; } \
    >"$dir/mixed.expected"
  expect_output "$mode-translate-args-and-stdin" "$dir/mixed.expected" \
    sh -c '"$@" <"$0"' "$dir/addrs" "$cli" translate --image "$img" --regs "$dir/regs" "$first" - "$last"
  to_json "$dir/read.expected" >"$dir/read.json"
  expect_output "$mode-translate-json" "$dir/read.json" \
    "$cli" translate --json --image "$img" --regs "$dir/regs" $(cat "$dir/addrs")
  to_json "$dir/uwrite.expected" >"$dir/uwrite.json"
  expect_output "$mode-translate-json-stdin" "$dir/uwrite.json" \
    sh -c '"$@" <"$0"' "$dir/addrs" "$cli" translate --json --user --write --image "$img" --regs "$dir/regs"

  if [ "$(sum "$img")" = "$before" ] && [ "$(sum "$dir/image.elf")" = "$elf_before" ]; then
    pass "$mode-scan-images-unchanged"
  else
    fail "$mode-scan-images-unchanged" "an image file changed" sha256sum "$img" "$dir/image.elf"
  fi
done

# ---- Bad input for the new commands (4-level fixtures) ----
d=$tmp/scan-4level
m=(--image "$d/image.raw" --regs "$d/regs")
for cmd in dump lint stats; do
  expect_error "$cmd-unknown-flag" 2 "$cli" "$cmd" "${m[@]}" --bogus
  expect_error "$cmd-unexpected-argument" 2 "$cli" "$cmd" "${m[@]}" 0x1000
  expect_error "$cmd-no-image" 2 "$cli" "$cmd" --regs "$d/regs"
  expect_error "$cmd-max-entries-zero" 2 "$cli" "$cmd" "${m[@]}" --max-entries 0
  expect_error "$cmd-max-entries-junk" 2 "$cli" "$cmd" "${m[@]}" --max-entries 12x
  expect_error "$cmd-access-flag" 2 "$cli" "$cmd" "${m[@]}" --write
  expect_error_like "$cmd-cr3-beyond-image" 1 'root table at CR3 (0x0000000040000000) lies outside the image' \
    "$cli" "$cmd" "${m[@]}" --cr3 0x40000000
  expect_error_like "$cmd-cr3-in-elf-hole" 1 'root table at CR3 (0x0000000000800000) lies outside the image' \
    "$cli" "$cmd" --image "$d/image.elf" --regs "$d/regs" --cr3 0x800000
  expect_error_like "$cmd-image-shorter-than-cr3" 1 'lies outside the image' \
    "$cli" "$cmd" --image "$tmp/short.raw" --regs "$d/regs"
  expect_error_like "$cmd-paging-off" 2 'paging is off' "$cli" "$cmd" "${m[@]}" --cr0 0x11 --cr3 0 --cr4 0 --efer 0
  expect_failure_like "$cmd-max-entries-reached" 1 'more than 100 page-table entries: stopped (raise --max-entries)$' \
    "$cli" "$cmd" "${m[@]}" --max-entries 100
  expect_error "$cmd-image-missing" 1 "$cli" "$cmd" --image "$tmp/no-such-image" --regs "$d/regs"
done
expect_error dump-tlb-and-mem 2 "$cli" dump "${m[@]}" --tlb --mem
expect_error_like lint-skip-unknown-kind 2 "unknown kind 'bogus' for --skip" "$cli" lint "${m[@]}" --skip wx,bogus
expect_error lint-skip-empty 2 "$cli" lint "${m[@]}" --skip ''
expect_error walk-unknown-flag 2 "$cli" walk "${m[@]}" --bogus 0x1000
expect_error_like walk-no-address 2 'no address given' "$cli" walk "${m[@]}"
expect_error_like walk-two-addresses 2 'more than one address' "$cli" walk "${m[@]}" 0x1000 0x2000
expect_error walk-bad-address 2 "$cli" walk "${m[@]}" 0x10zz
expect_error walk-write-and-fetch 2 "$cli" walk "${m[@]}" --write --fetch 0x1000
expect_error translate-json-with-value 2 "${base[@]}" --json=1 0x1000
expect_error translate-stdin-twice 2 "${base[@]}" - -
printf '0x1000\n0x10zz\n' >"$tmp/bad-addrs"
expect_failure_like translate-stdin-bad-line 2 "stdin:2: bad address '0x10zz': trailing characters after the number$" \
  sh -c '"$@" <"$0"' "$tmp/bad-addrs" "${base[@]}"
printf '0x1000\n\0000x2000\n' >"$tmp/nul-addrs"
expect_failure_like translate-stdin-nul 2 'stdin:2: NUL byte' sh -c '"$@" <"$0"' "$tmp/nul-addrs" "${base[@]}"
# A walk over a table outside the image, and with paging off, is drawn, not an error.
run "$cli" walk "${m[@]}" --cr3 0x40000000 0x1000
if [ "$rc" -eq 0 ] && grep -q 'walk ends at level 4 (PML4): bus error' "$out" &&
   [ "$(tail -n 1 "$out")" = "0x0000000000001000 bus-error level=4 entry_pa=0x0000000040000000" ]; then
  pass walk-cr3-beyond-image
else
  fail walk-cr3-beyond-image "exit $rc or wrong output" "$cli" walk "${m[@]}" --cr3 0x40000000 0x1000
fi
run "$cli" walk "${m[@]}" --cr0 0x11 --cr3 0 --cr4 0 --efer 0 0x12345
if [ "$rc" -eq 0 ] && [ "$(tail -n 1 "$out")" = "$(cat "$tmp/nopaging.expected")" ]; then pass walk-paging-off
else fail walk-paging-off "exit $rc or wrong output" "$cli" walk "${m[@]}" --cr0 0x11 --cr3 0 --cr4 0 --efer 0 0x12345
fi
for cmd in walk dump lint stats; do
  for args in "help $cmd" "$cmd --help" "$cmd -h"; do
    # shellcheck disable=SC2086
    run "$cli" $args
    if crashed || [ "$rc" -ne 0 ] || [ -s "$err" ] || ! grep -q "^usage: pagewalk $cmd " "$out"; then
      fail "help: $args" "exit $rc or no usage line" "$cli" $args
    else
      pass "help: $args"
    fi
  done
done
run "$cli" --help
for cmd in translate walk dump lint stats; do
  if grep -q "^  $cmd " "$out"; then pass "main-help-lists-$cmd"
  else fail "main-help-lists-$cmd" "not in pagewalk --help" "$cli" --help
  fi
done
# ==== end of dump, walk, lint, stats ====

echo "$((total - failed))/$total passed ($cli)"
[ "$failed" -eq 0 ]
