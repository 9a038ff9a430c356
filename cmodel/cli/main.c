/* pagewalk: the command-line front end of libpagewalk. Dispatches to one
 * subcommand per cmd_*.c file; every error is one "pagewalk: ..." line on
 * stderr with the exit codes of cli.h. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "pagewalk/pagewalk.h"

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*help)(FILE *out);
} command;

static const command commands[] = {
    {"translate", "translate linear addresses through the page tables of an image",
     cmd_translate, cmd_translate_help},
    {"walk", "draw the walk of one address, entry by entry", cmd_walk, cmd_walk_help},
    {"dump", "list every present leaf mapping (--tlb) or merged ranges (--mem)", cmd_dump,
     cmd_dump_help},
    {"lint", "report problems in the page tables (exit 3 when there are any)", cmd_lint,
     cmd_lint_help},
    {"stats", "count table pages, entries and pages per level", cmd_stats, cmd_stats_help},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

void cli_err(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout); /* keep what was printed before the error in order */
    fputs("pagewalk: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void main_help(FILE *out)
{
    fputs("usage: pagewalk COMMAND [ARGS...]\n"
          "       pagewalk help COMMAND | --help | --version\n"
          "\n"
          "commands:\n",
          out);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fputs("\n'pagewalk help COMMAND' describes a command.\n"
          "Exit status: 0 success, 1 runtime error, 2 bad usage, 3 lint findings.\n"
          "See docs/cli.md.\n",
          out);
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        cli_err("no command given (try 'pagewalk --help')");
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        (strcmp(cmd, "help") == 0 && argc == 2)) {
        main_help(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("pagewalk %s\n", PAGEWALK_VERSION);
        return CLI_EXIT_OK;
    }
    char q[CLI_QUOTE_MAX];
    if (strcmp(cmd, "help") == 0) {
        const command *c = find_command(argv[2]);
        if (!c || argc > 3) {
            const char *what = argc > 3 ? argv[3] : argv[2];
            cli_err("no help for '%s' (try 'pagewalk --help')",
                    cli_quote(what, strlen(what), q, sizeof q));
            return CLI_EXIT_USAGE;
        }
        c->help(stdout);
        return CLI_EXIT_OK;
    }
    const command *c = find_command(cmd);
    if (!c) {
        cli_err("unknown command '%s' (try 'pagewalk --help')", cli_quote(cmd, strlen(cmd), q, sizeof q));
        return CLI_EXIT_USAGE;
    }
    return c->run(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
    int rc = dispatch(argc, argv);
    /* Output that could not be written is a failure, not a success. A command
     * that failed has said so already: one line is enough. */
    errno = 0;
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == CLI_EXIT_OK) {
        cli_err("cannot write output: %s", strerror(errno ? errno : EIO));
        rc = CLI_EXIT_RUNTIME;
    }
    return rc;
}
