/* The flags of `pagewalk translate` (docs/cli.md), parsed into one struct. */
#ifndef PW_CLI_TRANSLATE_OPTS_H
#define PW_CLI_TRANSLATE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_opts.h"

typedef struct {
    cli_common c;              /* machine and access flags */
    bool json;                 /* --json: one JSON object per line */
    uint64_t *addrs;           /* the ADDR arguments, in order */
    size_t n_addrs;
    bool use_stdin;            /* read addresses from stdin ('-', or no ADDR given) ... */
    size_t stdin_at;           /* ... after the first stdin_at addresses */
} translate_opts;

/* argv[0] is "translate"; o starts zeroed with o->addrs room for argc
 * addresses. Reports a usage error itself (cli_err). */
parse_result translate_parse_args(int argc, char **argv, translate_opts *o);

#endif
