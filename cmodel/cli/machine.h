/* The machine a command looks at: configuration, registers and memory image,
 * built from the shared flags (cli_opts.h), checked, with the PAE PDPTE
 * registers loaded. Also the scan driver the table-listing commands share. */
#ifndef PW_CLI_MACHINE_H
#define PW_CLI_MACHINE_H

#include <stdio.h>

#include "cli_opts.h"
#include "pagewalk/pagewalk.h"

typedef struct {
    pw_config cfg;
    pw_regs regs;
    pw_mode mode;
    pw_image *img;
    pw_mem mem;          /* over img: writes (A/D) land in the private mapping only */
} cli_machine;

/* Registers (--regs file, then flags over it), configuration, image, PDPTEs.
 * Returns an exit code (cli.h) and has reported any error itself; on success
 * cli_machine_close must follow. */
int cli_machine_open(const cli_common *c, cli_machine *m);
void cli_machine_close(cli_machine *m);

/* For the commands that list the tables (dump, lint, stats): paging is on and
 * the root table lies inside the image. Reports the error itself. */
int cli_machine_need_tables(const cli_machine *m);

/* The frame of the commands that list the tables (dump, lint, stats): parse the
 * command line (help on stdout, usage errors), open the machine, check it has
 * page tables, run `body`, close. Returns the exit code. */
int cli_run_table_command(int argc, char **argv, const cli_parser *p, cli_common *c,
                          void (*help)(FILE *out), int (*body)(cli_machine *m, void *ctx),
                          void *ctx);

/* pw_scan of the machine's tables with `fn`, then `done` (may be NULL: the
 * command's last output); max_entries 0 = the default. A loop (reported after
 * the scan: the first looping entry) or the limit is one error line and
 * CLI_EXIT_RUNTIME; what the visitor printed stays. */
int cli_scan(const cli_machine *m, uint64_t max_entries,
             pw_scan_action (*fn)(void *ctx, const pw_scan_entry *e), void (*done)(void *ctx),
             void *ctx);

/* Level names: "PT", "PD", "PDPT", "PML4", "PML5" (PAE level 3: "PDPT"). */
const char *cli_level_name(unsigned level);

/* Combined rights as four letters, QEMU `info mem` style plus x: 'u' or '-'
 * (U/S), 'r', 'w' or '-' (R/W), 'x' or '-' (XD=0). buf has room for 5. */
#define CLI_RIGHTS_LEN 5
const char *cli_rights_str(const pw_perm *p, char *buf);

#endif
