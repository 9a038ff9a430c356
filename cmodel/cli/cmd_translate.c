/* `pagewalk translate`: translate linear addresses through the page tables of
 * a memory image (raw dump or ELF core), one machine-readable line per
 * address (docs/cli.md).
 *
 * Steps: parse the flags (translate_opts.c); build the machine (machine.c:
 * registers, configuration, image, PDPTEs); walk each address given, reading
 * stdin where it was asked for, and print the result (result_out.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "machine.h"
#include "result_out.h"
#include "translate_opts.h"

typedef struct {
    const translate_opts *o;
    const cli_machine *m;
    pw_request req;      /* the access; la set per address */
} translator;

static int translate_one(translator *t, uint64_t la)
{
    pw_result res;
    t->req.la = la;
    pw_status st = pw_walk(&t->m->cfg, &t->m->regs, &t->m->mem, &t->req, &res);
    if (st != PW_OK) {
        cli_err("cannot translate 0x%016" PRIx64 ": %s", la, pw_status_str(st));
        return CLI_EXIT_RUNTIME;
    }
    cli_print_result(stdout, la, &res, t->o->json);
    return CLI_EXIT_OK;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* One stdin line: NULL-terminated in place, comment cut and blanks trimmed.
 * *empty when nothing is left. */
static int stdin_line(char *line, size_t len, unsigned lineno, uint64_t *la, bool *empty)
{
    char q[CLI_QUOTE_MAX];
    if (memchr(line, '\0', len)) {
        cli_err("stdin:%u: NUL byte in line (not a text file?)", lineno);
        return CLI_EXIT_USAGE;
    }
    char *hash = memchr(line, '#', len);
    if (hash)
        len = (size_t)(hash - line);
    while (len && is_blank(line[len - 1]))
        len--;
    while (len && is_blank(*line))
        line++, len--;
    line[len] = '\0';
    *empty = len == 0;
    const char *why;
    if (!*empty && !cli_parse_u64(line, UINT64_MAX, la, &why)) {
        cli_err("stdin:%u: bad address '%s': %s", lineno, cli_quote(line, len, q, sizeof q), why);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* Every address on stdin, translated as it is read. */
static int translate_stdin(translator *t)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned lineno = 0;
    int rc = CLI_EXIT_OK;
    while (rc == CLI_EXIT_OK && (n = getline(&line, &cap, stdin)) >= 0) {
        uint64_t la;
        bool empty;
        rc = stdin_line(line, (size_t)n, ++lineno, &la, &empty);
        if (rc == CLI_EXIT_OK && !empty)
            rc = translate_one(t, la);
    }
    if (rc == CLI_EXIT_OK && ferror(stdin)) {
        cli_err("cannot read stdin");
        rc = CLI_EXIT_RUNTIME;
    }
    free(line);
    return rc;
}

static int translate_all(const translate_opts *o, const cli_machine *m)
{
    const cli_common *c = &o->c;
    translator t = {.o = o, .m = m,
                    .req = {.kind = cli_access_kind(c), .user = c->user, .implicit = c->implicit,
                            .ac = c->ac}};
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; i <= o->n_addrs && rc == CLI_EXIT_OK; i++) {
        if (o->use_stdin && i == o->stdin_at)
            rc = translate_stdin(&t);
        if (i < o->n_addrs && rc == CLI_EXIT_OK)
            rc = translate_one(&t, o->addrs[i]);
    }
    return rc;
}

int cmd_translate(int argc, char **argv)
{
    translate_opts o;
    memset(&o, 0, sizeof o);
    /* At most one address per argument. */
    o.addrs = calloc(argc > 0 ? (size_t)argc : 1, sizeof *o.addrs);
    if (!o.addrs) {
        cli_err("out of memory");
        return CLI_EXIT_RUNTIME;
    }
    int rc;
    cli_machine m;
    switch (translate_parse_args(argc, argv, &o)) {
    case PARSE_HELP:
        cmd_translate_help(stdout);
        rc = CLI_EXIT_OK;
        break;
    case PARSE_USAGE:
        rc = CLI_EXIT_USAGE;
        break;
    default:
        rc = cli_machine_open(&o.c, &m);
        if (rc == CLI_EXIT_OK) {
            rc = translate_all(&o, &m);
            cli_machine_close(&m);
        }
        break;
    }
    free(o.addrs);
    return rc;
}
