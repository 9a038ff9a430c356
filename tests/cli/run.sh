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
expect_error no-address 2 "${base[@]}"
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

echo "$((total - failed))/$total passed ($cli)"
[ "$failed" -eq 0 ]
