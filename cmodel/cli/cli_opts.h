/* The flags every command shares, and the one parser all commands use.
 *
 * A command names the flag groups it takes (the machine, the access, the
 * scan limit) and its own flags; cli_parse fills a cli_common with the groups'
 * flags and hands the command's own flags and positional arguments to its
 * callbacks. Flags and arguments may come in any order; "--" ends the flags;
 * --name=value and --name value are both accepted; every mistake is one
 * usage-error line (cli_err). */
#ifndef PW_CLI_OPTS_H
#define PW_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pagewalk/types.h"
#include "regs_file.h"

typedef enum { PARSE_OK, PARSE_HELP, PARSE_USAGE } parse_result;

/* Flag groups. */
enum {
    CLI_G_MACHINE = 1u, /* --image --regs --cr0 .. --pkrs --maxphyaddr --no-1g --no-pse36 */
    CLI_G_ACCESS = 2u,  /* --user --write --fetch --implicit --ac --ad-policy */
    CLI_G_SCAN = 4u,    /* --max-entries */
};

typedef struct {
    /* CLI_G_MACHINE */
    const char *image;
    const char *regs_path;
    cli_regset flags;          /* registers given as flags; they override the file */
    bool no_1g, no_pse36;
    /* CLI_G_ACCESS */
    bool write, fetch, user, implicit, ac;
    bool ad_given;
    pw_ad_policy ad;
    /* CLI_G_SCAN */
    uint64_t max_entries;      /* 0: the library's default */
} cli_common;

/* One flag of a command's own. */
typedef struct {
    const char *name;          /* without the leading "--" */
    int id;                    /* handed back to on_opt */
    bool takes_value;
} cli_opt;

typedef struct {
    const char *cmd;           /* "translate": for "try 'pagewalk help translate'" */
    unsigned groups;           /* CLI_G_* */
    const cli_opt *opts;
    size_t n_opts;
    /* A flag of the command's own (value NULL unless takes_value). */
    parse_result (*on_opt)(void *ctx, const cli_opt *opt, const char *value);
    /* A positional argument; NULL: the command takes none. "-" is positional. */
    parse_result (*on_arg)(void *ctx, const char *arg);
    void *ctx;
} cli_parser;

/* argv[0] is the command name; *c starts zeroed. Checks what the groups need
 * (an --image, not --write with --fetch). */
parse_result cli_parse(int argc, char **argv, const cli_parser *p, cli_common *c);

/* Help text of each group, in the layout of the commands' help. */
void cli_help_machine(FILE *out);
void cli_help_access(FILE *out);
void cli_help_scan(FILE *out);

/* The access the ACCESS flags describe. */
pw_access_kind cli_access_kind(const cli_common *c);

#endif
