/* The flags of `pagewalk translate` (docs/cli.md), parsed into one struct. */
#ifndef PW_CLI_TRANSLATE_OPTS_H
#define PW_CLI_TRANSLATE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pagewalk/types.h"
#include "regs_file.h"

typedef struct {
    const char *image;
    const char *regs_path;
    cli_regset flags;          /* registers given as flags; they override the file */
    bool write, fetch, user, implicit, ac;
    bool no_1g, no_pse36;
    bool ad_given;
    pw_ad_policy ad;
    uint64_t *addrs;
    size_t n_addrs;
} translate_opts;

typedef enum { PARSE_OK, PARSE_HELP, PARSE_USAGE } parse_result;

/* argv[0] is "translate"; o starts zeroed with o->addrs room for argc
 * addresses. Reports a usage error itself (cli_err). */
parse_result translate_parse_args(int argc, char **argv, translate_opts *o);

#endif
