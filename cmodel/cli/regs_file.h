/* A register set as the CLI collects it: from a --regs file and from flags.
 * Every value remembers whether it was given.
 *
 * File formats (docs/cli.md):
 * - key=value: one `key = value` per line; keys cr0, cr3, cr4, efer, pkru,
 *   pkrs, pdpte0..pdpte3, maxphyaddr (any case); values as args.h parses
 *   them; '#' starts a comment; blank lines are allowed.
 * - QEMU `info registers` text, recognised by its "CR0=... CR3=..." line
 *   (regs_qemu.h). */
#ifndef PW_CLI_REGS_FILE_H
#define PW_CLI_REGS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    RK_CR0 = 0,
    RK_CR3,
    RK_CR4,
    RK_EFER,
    RK_PKRU,
    RK_PKRS,
    RK_PDPTE0,
    RK_PDPTE1,
    RK_PDPTE2,
    RK_PDPTE3,
    RK_MAXPHYADDR,
    RK_COUNT,
} cli_reg_key;

#define RK_PDPTE_COUNT 4

typedef struct {
    uint64_t val[RK_COUNT];
    bool have[RK_COUNT];
} cli_regset;

/* The key's name ("cr3"), and the largest value it may hold. */
const char *cli_reg_name(cli_reg_key k);
uint64_t cli_reg_max(cli_reg_key k);
/* The key named `name` (case-insensitive, `len` bytes), or RK_COUNT. */
cli_reg_key cli_reg_lookup(const char *name, size_t len);

/* Copy every value `over` has into `base` (flags override the file). */
void cli_regset_merge(cli_regset *base, const cli_regset *over);

typedef enum {
    RF_OK = 0,
    RF_IO,      /* the file cannot be opened or read */
    RF_SYNTAX,  /* a line is wrong: unknown or duplicate key, bad number, ... */
} cli_regs_file_status;

/* Read `path` into *out (which starts empty), in whichever of the two formats
 * it is. On failure `msg` holds one line naming the file, and the line for
 * RF_SYNTAX ("regs.txt:3: unknown key 'x'"). A file larger than 1 MiB is
 * RF_SYNTAX. */
cli_regs_file_status cli_regs_file_load(const char *path, cli_regset *out, char *msg, size_t msg_len);

#endif
