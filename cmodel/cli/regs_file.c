/* The --regs file: key=value lines, or QEMU `info registers` text
 * (regs_qemu.c). The file is read whole (it is small: at most
 * REGS_FILE_MAX), then parsed in the format it is in. Errors name file:line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "args.h"
#include "regs_file.h"
#include "regs_qemu.h"

#define MAXPHYADDR_MAX 255u /* parsed as a byte; pw_config_check says what is legal */
#define PATH_QUOTE_MAX 256  /* characters of the file name kept in a message */
#define REGS_FILE_MAX  (1u << 20) /* `info registers -a` of 64 CPUs is ~300 KiB */
#define READ_STEP      4096u

static const struct {
    const char *name;
    uint64_t max;
} keys[RK_COUNT] = {
    [RK_CR0] = {"cr0", UINT64_MAX},        [RK_CR3] = {"cr3", UINT64_MAX},
    [RK_CR4] = {"cr4", UINT64_MAX},        [RK_EFER] = {"efer", UINT64_MAX},
    [RK_PKRU] = {"pkru", UINT32_MAX},      [RK_PKRS] = {"pkrs", UINT32_MAX},
    [RK_PDPTE0] = {"pdpte0", UINT64_MAX},  [RK_PDPTE1] = {"pdpte1", UINT64_MAX},
    [RK_PDPTE2] = {"pdpte2", UINT64_MAX},  [RK_PDPTE3] = {"pdpte3", UINT64_MAX},
    [RK_MAXPHYADDR] = {"maxphyaddr", MAXPHYADDR_MAX},
};

const char *cli_reg_name(cli_reg_key k)
{
    return k < RK_COUNT ? keys[k].name : "?";
}

uint64_t cli_reg_max(cli_reg_key k)
{
    return k < RK_COUNT ? keys[k].max : 0;
}

cli_reg_key cli_reg_lookup(const char *name, size_t len)
{
    for (unsigned k = 0; k < RK_COUNT; k++)
        if (strlen(keys[k].name) == len && strncasecmp(keys[k].name, name, len) == 0)
            return (cli_reg_key)k;
    return RK_COUNT;
}

void cli_regset_merge(cli_regset *base, const cli_regset *over)
{
    for (unsigned k = 0; k < RK_COUNT; k++) {
        if (over->have[k]) {
            base->val[k] = over->val[k];
            base->have[k] = true;
        }
    }
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Trim blanks on both sides of [*s, *s + *len). */
static void trim(char **s, size_t *len)
{
    while (*len && is_blank(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_blank((*s)[*len - 1]))
        (*len)--;
}

/* One line, comment already cut. An error is described in msg. */
static cli_regs_file_status parse_line(char *line, size_t len, cli_regset *out, const char *path,
                                       unsigned lineno, char *msg, size_t msg_len)
{
    char q[CLI_QUOTE_MAX];
    trim(&line, &len);
    if (!len)
        return RF_OK;
    char *eq = memchr(line, '=', len);
    if (!eq) {
        snprintf(msg, msg_len, "%s:%u: expected key=value, got '%s'", path, lineno,
                 cli_quote(line, len, q, sizeof q));
        return RF_SYNTAX;
    }
    char *key = line, *val = eq + 1;
    size_t key_len = (size_t)(eq - line), val_len = len - key_len - 1;
    trim(&key, &key_len);
    trim(&val, &val_len);
    if (!key_len) {
        snprintf(msg, msg_len, "%s:%u: missing key before '='", path, lineno);
        return RF_SYNTAX;
    }
    cli_reg_key k = cli_reg_lookup(key, key_len);
    if (k == RK_COUNT) {
        snprintf(msg, msg_len,
                 "%s:%u: unknown key '%s' (known: cr0 cr3 cr4 efer pkru pkrs pdpte0..pdpte3 "
                 "maxphyaddr)",
                 path, lineno, cli_quote(key, key_len, q, sizeof q));
        return RF_SYNTAX;
    }
    if (out->have[k]) {
        snprintf(msg, msg_len, "%s:%u: duplicate key '%s'", path, lineno, cli_reg_name(k));
        return RF_SYNTAX;
    }
    val[val_len] = '\0'; /* inside the line buffer: the value ends before its old end */
    const char *why;
    if (!cli_parse_u64(val, cli_reg_max(k), &out->val[k], &why)) {
        snprintf(msg, msg_len, "%s:%u: bad value '%s' for %s: %s", path, lineno,
                 cli_quote(val, val_len, q, sizeof q), cli_reg_name(k), why);
        return RF_SYNTAX;
    }
    out->have[k] = true;
    return RF_OK;
}

/* Key=value lines, each cut at its '#'. text[len] is writable (parse_line
 * ends a value with a NUL, at most there). */
static cli_regs_file_status parse_key_values(char *text, size_t len, const char *name,
                                             cli_regset *out, char *msg, size_t msg_len)
{
    unsigned lineno = 0;
    for (size_t pos = 0; pos < len;) {
        char *line = text + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + 1;
        lineno++;
        char *hash = memchr(line, '#', n);
        if (hash)
            n = (size_t)(hash - line);
        cli_regs_file_status st = parse_line(line, n, out, name, lineno, msg, msg_len);
        if (st != RF_OK)
            return st;
    }
    return RF_OK;
}

/* The whole file into a NUL-terminated buffer (*text, to free). */
static cli_regs_file_status read_all(const char *path, const char *name, char **text, size_t *len,
                                     char *msg, size_t msg_len)
{
    *text = NULL;
    *len = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(msg, msg_len, "cannot open regs file '%s': %s", name, strerror(errno));
        return RF_IO;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    cli_regs_file_status st = RF_OK;
    errno = 0;
    for (;;) {
        if (n + READ_STEP + 1 > cap) {
            char *b = realloc(buf, cap = n + READ_STEP + 1);
            if (!b) {
                snprintf(msg, msg_len, "cannot read regs file '%s': out of memory", name);
                st = RF_IO;
                break;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, READ_STEP, f);
        n += got;
        if (n > REGS_FILE_MAX) {
            snprintf(msg, msg_len, "regs file '%s' is larger than %u KiB: not a register file?",
                     name, REGS_FILE_MAX >> 10);
            st = RF_SYNTAX;
            break;
        }
        if (got < READ_STEP) {
            if (ferror(f)) {
                snprintf(msg, msg_len, "cannot read regs file '%s': %s", name,
                         strerror(errno ? errno : EIO));
                st = RF_IO;
            }
            break;
        }
    }
    fclose(f);
    if (st != RF_OK) {
        free(buf);
        return st;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return RF_OK;
}

cli_regs_file_status cli_regs_file_load(const char *path, cli_regset *out, char *msg, size_t msg_len)
{
    memset(out, 0, sizeof *out);
    char name[PATH_QUOTE_MAX];
    cli_quote(path, strlen(path), name, sizeof name);
    char *text;
    size_t len;
    cli_regs_file_status st = read_all(path, name, &text, &len, msg, msg_len);
    if (st != RF_OK)
        return st;
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        unsigned lineno = 1;
        for (const char *c = text; c < nul; c++)
            lineno += *c == '\n';
        snprintf(msg, msg_len, "%s:%u: NUL byte in line (not a text file?)", name, lineno);
        st = RF_SYNTAX;
    } else if (cli_regs_qemu_detect(text, len)) {
        st = cli_regs_qemu_parse(text, len, name, out, msg, msg_len);
    } else {
        st = parse_key_values(text, len, name, out, msg, msg_len);
    }
    free(text);
    return st;
}
