/* One translation result as one line: the text format of docs/cli.md, or a
 * JSON object with the same fields (translate --json). */
#ifndef PW_CLI_RESULT_OUT_H
#define PW_CLI_RESULT_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pagewalk/types.h"

/* `la` is the address as given (the walk used its mode-truncated form). */
void cli_print_result(FILE *out, uint64_t la, const pw_result *r, bool json);

#endif
