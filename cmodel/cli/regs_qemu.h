/* Registers from QEMU's `info registers` text (the HMP monitor command, or
 * the same dump in a `-d cpu` log), as a --regs file (docs/cli.md).
 *
 * The text is lines of KEY=HEX tokens separated by blanks (`CR0=80050033
 * CR2=... CR3=000000001a5e8000 CR4=003506f0`, `EFER=0000000000000d01`);
 * 64-bit and 32-bit guests print 16 or 8 digits. Read: CR0, CR3, CR4, EFER
 * and PKRU if present (any case; hex, 0x prefix allowed). Every other token is
 * QEMU's and is skipped, but a line without any '=' is an error, and so are
 * the keys only a key=value file has (pkrs, pdpte0..3, maxphyaddr: give them
 * as flags). '#' starts a comment; "CPU#n" headers and "(qemu)" prompt lines
 * are skipped, but the registers of a second CPU (`info registers -a`) are an
 * error: keep one CPU's lines. */
#ifndef PW_CLI_REGS_QEMU_H
#define PW_CLI_REGS_QEMU_H

#include <stdbool.h>
#include <stddef.h>

#include "regs_file.h"

/* `text` is QEMU `info registers` output: a line (comment cut) whose first
 * token starts with "CR0=" and which holds another KEY= token, as QEMU's
 * "CR0=... CR2=... CR3=... CR4=..." line does. A valid key=value file never
 * has such a line (one key per line), so detection never changes its meaning. */
bool cli_regs_qemu_detect(const char *text, size_t len);

/* Parse `text` (len bytes, no NUL inside) into *out (which starts empty).
 * `name` is the file name for messages ("regs.txt:3: bad value 'zz' for CR3:
 * not a hex number"). */
cli_regs_file_status cli_regs_qemu_parse(const char *text, size_t len, const char *name,
                                         cli_regset *out, char *msg, size_t msg_len);

#endif
