/* QEMU `info registers` text as a register source (regs_qemu.h). QEMU's
 * layout (target/i386/cpu-dump.c) has changed over the versions (8 or 16
 * digits, segment lines such as "ES =0000 ...", extra registers), so the
 * parser does not follow lines: it reads KEY=VALUE tokens anywhere. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "args.h"
#include "regs_qemu.h"

#define VALUE_MAX 64        /* characters of a value handed to cli_parse_u64 */
#define CPU_HEADER "CPU#"   /* `info registers -a`: "CPU#0", "CPU#1", ... */
#define PROMPT "(qemu)"

/* The registers QEMU prints, with the key they fill. */
static const struct {
    const char *name;
    cli_reg_key key;
} qemu_regs[] = {
    {"CR0", RK_CR0}, {"CR3", RK_CR3}, {"CR4", RK_CR4}, {"EFER", RK_EFER}, {"PKRU", RK_PKRU},
};
#define N_QEMU_REGS (sizeof qemu_regs / sizeof qemu_regs[0])

typedef struct {
    const char *s;
    size_t len;
} span;

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static bool starts_with(span t, const char *prefix)
{
    size_t n = strlen(prefix);
    return t.len >= n && memcmp(t.s, prefix, n) == 0;
}

/* The next line of text from *pos on (without its '\n'); false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, span *line)
{
    if (*pos >= len)
        return false;
    const char *start = text + *pos, *nl = memchr(start, '\n', len - *pos);
    line->s = start;
    line->len = nl ? (size_t)(nl - start) : len - *pos;
    *pos += line->len + 1;
    return true;
}

/* Blanks trimmed; a comment cut, except in a "CPU#n" header. */
static span clean(span l)
{
    while (l.len && is_blank(*l.s))
        l.s++, l.len--;
    const char *hash = starts_with(l, CPU_HEADER) ? NULL : memchr(l.s, '#', l.len);
    if (hash)
        l.len = (size_t)(hash - l.s);
    while (l.len && is_blank(l.s[l.len - 1]))
        l.len--;
    return l;
}

/* The next blank-separated token of *l, consumed; false when none is left. */
static bool next_token(span *l, span *tok)
{
    while (l->len && is_blank(*l->s))
        l->s++, l->len--;
    if (!l->len)
        return false;
    tok->s = l->s;
    while (l->len && !is_blank(*l->s))
        l->s++, l->len--;
    tok->len = (size_t)(l->s - tok->s);
    return true;
}

bool cli_regs_qemu_detect(const char *text, size_t len)
{
    size_t pos = 0;
    span line, tok;
    while (next_line(text, len, &pos, &line)) {
        span l = clean(line);
        if (!next_token(&l, &tok) || !starts_with(tok, "CR0="))
            continue;
        while (next_token(&l, &tok))
            if (memchr(tok.s, '=', tok.len))
                return true;
    }
    return false;
}

typedef struct {
    const char *name;       /* the file, for messages */
    unsigned lineno;
    cli_regset *out;
    char *msg;
    size_t msg_len;
} parser;

/* QEMU prints hex without a prefix; a hand-edited file may have one. */
static cli_regs_file_status set_reg(parser *p, cli_reg_key k, const char *key_name, span val)
{
    char q[CLI_QUOTE_MAX], buf[VALUE_MAX + 3];
    const char *why = NULL;
    if (!val.len)
        why = "empty";
    else if (val.len > VALUE_MAX)
        why = "too long";
    if (!why) {
        bool prefixed = val.len > 1 && val.s[0] == '0' && (val.s[1] == 'x' || val.s[1] == 'X');
        snprintf(buf, sizeof buf, "%s%.*s", prefixed ? "" : "0x", (int)val.len, val.s);
        uint64_t v;
        if (cli_parse_u64(buf, cli_reg_max(k), &v, &why)) {
            if (p->out->have[k]) {
                snprintf(p->msg, p->msg_len,
                         "%s:%u: %s given twice (registers of more than one CPU? keep one "
                         "CPU's lines)",
                         p->name, p->lineno, key_name);
                return RF_SYNTAX;
            }
            p->out->val[k] = v;
            p->out->have[k] = true;
            return RF_OK;
        }
    }
    snprintf(p->msg, p->msg_len, "%s:%u: bad value '%s' for %s: %s", p->name, p->lineno,
             cli_quote(val.s, val.len, q, sizeof q), key_name, why);
    return RF_SYNTAX;
}

/* One KEY=VALUE token; `prev` is the token before it, the key of "ES =0000". */
static cli_regs_file_status token(parser *p, span tok, span prev)
{
    const char *eq = memchr(tok.s, '=', tok.len);
    if (!eq)
        return RF_OK; /* "[-------]", "CS64", "DPL=0"'s neighbours, ... */
    span key = {tok.s, (size_t)(eq - tok.s)}, val = {eq + 1, tok.len - key.len - 1};
    if (!key.len)
        key = prev;
    for (size_t i = 0; i < N_QEMU_REGS; i++)
        if (strlen(qemu_regs[i].name) == key.len &&
            strncasecmp(qemu_regs[i].name, key.s, key.len) == 0)
            return set_reg(p, qemu_regs[i].key, qemu_regs[i].name, val);
    cli_reg_key k = cli_reg_lookup(key.s, key.len);
    if (k != RK_COUNT) {
        snprintf(p->msg, p->msg_len,
                 "%s:%u: %s is not read from QEMU 'info registers' text (give it as a flag)",
                 p->name, p->lineno, cli_reg_name(k));
        return RF_SYNTAX;
    }
    return RF_OK; /* another of QEMU's registers */
}

cli_regs_file_status cli_regs_qemu_parse(const char *text, size_t len, const char *name,
                                         cli_regset *out, char *msg, size_t msg_len)
{
    parser p = {.name = name, .out = out, .msg = msg, .msg_len = msg_len};
    char q[CLI_QUOTE_MAX];
    unsigned cpus = 0;
    size_t pos = 0;
    span line;
    while (next_line(text, len, &pos, &line)) {
        p.lineno++;
        span l = clean(line), tok, prev = {"", 0};
        if (!l.len || starts_with(l, PROMPT))
            continue;
        if (starts_with(l, CPU_HEADER)) {
            if (++cpus > 1) {
                snprintf(msg, msg_len,
                         "%s:%u: registers of more than one CPU ('info registers -a'): keep one "
                         "CPU's lines",
                         name, p.lineno);
                return RF_SYNTAX;
            }
            continue;
        }
        if (!memchr(l.s, '=', l.len)) {
            snprintf(msg, msg_len, "%s:%u: not QEMU 'info registers' output: '%s'", name, p.lineno,
                     cli_quote(l.s, l.len, q, sizeof q));
            return RF_SYNTAX;
        }
        while (next_token(&l, &tok)) {
            cli_regs_file_status st = token(&p, tok, prev);
            if (st != RF_OK)
                return st;
            prev = tok;
        }
    }
    return RF_OK;
}
