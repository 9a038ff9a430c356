/* What every file of the pagewalk CLI shares: exit codes, the one way to
 * report an error, and the subcommands main.c dispatches to. */
#ifndef PW_CLI_H
#define PW_CLI_H

#include <stdio.h>

/* Exit codes (docs/cli.md). Faults are results, not errors. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_RUNTIME = 1, /* the environment failed: a file cannot be read, the image is bad */
    CLI_EXIT_USAGE = 2,   /* what the user wrote is wrong: flags, numbers, the regs file */
};

/* Print one line "pagewalk: <message>" on stderr. */
void cli_err(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* `pagewalk translate ...`: argv[0] is "translate". Returns the exit code. */
int cmd_translate(int argc, char **argv);
void cmd_translate_help(FILE *out);

#endif
