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
    CLI_EXIT_FINDINGS = 3, /* lint: the page tables have findings */
};

/* Print one line "pagewalk: <message>" on stderr. */
void cli_err(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* `pagewalk NAME ...`: argv[0] is NAME. Each returns the exit code; its help
 * function prints `pagewalk help NAME`. */
int cmd_translate(int argc, char **argv);
void cmd_translate_help(FILE *out);
int cmd_walk(int argc, char **argv);
void cmd_walk_help(FILE *out);
int cmd_dump(int argc, char **argv);
void cmd_dump_help(FILE *out);
int cmd_lint(int argc, char **argv);
void cmd_lint_help(FILE *out);
int cmd_stats(int argc, char **argv);
void cmd_stats_help(FILE *out);

#endif
