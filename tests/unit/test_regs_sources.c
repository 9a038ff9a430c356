/* Unit tests of the CLI's register sources (cmodel/cli/regs_file.c and
 * regs_qemu.c): the --regs file as key=value lines or as QEMU `info
 * registers` text, which format a file is taken for, and one clear
 * file:line message for every kind of garbage. Linked with those CLI files
 * (Makefile). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../cmodel/cli/regs_file.h"
#include "../../cmodel/cli/regs_qemu.h"

#define MSG_MAX 512

/* `info registers` of a QEMU 8.2 x86-64 guest (Linux, idle, AVX enabled). */
static const char qemu_x86_64[] =
    "RAX=0000000000000000 RBX=0000000000000000 RCX=0000000000000001 RDX=000000000004c5ac\n"
    "RSI=0000000000000087 RDI=0000000000000087 RBP=ffffffff82803e28 RSP=ffffffff82803e08\n"
    "R8 =ffff88807dc2b0a0 R9 =0000000000000200 R10=0000000000000001 R11=0000000000000000\n"
    "R12=0000000000000000 R13=0000000000000000 R14=0000000000000000 R15=0000000000000000\n"
    "RIP=ffffffff81e3a6ab RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1\n"
    "ES =0000 0000000000000000 00000000 00000000\n"
    "CS =0010 0000000000000000 ffffffff 00a09b00 DPL=0 CS64 [-RA]\n"
    "SS =0018 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]\n"
    "DS =0000 0000000000000000 00000000 00000000\n"
    "FS =0000 0000000000000000 00000000 00000000\n"
    "GS =0000 ffff88807dc00000 00000000 00000000\n"
    "LDT=0000 0000000000000000 00000000 00008200 DPL=0 LDT\n"
    "TR =0040 fffffe0000003000 00004087 00008900 DPL=0 TSS64-avl\n"
    "GDT=     fffffe0000001000 0000007f\n"
    "IDT=     fffffe0000000000 00000fff\n"
    "CR0=80050033 CR2=00007f5f2b4c1000 CR3=000000001a5e8000 CR4=003506f0\n"
    "DR0=0000000000000000 DR1=0000000000000000 DR2=0000000000000000 DR3=0000000000000000 \n"
    "DR6=00000000ffff0ff0 DR7=0000000000000400\n"
    "EFER=0000000000000d01\n"
    "FCW=037f FSW=0000 [ST=0] FTW=00 MXCSR=00001f80\n"
    "FPR0=0000000000000000 0000 FPR1=0000000000000000 0000\n"
    "FPR2=0000000000000000 0000 FPR3=0000000000000000 0000\n"
    "FPR4=0000000000000000 0000 FPR5=0000000000000000 0000\n"
    "FPR6=0000000000000000 0000 FPR7=0000000000000000 0000\n"
    "YMM00=0000000000000000 0000000000000000 00000000ffffffff 00000000ffffffff\n"
    "YMM01=0000000000000000 0000000000000000 2f2f2f2f2f2f2f2f 2f2f2f2f2f2f2f2f\n"
    "YMM02=0000000000000000 0000000000000000 0000000000000000 0000000000000000\n"
    "YMM03=0000000000000000 0000000000000000 0000000000000000 00ff000000000000\n"
    "YMM04=0000000000000000 0000000000000000 0000000000000000 0000000000000000\n"
    "YMM05=0000000000000000 0000000000000000 0000000000000000 0000000000000000\n"
    "YMM06=0000000000000000 0000000000000000 0000000000000000 0000000000000000\n"
    "YMM07=0000000000000000 0000000000000000 0000000000000000 0000000000000000\n"
    "YMM08=0000000000000000 0000000000000000 0000000000000000 0000000000000000\n"
    "YMM09=0000000000000000 0000000000000000 0000000000000000 0000000000000000\n"
    "YMM10=0000000000000000 0000000000000000 0000000000000000 0000000000000000\n"
    "YMM11=0000000000000000 0000000000000000 0000000000000000 0000000000000000\n"
    "YMM12=0000000000000000 0000000000000000 0000000000000000 0000000000000000\n"
    "YMM13=0000000000000000 0000000000000000 0000000000000000 0000000000000000\n"
    "YMM14=0000000000000000 0000000000000000 0000000000000000 0000000000000000\n"
    "YMM15=0000000000000000 0000000000000000 0000000000000000 0000000000000000\n";

/* `info registers` of a 32-bit guest (Linux i686, 32-bit paging with PSE):
 * 8-digit values, 32-bit segment lines, SSE registers. */
static const char qemu_i386[] =
    "EAX=00000000 EBX=c1a5c000 ECX=00000000 EDX=00000000\n"
    "ESI=c1a5c000 EDI=c1a5c000 EBP=c1a01f3c ESP=c1a01f30\n"
    "EIP=c10238f6 EFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1\n"
    "ES =007b 00000000 ffffffff 00cff300 DPL=3 DS   [-WA]\n"
    "CS =0060 00000000 ffffffff 00cf9a00 DPL=0 CS32 [-R-]\n"
    "SS =0068 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]\n"
    "DS =007b 00000000 ffffffff 00cff300 DPL=3 DS   [-WA]\n"
    "FS =00d8 0d6f8000 ffffffff 00809300 DPL=0 DS16 [-WA]\n"
    "GS =00e0 c1b3e7c0 00000018 00409100 DPL=0 DS   [--A]\n"
    "LDT=0000 00000000 00000000 00008200 DPL=0 LDT\n"
    "TR =0080 d7bf3d40 0000206b 00008b00 DPL=0 TSS32-busy\n"
    "GDT=     d7bee000 000000ff\n"
    "IDT=     fffba000 000007ff\n"
    "CR0=80050033 CR2=b7794000 CR3=16d7c000 CR4=000006d0\n"
    "DR0=00000000 DR1=00000000 DR2=00000000 DR3=00000000 \n"
    "DR6=ffff0ff0 DR7=00000400\n"
    "EFER=0000000000000000\n"
    "FCW=037f FSW=0000 [ST=0] FTW=00 MXCSR=00001f80\n"
    "FPR0=0000000000000000 0000 FPR1=0000000000000000 0000\n"
    "FPR2=0000000000000000 0000 FPR3=0000000000000000 0000\n"
    "FPR4=0000000000000000 0000 FPR5=0000000000000000 0000\n"
    "FPR6=0000000000000000 0000 FPR7=0000000000000000 0000\n"
    "XMM00=0000000000000000 0000000000000000 XMM01=0000000000000000 0000000000000000\n"
    "XMM02=0000000000000000 0000000000000000 XMM03=0000000000000000 0000000000000000\n"
    "XMM04=0000000000000000 0000000000000000 XMM05=0000000000000000 0000000000000000\n"
    "XMM06=0000000000000000 0000000000000000 XMM07=0000000000000000 0000000000000000\n";

/* ---- helpers ---- */

typedef struct {
    char path[64];
    cli_regset rs;
    char msg[MSG_MAX];
    cli_regs_file_status st;
} loaded;

/* Write `len` bytes of text to a temporary file and load it as --regs. */
static void load_bytes(loaded *l, const char *text, size_t len)
{
    snprintf(l->path, sizeof l->path, "/tmp/pw_test_regs_XXXXXX");
    int fd = mkstemp(l->path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    l->msg[0] = '\0';
    l->st = cli_regs_file_load(l->path, &l->rs, l->msg, sizeof l->msg);
    unlink(l->path);
}

static void load(loaded *l, const char *text)
{
    load_bytes(l, text, strlen(text));
}

/* The error message is exactly "<path>:<line>: <what>". */
static void assert_error_at(const loaded *l, unsigned line, const char *what)
{
    char want[MSG_MAX];
    snprintf(want, sizeof want, "%s:%u: %s", l->path, line, what);
    assert_int_equal(l->st, RF_SYNTAX);
    assert_string_equal(l->msg, want);
    assert_null(strchr(l->msg, '\n'));
}

static void assert_only(const loaded *l, const cli_reg_key *keys, size_t n)
{
    for (unsigned k = 0; k < RK_COUNT; k++) {
        bool want = false;
        for (size_t i = 0; i < n; i++)
            want |= keys[i] == k;
        assert_int_equal(l->rs.have[k], want);
    }
}

/* text with `line` (a whole line, with its '\n') put in at line number `at`. */
static char *with_line(const char *text, unsigned at, const char *line)
{
    size_t len = strlen(text), add = strlen(line);
    char *out = malloc(len + add + 1);
    assert_non_null(out);
    const char *p = text;
    for (unsigned i = 1; i < at; i++) {
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    size_t head = (size_t)(p - text);
    memcpy(out, text, head);
    memcpy(out + head, line, add);
    memcpy(out + head + add, p, len - head + 1);
    return out;
}

/* ---- QEMU text ---- */

static void test_qemu_x86_64_sample(void **state)
{
    (void)state;
    assert_true(cli_regs_qemu_detect(qemu_x86_64, strlen(qemu_x86_64)));
    loaded l;
    load(&l, qemu_x86_64);
    assert_int_equal(l.st, RF_OK);
    assert_int_equal(l.rs.val[RK_CR0], 0x80050033);
    assert_int_equal(l.rs.val[RK_CR3], 0x1a5e8000);
    assert_int_equal(l.rs.val[RK_CR4], 0x3506f0);
    assert_int_equal(l.rs.val[RK_EFER], 0xd01); /* LMA included, as the CPU has it */
    const cli_reg_key keys[] = {RK_CR0, RK_CR3, RK_CR4, RK_EFER};
    assert_only(&l, keys, 4); /* CR2, DR*, R8 =... are QEMU's, not ours */
}

static void test_qemu_32bit_guest_sample(void **state)
{
    (void)state;
    assert_true(cli_regs_qemu_detect(qemu_i386, strlen(qemu_i386)));
    loaded l;
    load(&l, qemu_i386);
    assert_int_equal(l.st, RF_OK);
    assert_int_equal(l.rs.val[RK_CR0], 0x80050033);
    assert_int_equal(l.rs.val[RK_CR3], 0x16d7c000);
    assert_int_equal(l.rs.val[RK_CR4], 0x6d0);
    assert_int_equal(l.rs.val[RK_EFER], 0);
    const cli_reg_key keys[] = {RK_CR0, RK_CR3, RK_CR4, RK_EFER};
    assert_only(&l, keys, 4);
}

/* PKRU when a QEMU prints it; the prompt of a pasted monitor session, CPU#
 * headers, comments, CRLF line ends, a `-d cpu` log's extra lines. */
static void test_qemu_pkru_and_layout_variants(void **state)
{
    (void)state;
    loaded l;
    load(&l, "(qemu) info registers\r\n"
             "\r\n"
             "CPU#0\r\n"
             "RIP=ffffffff81e3a6ab RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1\r\n"
             "# taken at the first fault\r\n"
             "CR0=80050033 CR2=0000000000000000 CR3=000000001a5e8001 CR4=007706f0  # PCID 1\r\n"
             "CCS=0000000000000044 CCD=0000000000000000 CCO=EFLAGS\r\n"
             "EFER=0000000000000d01\r\n"
             "PKRU=55555554\r\n"
             "Code=0f 1f 44 00 00 <fb> f4 c3 cc\r\n");
    assert_int_equal(l.st, RF_OK);
    assert_int_equal(l.rs.val[RK_CR3], 0x1a5e8001);
    assert_int_equal(l.rs.val[RK_CR4], 0x7706f0);
    assert_int_equal(l.rs.val[RK_PKRU], 0x55555554);
    const cli_reg_key keys[] = {RK_CR0, RK_CR3, RK_CR4, RK_EFER, RK_PKRU};
    assert_only(&l, keys, 5);
    /* A hand-edited value may carry 0x; names in any case. */
    load(&l, "CR0=0x80000011 CR2=0 cr3=0X1000 Cr4=10\nefer=0\n");
    assert_int_equal(l.st, RF_OK);
    assert_int_equal(l.rs.val[RK_CR0], 0x80000011);
    assert_int_equal(l.rs.val[RK_CR3], 0x1000);
    assert_int_equal(l.rs.val[RK_CR4], 0x10);
}

static void test_qemu_garbage_names_file_and_line(void **state)
{
    (void)state;
    loaded l;
    char *t = with_line(qemu_x86_64, 17, "hello world\n");
    load(&l, t);
    assert_error_at(&l, 17, "not QEMU 'info registers' output: 'hello world'");
    free(t);

    load(&l, "CR0=80050033 CR2=0 CR3=00zz8000 CR4=003506f0\n");
    assert_error_at(&l, 1, "bad value '00zz8000' for CR3: trailing characters after the number");
    load(&l, "CR0=80050033 CR2=0 CR3=1000 CR4=10\nEFER=\n");
    assert_error_at(&l, 2, "bad value '' for EFER: empty");
    load(&l, "CR0=80050033 CR2=0 CR3=1000 CR4=10\nEFER=-1\n");
    assert_error_at(&l, 2, "bad value '-1' for EFER: not a hex number");
    load(&l, "CR0=80050033 CR2=0 CR3=10000000000000000 CR4=10\n");
    assert_error_at(&l, 1, "bad value '10000000000000000' for CR3: too large (more than 64 bits)");
    load(&l, "CR0=80050033 CR2=0 CR3=1000 CR4=10\nPKRU=100000000\n");
    assert_error_at(&l, 2, "bad value '100000000' for PKRU: too large (more than 32 bits)");

    /* Keys only a key=value file has: a flag is the way to add them. */
    t = with_line(qemu_x86_64, 20, "maxphyaddr=40\n");
    load(&l, t);
    assert_error_at(&l, 20, "maxphyaddr is not read from QEMU 'info registers' text (give it as a flag)");
    free(t);
}

/* `info registers -a`, or a sample pasted twice: one CPU only. */
static void test_qemu_more_than_one_cpu_is_an_error(void **state)
{
    (void)state;
    size_t n = strlen(qemu_x86_64);
    char *t = malloc(2 * n + 32);
    assert_non_null(t);
    snprintf(t, 2 * n + 32, "\nCPU#0\n%s\nCPU#1\n%s", qemu_x86_64, qemu_x86_64);
    loaded l;
    load(&l, t);
    assert_error_at(&l, 44, "registers of more than one CPU ('info registers -a'): keep one CPU's lines");
    snprintf(t, 2 * n + 32, "%s%s", qemu_x86_64, qemu_x86_64);
    load(&l, t);
    assert_error_at(&l, 56, "CR0 given twice (registers of more than one CPU? keep one CPU's lines)");
    free(t);
}

/* ---- Which format ---- */

static void test_detection_never_changes_a_key_value_file(void **state)
{
    (void)state;
    /* QEMU's CR line: CR0= first, more registers after it. */
    assert_true(cli_regs_qemu_detect("  CR0=80050033 CR3=1000\n", 24));
    assert_true(cli_regs_qemu_detect("EFER=0\nCR0=1 CR2=0\n", 20));
    /* One key per line, or the registers only in a comment: key=value. */
    const char *kv[] = {
        "CR0=80050033\n",
        "CR0 = 0x80000011\nCR3=0x1000\n",
        "cr0=0x1 # CR0=1 CR3=2\n",
        "# CR0=80050033 CR3=1000\n",
        "cr0=1 cr3=2\n", /* lowercase: a (bad) key=value line */
        "CR3=1000 CR0=80050033\n",
        "CR0=80050033 CR3\n",
        "",
    };
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        assert_false(cli_regs_qemu_detect(kv[i], strlen(kv[i])));
    /* A key=value file with upper-case keys reads as it always did: CR0 is
     * decimal without 0x there. */
    loaded l;
    load(&l, "CR0=2147483665\nCR3=0x1000 # CR0=1 CR3=2\ncr4 = 0x20\nEFER=0\nmaxphyaddr=40\n");
    assert_int_equal(l.st, RF_OK);
    assert_int_equal(l.rs.val[RK_CR0], 0x80000011);
    assert_int_equal(l.rs.val[RK_CR3], 0x1000);
    assert_int_equal(l.rs.val[RK_MAXPHYADDR], 40);
    load(&l, "cr0=1 cr3=2\n");
    assert_error_at(&l, 1, "bad value '1 cr3=2' for cr0: trailing characters after the number");
}

static void test_key_value_format_and_its_errors(void **state)
{
    (void)state;
    loaded l;
    load(&l, "# registers\n\ncr0 = 0x80010001\ncr3=0x100000   # root\n\tCR4\t=\t0x4000a0\n"
             "efer = 0xd00\npkru = 0x4800\npdpte0=1\npdpte1=0\npdpte2=0\npdpte3=0\n"
             "maxphyaddr = 46"); /* no newline at the end */
    assert_int_equal(l.st, RF_OK);
    assert_int_equal(l.rs.val[RK_CR3], 0x100000);
    assert_int_equal(l.rs.val[RK_CR4], 0x4000a0);
    assert_int_equal(l.rs.val[RK_PKRU], 0x4800);
    assert_int_equal(l.rs.val[RK_PDPTE0], 1);
    assert_int_equal(l.rs.val[RK_MAXPHYADDR], 46);
    load(&l, "cr0=1\ncr5 = 0x1\n");
    assert_error_at(&l, 2, "unknown key 'cr5' (known: cr0 cr3 cr4 efer pkru pkrs pdpte0..pdpte3 "
                           "maxphyaddr)");
    load(&l, "cr0=1\n\ncr0=2\n");
    assert_error_at(&l, 3, "duplicate key 'cr0'");
    load(&l, "pkrs 0x1\n");
    assert_error_at(&l, 1, "expected key=value, got 'pkrs 0x1'");
    load(&l, "cr3 =   # nothing\n");
    assert_error_at(&l, 1, "bad value '' for cr3: empty");
}

static void test_file_level_errors(void **state)
{
    (void)state;
    loaded l;
    load_bytes(&l, "cr0=1\ncr3=2\ncr\0=4\n", 18);
    assert_error_at(&l, 3, "NUL byte in line (not a text file?)");
    load_bytes(&l, "CR0=80050033 CR2=0 CR3=1000 CR4=10\n\0", 36);
    assert_error_at(&l, 2, "NUL byte in line (not a text file?)");

    /* Larger than 1 MiB: not a register file. */
    size_t big = (1u << 20) + 1;
    char *t = malloc(big);
    assert_non_null(t);
    memset(t, '\n', big);
    load_bytes(&l, t, big);
    free(t);
    assert_int_equal(l.st, RF_SYNTAX);
    assert_non_null(strstr(l.msg, "is larger than 1024 KiB"));
    /* Exactly 1 MiB of blank lines is fine (and holds nothing). */
    t = malloc(big - 1);
    assert_non_null(t);
    memset(t, '\n', big - 1);
    load_bytes(&l, t, big - 1);
    free(t);
    assert_int_equal(l.st, RF_OK);

    cli_regset rs;
    char msg[MSG_MAX];
    assert_int_equal(cli_regs_file_load("/tmp/pw_test_does/not/exist", &rs, msg, sizeof msg), RF_IO);
    assert_string_equal(msg, "cannot open regs file '/tmp/pw_test_does/not/exist': No such file or "
                             "directory");
    assert_int_equal(cli_regs_file_load("/tmp", &rs, msg, sizeof msg), RF_IO); /* a directory */
    assert_non_null(strstr(msg, "regs file '/tmp'"));
    /* An empty file has no registers, and no error. */
    load(&l, "");
    assert_int_equal(l.st, RF_OK);
    assert_only(&l, NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qemu_x86_64_sample),
        cmocka_unit_test(test_qemu_32bit_guest_sample),
        cmocka_unit_test(test_qemu_pkru_and_layout_variants),
        cmocka_unit_test(test_qemu_garbage_names_file_and_line),
        cmocka_unit_test(test_qemu_more_than_one_cpu_is_an_error),
        cmocka_unit_test(test_detection_never_changes_a_key_value_file),
        cmocka_unit_test(test_key_value_format_and_its_errors),
        cmocka_unit_test(test_file_level_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
