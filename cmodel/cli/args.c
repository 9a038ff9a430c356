/* Number parsing for the CLI. Written out by hand rather than with strtoull,
 * which skips blanks, accepts signs (and wraps "-1" to 2^64-1) and needs errno
 * to report an overflow. */
#include "args.h"

#define DEC_BASE 10u
#define HEX_BASE 16u
#define ASCII_DEL 0x7f

static int digit_value(char c, unsigned base)
{
    unsigned v;
    if (c >= '0' && c <= '9')
        v = (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
        v = (unsigned)(c - 'a') + DEC_BASE;
    else if (c >= 'A' && c <= 'F')
        v = (unsigned)(c - 'A') + DEC_BASE;
    else
        return -1;
    return v < base ? (int)v : -1;
}

static const char *too_large(uint64_t max)
{
    if (max == UINT64_MAX)
        return "too large (more than 64 bits)";
    if (max == UINT32_MAX)
        return "too large (more than 32 bits)";
    return "too large";
}

bool cli_parse_u64(const char *s, uint64_t max, uint64_t *out, const char **why)
{
    const char *reason = NULL;
    unsigned base = DEC_BASE;
    uint64_t v = 0;

    if (!s || !*s) {
        reason = "empty";
    } else if (*s == '-') {
        reason = "negative numbers are not allowed";
    } else if (*s == '+') {
        reason = "a sign is not allowed";
    } else {
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            base = HEX_BASE;
            s += 2;
            if (!*s)
                reason = "no hex digits after 0x";
        }
        if (!reason && digit_value(*s, base) < 0)
            reason = base == HEX_BASE ? "not a hex number" : "not a number (decimal, or hex with 0x)";
        for (; !reason && *s; s++) {
            int d = digit_value(*s, base);
            if (d < 0)
                reason = "trailing characters after the number";
            else if ((uint64_t)d > max || v > (max - (uint64_t)d) / base)
                reason = too_large(max);
            else
                v = v * base + (uint64_t)d;
        }
    }
    if (reason) {
        if (why)
            *why = reason;
        return false;
    }
    *out = v;
    return true;
}

const char *cli_quote(const char *s, size_t len, char *buf, size_t buf_len)
{
    static const char cut[] = "...";
    if (!buf_len)
        return buf;
    size_t room = buf_len - 1, n = 0;
    bool long_str = len > room;
    if (long_str)
        room = room > sizeof cut - 1 ? room - (sizeof cut - 1) : 0;
    for (; n < len && n < room; n++) {
        unsigned char c = (unsigned char)s[n];
        buf[n] = (c < ' ' || c == ASCII_DEL) ? '?' : (char)c;
    }
    for (size_t i = 0; long_str && i < sizeof cut - 1 && n < buf_len - 1; i++)
        buf[n++] = cut[i];
    buf[n] = '\0';
    return buf;
}
