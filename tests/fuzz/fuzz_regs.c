/* libFuzzer target: the CLI's register readers (cmodel/cli/regs_file.c,
 * regs_qemu.c and the number parser of args.c, linked as the unit tests link
 * them: REGS_CLI_SRC). Each input is written to a file in a private
 * temporary directory and loaded with cli_regs_file_load, as `--regs` does:
 *
 *  - the file is read (RF_OK) or refused (RF_SYNTAX) with a one-line,
 *    printable message; never RF_IO for a readable file;
 *  - every value read fits its register (cli_reg_max);
 *  - what was read survives a round trip through a key=value file;
 *  - QEMU text gives the same answer through the in-memory parser;
 *  - a trailing comment line and CRLF line ends change nothing;
 *  - cli_parse_u64 and cli_quote keep their promises on the same bytes. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmpdir.h"

#include "../../cmodel/cli/args.h"
#include "../../cmodel/cli/regs_file.h"
#include "../../cmodel/cli/regs_qemu.h"

#include "check.h"

#define MSG_MAX        512u                 /* the CLI's message buffers are this size or larger */
#define REGS_FILE_MAX  (1u << 20)           /* regs_file.h: larger files are refused */
#define NUMBER_MAX     80u                  /* bytes of the first line tried as a number */
#define ASCII_DEL      0x7f
#define TRAILER        "\n# a comment changes nothing\n"
#define KV_LINE_MAX    64u                  /* "pdpte3 = 0x" and 16 hex digits */
#define MSG_FILL       'x'                  /* msg is filled with this before each call */

static char dir[PATH_LEN];
static char in_path[PATH_LEN], alt_path[PATH_LEN];

static void cleanup(void)
{
    unlink(in_path);
    unlink(alt_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    pw_fuzz_tmpdir(dir, sizeof dir, "pw_fuzz_regs");
    snprintf(in_path, sizeof in_path, "%s/regs.txt", dir);
    snprintf(alt_path, sizeof alt_path, "%s/other.txt", dir);
    atexit(cleanup);
    return 0;
}

static bool printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < ' ' || c == ASCII_DEL)
            return false;
    }
    return true;
}

/* Load `size` bytes as a --regs file; a refusal comes with one printable line. */
static cli_regs_file_status load(const char *path, const void *data, size_t size, cli_regset *out,
                                 char *msg)
{
    pw_fuzz_write_file(path, data, size);
    memset(msg, MSG_FILL, MSG_MAX);
    cli_regs_file_status st = cli_regs_file_load(path, out, msg, MSG_MAX);
    CHECK(st == RF_OK || st == RF_SYNTAX);
    if (st == RF_OK) {
        for (unsigned k = 0; k < RK_COUNT; k++)
            CHECK(!out->have[k] || out->val[k] <= cli_reg_max((cli_reg_key)k));
    } else {
        size_t n = strnlen(msg, MSG_MAX);
        CHECK(n > 0 && n < MSG_MAX && printable(msg, n));
    }
    return st;
}

static bool same_regset(const cli_regset *a, const cli_regset *b)
{
    for (unsigned k = 0; k < RK_COUNT; k++)
        if (a->have[k] != b->have[k] || (a->have[k] && a->val[k] != b->val[k]))
            return false;
    return true;
}

/* The registers read, written back as a key=value file, read again. */
static void check_round_trip(const cli_regset *rs)
{
    char text[RK_COUNT * KV_LINE_MAX + 1], msg[MSG_MAX];
    size_t n = 0;
    for (unsigned k = 0; k < RK_COUNT; k++)
        if (rs->have[k])
            n += (size_t)snprintf(text + n, sizeof text - n, "%s = 0x%" PRIx64 "\n",
                                  cli_reg_name((cli_reg_key)k), rs->val[k]);
    cli_regset back;
    CHECK(load(alt_path, text, n, &back, msg) == RF_OK && same_regset(&back, rs));
}

/* Text that must read the same: a comment line appended, and CRLF line ends. */
static void check_variants(const uint8_t *data, size_t size, cli_regs_file_status st,
                           const cli_regset *rs)
{
    char msg[MSG_MAX];
    cli_regset other;
    size_t extra = sizeof TRAILER - 1;
    uint8_t *buf = malloc(2 * size + extra);
    CHECK(buf);
    memcpy(buf, data, size);
    memcpy(buf + size, TRAILER, extra);
    if (size + extra <= REGS_FILE_MAX) {
        cli_regs_file_status st2 = load(alt_path, buf, size + extra, &other, msg);
        CHECK(st2 == st && (st != RF_OK || same_regset(&other, rs)));
    }
    size_t n = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n')
            buf[n++] = '\r';
        buf[n++] = data[i];
    }
    if (n <= REGS_FILE_MAX) {
        cli_regs_file_status st2 = load(alt_path, buf, n, &other, msg);
        CHECK(st2 == st && (st != RF_OK || same_regset(&other, rs)));
    }
    free(buf);
}

/* QEMU text: the in-memory parser says what the file loader said. */
static void check_qemu_parser(const uint8_t *data, size_t size, cli_regs_file_status st,
                              const cli_regset *rs, const char *msg)
{
    if (size > REGS_FILE_MAX || memchr(data, '\0', size))
        return;
    char *text = malloc(size + 1);
    CHECK(text);
    memcpy(text, data, size);
    text[size] = '\0';
    if (cli_regs_qemu_detect(text, size)) {
        cli_regset q;
        char m2[MSG_MAX];
        memset(&q, 0, sizeof q);
        memset(m2, MSG_FILL, sizeof m2);
        cli_regs_file_status st2 = cli_regs_qemu_parse(text, size, in_path, &q, m2, sizeof m2);
        CHECK(st2 == st);
        if (st == RF_OK)
            CHECK(same_regset(&q, rs));
        else
            CHECK(strcmp(m2, msg) == 0);
    }
    free(text);
}

/* cli_parse_u64 on the first line: a value fits its maximum and prints back;
 * a refusal says why and leaves the output alone. */
static void check_number(const uint8_t *data, size_t size)
{
    static const uint64_t maxima[] = {UINT64_MAX, UINT32_MAX, UINT8_MAX};
    char s[NUMBER_MAX + 1];
    size_t n = 0;
    while (n < size && n < NUMBER_MAX && data[n] != '\n' && data[n] != '\0') {
        s[n] = (char)data[n];
        n++;
    }
    s[n] = '\0';
    for (size_t i = 0; i < sizeof maxima / sizeof maxima[0]; i++) {
        const uint64_t untouched = UINT64_C(0x5a5a5a5a5a5a5a5a);
        uint64_t v = untouched, back = 0;
        const char *why = NULL;
        if (!cli_parse_u64(s, maxima[i], &v, &why)) {
            CHECK(why != NULL && *why && v == untouched);
            continue;
        }
        CHECK(v <= maxima[i]);
        char dec[NUMBER_MAX], hex[NUMBER_MAX];
        snprintf(dec, sizeof dec, "%" PRIu64, v);
        snprintf(hex, sizeof hex, "0x%" PRIx64, v);
        CHECK(cli_parse_u64(dec, maxima[i], &back, &why) && back == v);
        CHECK(cli_parse_u64(hex, maxima[i], &back, &why) && back == v);
    }
}

/* cli_quote: fits its buffer, prints on one line, keeps short printable text. */
static void check_quote(const uint8_t *data, size_t size)
{
    char buf[CLI_QUOTE_MAX + 1];
    size_t buf_len = size % CLI_QUOTE_MAX + 1;
    memset(buf, MSG_FILL, sizeof buf);
    const char *q = cli_quote((const char *)data, size, buf, buf_len);
    CHECK(q == buf);
    size_t n = strnlen(buf, buf_len);
    CHECK(n < buf_len && printable(buf, n));
    if (size < buf_len && printable((const char *)data, size))
        CHECK(n == size && memcmp(buf, data, size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cli_regset rs;
    char msg[MSG_MAX];
    cli_regs_file_status st = load(in_path, data, size, &rs, msg);
    if (st == RF_OK)
        check_round_trip(&rs);
    check_qemu_parser(data, size, st, &rs, msg);
    check_variants(data, size, st, &rs);
    check_number(data, size);
    check_quote(data, size);
    return 0;
}
