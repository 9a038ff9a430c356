/* Numbers on the command line and in the regs file: decimal, or hex with a
 * 0x/0X prefix, over the full 64-bit range. The whole string must be the
 * number: no sign, no blanks, no trailing characters. */
#ifndef PW_CLI_ARGS_H
#define PW_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse `s` into *out. Values above `max` are rejected like an overflow.
 * On failure returns false and points *why at a short reason
 * ("empty", "negative numbers are not allowed", ...); *out is untouched. */
bool cli_parse_u64(const char *s, uint64_t max, uint64_t *out, const char **why);

/* `s` (its first `len` bytes) made safe to quote in a one-line message:
 * control characters become '?', and a long string is cut with "...".
 * Returns buf, which holds at most buf_len bytes with the NUL. */
const char *cli_quote(const char *s, size_t len, char *buf, size_t buf_len);
#define CLI_QUOTE_MAX 64 /* a good buf_len for cli_quote */

#endif
