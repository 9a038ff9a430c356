/* Unit tests of ELF core images (image.h): reading QEMU `dump-guest-memory`
 * cores (segments, holes, zero fill, private writes, multi-GiB files),
 * pw_image_open's detection, every kind of bad input, and pw_image_save_elf
 * (byte-exact headers, round trips from sparse, raw and ELF images).
 *
 * The cores are built here byte by byte, with the ELF64 offsets written out
 * in this file rather than taken from the library, so that the reader and the
 * writer are checked against the format, not against each other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pagewalk/pagewalk.h"

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define PAGE UINT64_C(4096)

/* ELF64 layout (System V gABI). */
#define EH_SIZE 64u
#define PH_SIZE 56u
#define SH_SIZE 64u
#define PT_NOTE_ 4u
#define PT_LOAD_ 1u
#define PN_XNUM_ 0xffffu
#define MAX_PH 8

/* ---- Building cores ---- */

static uint8_t pattern(uint64_t i)
{
    return (uint8_t)(i * 7 + (i >> 12));
}

static void put(uint8_t *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

typedef struct {
    uint32_t type;
    uint64_t offset, paddr, filesz, memsz;
} phdr;

typedef struct {
    uint8_t ident_class, ident_data, ident_version;
    uint16_t type, phentsize, phnum, shentsize;
    uint64_t phoff, shoff;
    uint32_t sh_info;       /* written at shoff when shoff is non-zero */
    phdr ph[MAX_PH];
    size_t n_ph;
    uint64_t len;           /* the file's length */
} core;

/* A valid core header for n_ph program headers right after the ELF header. */
static core core_new(uint64_t len)
{
    core c;
    memset(&c, 0, sizeof c);
    c.ident_class = 2;      /* ELFCLASS64 */
    c.ident_data = 1;       /* ELFDATA2LSB */
    c.ident_version = 1;
    c.type = 4;             /* ET_CORE */
    c.phentsize = PH_SIZE;
    c.phoff = EH_SIZE;
    c.len = len;
    return c;
}

static void add(core *c, uint32_t type, uint64_t offset, uint64_t paddr, uint64_t filesz,
                uint64_t memsz)
{
    assert_true(c->n_ph < MAX_PH);
    c->ph[c->n_ph++] = (phdr){type, offset, paddr, filesz, memsz};
    c->phnum = (uint16_t)c->n_ph;
}

static void encode_ehdr(uint8_t *h, const core *c)
{
    memset(h, 0, EH_SIZE);
    memcpy(h, "\177ELF", 4);
    h[4] = c->ident_class;
    h[5] = c->ident_data;
    h[6] = c->ident_version;
    put(h + 16, 2, c->type);
    put(h + 18, 2, 62);     /* EM_X86_64 */
    put(h + 20, 4, 1);      /* e_version */
    put(h + 32, 8, c->phoff);
    put(h + 40, 8, c->shoff);
    put(h + 52, 2, EH_SIZE);
    put(h + 54, 2, c->phentsize);
    put(h + 56, 2, c->phnum);
    put(h + 58, 2, c->shentsize);
    put(h + 60, 2, c->shoff ? 1 : 0);
}

static void encode_phdr(uint8_t *p, const phdr *ph)
{
    memset(p, 0, PH_SIZE);
    put(p + 0, 4, ph->type);
    put(p + 8, 8, ph->offset);
    put(p + 24, 8, ph->paddr);
    put(p + 32, 8, ph->filesz);
    put(p + 40, 8, ph->memsz);
}

/* The core as a file in /tmp: every byte is pattern(file offset), then the
 * headers over it. The headers that lie past c->len are cut. */
static void write_core(char *path, size_t path_len, const core *c)
{
    snprintf(path, path_len, "/tmp/pw_test_elf_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    uint8_t *buf = malloc(c->len ? c->len : 1);
    assert_non_null(buf);
    for (uint64_t i = 0; i < c->len; i++)
        buf[i] = pattern(i);
    uint8_t h[EH_SIZE + MAX_PH * PH_SIZE + SH_SIZE];
    encode_ehdr(h, c);
    memcpy(buf, h, c->len < EH_SIZE ? c->len : EH_SIZE);
    for (size_t i = 0; i < c->n_ph && c->phoff < c->len; i++) {
        uint64_t at = c->phoff + i * PH_SIZE;
        if (at < c->phoff)
            break; /* wrapped around */
        encode_phdr(h, &c->ph[i]);
        for (unsigned b = 0; b < PH_SIZE && at + b < c->len; b++)
            buf[at + b] = h[b];
    }
    if (c->shoff) {
        uint8_t sh[SH_SIZE] = {0};
        put(sh + 44, 4, c->sh_info);
        for (unsigned b = 0; b < SH_SIZE && c->shoff + b < c->len; b++)
            buf[c->shoff + b] = sh[b];
    }
    assert_int_equal(write(fd, buf, c->len), (ssize_t)c->len);
    free(buf);
    close(fd);
}

static bool file_is(const char *path, const uint8_t *want, uint64_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool ok = true;
    uint64_t i = 0;
    int ch;
    while ((ch = fgetc(f)) != EOF)
        ok &= i < len && (uint8_t)ch == want[i++];
    fclose(f);
    return ok && i == len;
}

static uint8_t *slurp(const char *path, uint64_t *len)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    *len = (uint64_t)sb.st_size;
    uint8_t *buf = malloc(*len ? *len : 1);
    assert_non_null(buf);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(read(fd, buf, *len), (ssize_t)*len);
    close(fd);
    return buf;
}

static void fresh_path(char *dir, size_t dir_len, char *path, size_t path_len, const char *name)
{
    snprintf(dir, dir_len, "/tmp/pw_test_elfsave_XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, path_len, "%s/%s", dir, name);
}

static void remove_dir(const char *dir, const char *path)
{
    unlink(path);
    rmdir(dir);
}

/* Every byte of [pa, pa + len) reads the same in both images. */
static void assert_same_bytes(pw_image *a, pw_image *b, uint64_t pa, uint64_t len)
{
    static uint8_t x[MIB], y[MIB];
    while (len) {
        size_t n = len < sizeof x ? (size_t)len : sizeof x;
        assert_int_equal(pw_image_read(a, pa, x, n), PW_OK);
        assert_int_equal(pw_image_read(b, pa, y, n), PW_OK);
        assert_memory_equal(x, y, n);
        pa += n;
        len -= n;
    }
}

/* ---- A typical core ----
 *
 *   PT_NOTE                      (ignored)
 *   seg A  PA 0x0000..0x3000     file 0x1000, all in the file
 *   seg B  PA 0x3000..0x3800     file 0x4010 (not page-aligned), touches A
 *   seg C  PA 0x100000..0x104000 file 0x5000 0x1800 bytes, then zero fill
 *   hole   PA 0x3800..0x100000 and from 0x104000 on
 */
#define A_PA   UINT64_C(0x0)
#define A_OFF  UINT64_C(0x1000)
#define A_LEN  UINT64_C(0x3000)
#define B_PA   UINT64_C(0x3000)
#define B_OFF  UINT64_C(0x4010)
#define B_LEN  UINT64_C(0x800)
#define C_PA   UINT64_C(0x100000)
#define C_OFF  UINT64_C(0x5000)
#define C_FILE UINT64_C(0x1800)
#define C_MEM  UINT64_C(0x4000)
#define TYPICAL_LEN (C_OFF + C_FILE)

static core typical(void)
{
    core c = core_new(TYPICAL_LEN);
    add(&c, PT_NOTE_, 0x400, 0, 0x100, 0);
    add(&c, PT_LOAD_, C_OFF, C_PA, C_FILE, C_MEM); /* segments need not be sorted */
    add(&c, PT_LOAD_, A_OFF, A_PA, A_LEN, A_LEN);
    add(&c, PT_LOAD_, B_OFF, B_PA, B_LEN, B_LEN);
    return c;
}

static pw_image *open_typical(char *path, size_t path_len)
{
    core c = typical();
    write_core(path, path_len, &c);
    pw_image *img = NULL;
    assert_int_equal(pw_image_elf_open(path, &img), PW_OK);
    assert_non_null(img);
    return img;
}

static void test_elf_segments_are_physical_memory(void **state)
{
    (void)state;
    char path[64];
    pw_image *img = open_typical(path, sizeof path);
    assert_string_equal(pw_image_format(img), "elf");
    assert_int_equal(pw_image_size(img), C_PA + C_MEM);
    /* PA p of a segment is file byte p_offset + (p - p_paddr). */
    uint8_t b[0x40];
    assert_int_equal(pw_image_read(img, A_PA + 0x123, b, sizeof b), PW_OK);
    for (size_t i = 0; i < sizeof b; i++)
        assert_int_equal(b[i], pattern(A_OFF + 0x123 + i));
    assert_int_equal(pw_image_read(img, B_PA + 0x7c0, b, sizeof b), PW_OK);
    for (size_t i = 0; i < sizeof b; i++)
        assert_int_equal(b[i], pattern(B_OFF + 0x7c0 + i));
    /* A read across the A|B boundary: two segments, one range. */
    assert_int_equal(pw_image_read(img, B_PA - 0x20, b, sizeof b), PW_OK);
    for (size_t i = 0; i < 0x20; i++) {
        assert_int_equal(b[i], pattern(A_OFF + A_LEN - 0x20 + i));
        assert_int_equal(b[0x20 + i], pattern(B_OFF + i));
    }
    /* p_memsz > p_filesz: the rest reads as zeros. */
    uint64_t v;
    assert_int_equal(pw_image_read64(img, C_PA + C_FILE - 8, &v), PW_OK);
    assert_int_equal(v, get((uint8_t[8]){pattern(C_OFF + C_FILE - 8), pattern(C_OFF + C_FILE - 7),
                                         pattern(C_OFF + C_FILE - 6), pattern(C_OFF + C_FILE - 5),
                                         pattern(C_OFF + C_FILE - 4), pattern(C_OFF + C_FILE - 3),
                                         pattern(C_OFF + C_FILE - 2), pattern(C_OFF + C_FILE - 1)},
                        8));
    assert_int_equal(pw_image_read64(img, C_PA + C_FILE, &v), PW_OK);
    assert_int_equal(v, 0);
    assert_int_equal(pw_image_read64(img, C_PA + C_MEM - 8, &v), PW_OK);
    assert_int_equal(v, 0);
    /* Holes and the end are out of range, also for a read that starts inside. */
    assert_int_equal(pw_image_read64(img, B_PA + B_LEN, &v), PW_ERR_RANGE);
    assert_int_equal(pw_image_read64(img, C_PA - 8, &v), PW_ERR_RANGE);
    assert_int_equal(pw_image_read(img, B_PA + B_LEN - 4, b, 8), PW_ERR_RANGE);
    assert_int_equal(pw_image_read64(img, C_PA + C_MEM, &v), PW_ERR_RANGE);
    assert_int_equal(pw_image_read64(img, UINT64_MAX - 3, &v), PW_ERR_RANGE);
    assert_int_equal(pw_image_write64(img, 0x80000, 1), PW_ERR_RANGE);
    /* The same through pw_mem: a bus error. */
    pw_mem mem;
    pw_image_mem(img, &mem);
    assert_int_equal(mem.read(mem.ctx, 0x80000, 8, 0, &v), PW_MEM_BUS_ERROR);
    assert_int_equal(mem.read(mem.ctx, C_PA + C_MEM, 4, 0, &v), PW_MEM_BUS_ERROR);
    uint64_t old;
    assert_int_equal(mem.cas(mem.ctx, B_PA + B_LEN, 8, 0, 1, 0, &old), PW_MEM_BUS_ERROR);
    assert_int_equal(mem.read(mem.ctx, B_PA + 0x8, 8, 0, &v), PW_MEM_OK);
    assert_int_equal(v, get((uint8_t[8]){pattern(B_OFF + 8), pattern(B_OFF + 9),
                                         pattern(B_OFF + 10), pattern(B_OFF + 11),
                                         pattern(B_OFF + 12), pattern(B_OFF + 13),
                                         pattern(B_OFF + 14), pattern(B_OFF + 15)},
                        8));
    /* The ranges: A and B merged, then C. */
    pw_image_range r[4];
    assert_int_equal(pw_image_ranges(img, NULL, 0), 2);
    assert_int_equal(pw_image_ranges(img, r, 1), 2);
    assert_int_equal(r[0].pa, 0);
    assert_int_equal(r[0].len, A_LEN + B_LEN);
    assert_int_equal(pw_image_ranges(img, r, 4), 2);
    assert_int_equal(r[1].pa, C_PA);
    assert_int_equal(r[1].len, C_MEM);
    pw_image_free(img);
    unlink(path);
}

static void test_elf_writes_stay_private(void **state)
{
    (void)state;
    char path[64];
    pw_image *img = open_typical(path, sizeof path);
    uint64_t len;
    uint8_t *before = slurp(path, &len);
    pw_mem mem;
    pw_image_mem(img, &mem);
    uint64_t v, old;
    /* An A/D update in the file part, one in the zero-filled part, and a
     * write that straddles the file part and the zero fill of C. */
    assert_int_equal(mem.read(mem.ctx, A_PA + 0x1000, 8, 0, &v), PW_MEM_OK);
    assert_int_equal(mem.cas(mem.ctx, A_PA + 0x1000, 8, v, v | PTE_A, 0, &old), PW_MEM_OK);
    assert_int_equal(old, v);
    assert_int_equal(pw_image_read64(img, A_PA + 0x1000, &old), PW_OK);
    assert_int_equal(old, v | PTE_A);
    assert_int_equal(mem.cas(mem.ctx, C_PA + 0x3000, 8, 0, 0x1234567, 0, &old), PW_MEM_OK);
    assert_int_equal(mem.cas(mem.ctx, C_PA + 0x3000, 8, 0, 0x7654321, 0, &old), PW_MEM_OK);
    assert_int_equal(old, 0x1234567); /* the compare failed: nothing written */
    assert_int_equal(mem.read(mem.ctx, C_PA + 0x3000, 8, 0, &v), PW_MEM_OK);
    assert_int_equal(v, 0x1234567);
    uint8_t w[32], r[32];
    for (size_t i = 0; i < sizeof w; i++)
        w[i] = (uint8_t)(0xa0 + i);
    assert_int_equal(pw_image_write(img, C_PA + C_FILE - 16, w, sizeof w), PW_OK);
    assert_int_equal(pw_image_read(img, C_PA + C_FILE - 16, r, sizeof r), PW_OK);
    assert_memory_equal(r, w, sizeof w);
    assert_int_equal(pw_image_read64(img, C_PA + C_FILE + 16, &v), PW_OK);
    assert_int_equal(v, 0); /* the overlay page holds only what was written */
    /* A write across the A|B boundary. */
    assert_int_equal(pw_image_write(img, B_PA - 16, w, sizeof w), PW_OK);
    assert_int_equal(pw_image_read(img, B_PA - 16, r, sizeof r), PW_OK);
    assert_memory_equal(r, w, sizeof w);
    pw_image_free(img);
    assert_true(file_is(path, before, len));
    free(before);
    unlink(path);
}

/* A core larger than 4 GiB is mapped, not read: segments far apart in a
 * sparse file. */
static void test_elf_multi_gib_sparse_file(void **state)
{
    (void)state;
    const uint64_t size = 6 * GIB;
    const uint64_t far_off = size - 2 * PAGE, far_pa = UINT64_C(0x7ff0000000);
    char path[64];
    snprintf(path, sizeof path, "/tmp/pw_test_elf_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)size), 0);
    core c = core_new(size);
    add(&c, PT_LOAD_, PAGE, 0, PAGE, 2 * MIB);
    add(&c, PT_LOAD_, far_off, far_pa, 2 * PAGE, 4 * GIB);
    uint8_t h[EH_SIZE + 2 * PH_SIZE];
    encode_ehdr(h, &c);
    encode_phdr(h + EH_SIZE, &c.ph[0]);
    encode_phdr(h + EH_SIZE + PH_SIZE, &c.ph[1]);
    assert_int_equal(pwrite(fd, h, sizeof h, 0), (ssize_t)sizeof h);
    uint8_t pte[8];
    put(pte, 8, 0x00000001fffff067);
    assert_int_equal(pwrite(fd, pte, sizeof pte, (off_t)(size - 8)), (ssize_t)sizeof pte);
    close(fd);

    pw_image *img;
    assert_int_equal(pw_image_open(path, &img), PW_OK);
    assert_string_equal(pw_image_format(img), "elf");
    assert_int_equal(pw_image_size(img), far_pa + 4 * GIB);
    pw_mem mem;
    pw_image_mem(img, &mem);
    uint64_t v, old;
    assert_int_equal(mem.read(mem.ctx, far_pa + 2 * PAGE - 8, 8, 0, &v), PW_MEM_OK);
    assert_int_equal(v, 0x00000001fffff067);
    assert_int_equal(mem.cas(mem.ctx, far_pa + 2 * PAGE - 8, 8, v, v | PTE_D, 0, &old), PW_MEM_OK);
    assert_int_equal(mem.read(mem.ctx, far_pa + 3 * GIB, 8, 0, &v), PW_MEM_OK); /* zero fill */
    assert_int_equal(v, 0);
    assert_int_equal(mem.cas(mem.ctx, far_pa + 3 * GIB, 8, 0, 0x67, 0, &old), PW_MEM_OK);
    assert_int_equal(mem.read(mem.ctx, far_pa + 3 * GIB, 8, 0, &v), PW_MEM_OK);
    assert_int_equal(v, 0x67);
    assert_int_equal(mem.read(mem.ctx, 4 * GIB, 8, 0, &v), PW_MEM_BUS_ERROR); /* the hole */
    assert_int_equal(mem.read(mem.ctx, far_pa + 4 * GIB, 8, 0, &v), PW_MEM_BUS_ERROR);
    pw_image_free(img);
    fd = open(path, O_RDONLY);
    uint8_t now[8];
    assert_int_equal(pread(fd, now, sizeof now, (off_t)(size - 8)), (ssize_t)sizeof now);
    assert_memory_equal(now, pte, sizeof pte); /* the D bit stayed in the private copy */
    close(fd);
    unlink(path);
}

/* e_phnum = PN_XNUM: the count is sh_info of section header 0. */
static void test_elf_pn_xnum_count_in_section_header(void **state)
{
    (void)state;
    core c = core_new(0x3000);
    add(&c, PT_LOAD_, 0x1000, 0x10000, 0x1000, 0x1000);
    add(&c, PT_LOAD_, 0x2000, 0x20000, 0x1000, 0x1000);
    c.phnum = PN_XNUM_;
    c.shoff = 0x800;
    c.shentsize = SH_SIZE;
    c.sh_info = 2;
    char path[64];
    write_core(path, sizeof path, &c);
    pw_image *img;
    assert_int_equal(pw_image_elf_open(path, &img), PW_OK);
    assert_int_equal(pw_image_ranges(img, NULL, 0), 2);
    uint8_t b;
    assert_int_equal(pw_image_read(img, 0x20010, &b, 1), PW_OK);
    assert_int_equal(b, pattern(0x2010));
    pw_image_free(img);
    unlink(path);
}

/* ---- pw_image_open: ELF by magic, raw otherwise ---- */

static void test_open_detects_elf_by_magic(void **state)
{
    (void)state;
    char path[64];
    core c = typical();
    write_core(path, sizeof path, &c);
    pw_image *img = NULL;
    const char *msg = "unset";
    assert_int_equal(pw_image_open_msg(path, &img, &msg), PW_OK);
    assert_null(msg);
    assert_string_equal(pw_image_format(img), "elf");
    pw_image_free(img);
    unlink(path);

    /* Not the magic: a raw dump, whatever follows. Too short for it: raw too. */
    core r = typical();
    r.len = 3 * PAGE;
    write_core(path, sizeof path, &r);
    int fd = open(path, O_WRONLY);
    assert_int_equal(pwrite(fd, "\177ELG", 4, 0), 4);
    close(fd);
    assert_int_equal(pw_image_open(path, &img), PW_OK);
    assert_string_equal(pw_image_format(img), "raw");
    assert_int_equal(pw_image_size(img), 3 * PAGE);
    pw_image_free(img);
    unlink(path);
    core e = core_new(3);
    write_core(path, sizeof path, &e);
    assert_int_equal(pw_image_open(path, &img), PW_OK);
    assert_string_equal(pw_image_format(img), "raw");
    pw_image_free(img);
    unlink(path);

    /* The magic and nothing more: a truncated core. */
    core t = core_new(4);
    write_core(path, sizeof path, &t);
    img = (pw_image *)1;
    assert_int_equal(pw_image_open_msg(path, &img, &msg), PW_ERR_FORMAT);
    assert_null(img);
    assert_string_equal(msg, "truncated ELF header");
    unlink(path);

    assert_int_equal(pw_image_open("/tmp/pw_test_does/not/exist", &img), PW_ERR_IO);
    assert_int_equal(pw_image_open(NULL, &img), PW_ERR_ARG);
    assert_int_equal(pw_image_open(path, NULL), PW_ERR_ARG);
    assert_int_equal(pw_image_elf_open("/tmp", &img), PW_ERR_IO); /* a directory */
    assert_null(img);
    assert_string_equal(pw_image_format(NULL), "none");
    assert_int_equal(pw_image_ranges(NULL, NULL, 0), 0);
}

/* ---- Bad input: PW_ERR_FORMAT, a reason, no image ---- */

typedef void (*spoil_fn)(core *c);

static void spoil_truncated(core *c) { c->len = 40; }
static void spoil_truncated_phdrs(core *c) { c->len = EH_SIZE + PH_SIZE + 10; }
static void spoil_magic(core *c) { (void)c; /* the magic is overwritten after writing */ }
static void spoil_class32(core *c) { c->ident_class = 1; }
static void spoil_class_bad(core *c) { c->ident_class = 3; }
static void spoil_big_endian(core *c) { c->ident_data = 2; }
static void spoil_version(core *c) { c->ident_version = 0; }
static void spoil_not_core(core *c) { c->type = 2; /* ET_EXEC */ }
static void spoil_phentsize(core *c) { c->phentsize = 32; }
static void spoil_phoff_outside(core *c) { c->phoff = TYPICAL_LEN - PH_SIZE; }
static void spoil_phoff_wraps(core *c) { c->phoff = UINT64_MAX - 8; }
static void spoil_phnum_outside(core *c) { c->phnum = 0xfff0; }
static void spoil_no_phdrs(core *c) { c->phnum = 0; }
static void spoil_xnum_no_section(core *c) { c->phnum = PN_XNUM_; }
static void spoil_xnum_huge(core *c)
{
    c->phnum = PN_XNUM_;
    c->shoff = 0x800;
    c->shentsize = SH_SIZE;
    c->sh_info = UINT32_MAX; /* 4G headers: refused before they are read */
}
static void spoil_xnum_outside(core *c)
{
    spoil_xnum_huge(c);
    c->sh_info = 0x1000; /* 0x1000 headers: more than the file holds */
}
static void spoil_seg_outside(core *c) { c->ph[1].filesz = C_MEM; c->ph[1].memsz = C_MEM; }
static void spoil_seg_offset_wraps(core *c) { c->ph[2].offset = UINT64_MAX - 0x100; }
static void spoil_filesz_gt_memsz(core *c) { c->ph[1].memsz = C_FILE - 1; }
static void spoil_overlap(core *c) { c->ph[3].paddr = B_PA - 8; }
static void spoil_overlap_contained(core *c) { c->ph[3].paddr = C_PA + 0x100; }
static void spoil_shared_file_bytes(core *c) { c->ph[3].offset = A_OFF + 0x800; }
static void spoil_pa_wraps(core *c) { c->ph[1].paddr = UINT64_MAX - 0x1000; }
static void spoil_pa_beyond_52_bits(core *c) { c->ph[1].paddr = UINT64_C(1) << 52; }
static void spoil_no_loads(core *c)
{
    for (size_t i = 0; i < c->n_ph; i++)
        c->ph[i].type = PT_NOTE_;
}
static void spoil_only_empty_loads(core *c)
{
    for (size_t i = 1; i < c->n_ph; i++)
        c->ph[i].filesz = c->ph[i].memsz = 0;
}

static const struct {
    const char *name;
    spoil_fn spoil;
    const char *msg;
} spoils[] = {
    {"truncated header", spoil_truncated, "truncated ELF header"},
    {"truncated program headers", spoil_truncated_phdrs, "ELF program headers lie outside the file (truncated?)"},
    {"bad magic", spoil_magic, "not an ELF file (bad magic)"},
    {"ELFCLASS32", spoil_class32, "32-bit ELF (ELFCLASS32): only ELF64 cores are read"},
    {"bad class", spoil_class_bad, "bad ELF class"},
    {"big-endian", spoil_big_endian, "big-endian ELF: only little-endian cores are read"},
    {"bad version", spoil_version, "bad ELF version"},
    {"not ET_CORE", spoil_not_core, "not an ELF core file (e_type is not ET_CORE)"},
    {"e_phentsize", spoil_phentsize, "bad ELF program header size (e_phentsize)"},
    {"e_phoff outside", spoil_phoff_outside, "ELF program headers lie outside the file (truncated?)"},
    {"e_phoff wraps", spoil_phoff_wraps, "ELF program headers lie outside the file (truncated?)"},
    {"e_phnum outside", spoil_phnum_outside, "ELF program headers lie outside the file (truncated?)"},
    {"no program headers", spoil_no_phdrs, "ELF core without program headers (no PT_LOAD segment)"},
    {"PN_XNUM without section", spoil_xnum_no_section,
     "ELF e_phnum is PN_XNUM but section header 0 is missing"},
    {"PN_XNUM 4G headers", spoil_xnum_huge, "too many ELF program headers (more than 2^21)"},
    {"PN_XNUM outside", spoil_xnum_outside, "ELF program headers lie outside the file (truncated?)"},
    {"segment outside the file", spoil_seg_outside, "a PT_LOAD's bytes lie outside the file (truncated?)"},
    {"segment offset wraps", spoil_seg_offset_wraps, "a PT_LOAD's bytes lie outside the file (truncated?)"},
    {"p_filesz > p_memsz", spoil_filesz_gt_memsz, "a PT_LOAD has p_filesz > p_memsz"},
    {"overlapping segments", spoil_overlap, "PT_LOAD segments overlap in physical memory"},
    {"contained segment", spoil_overlap_contained, "PT_LOAD segments overlap in physical memory"},
    {"shared file bytes", spoil_shared_file_bytes, "two PT_LOAD segments share bytes of the file"},
    {"p_paddr wraps", spoil_pa_wraps, "a PT_LOAD lies beyond the 52-bit physical address space"},
    {"p_paddr at 2^52", spoil_pa_beyond_52_bits,
     "a PT_LOAD lies beyond the 52-bit physical address space"},
    {"no PT_LOAD", spoil_no_loads, "ELF core without a PT_LOAD segment (no memory)"},
    {"only empty PT_LOADs", spoil_only_empty_loads, "ELF core without a PT_LOAD segment (no memory)"},
};

static void test_elf_bad_input_is_format_error(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof spoils / sizeof spoils[0]; i++) {
        core c = typical();
        spoils[i].spoil(&c);
        char path[64];
        write_core(path, sizeof path, &c);
        if (spoils[i].spoil == spoil_magic) {
            int fd = open(path, O_WRONLY);
            assert_int_equal(pwrite(fd, "MZ\0\0", 4, 0), 4);
            close(fd);
        }
        pw_image *img = (pw_image *)1;
        const char *msg = NULL;
        print_message("  %s\n", spoils[i].name);
        assert_int_equal(pw_image_elf_open(path, &img), PW_ERR_FORMAT);
        assert_null(img);
        img = (pw_image *)1;
        if (spoils[i].spoil != spoil_magic) { /* pw_image_open reads that one as raw */
            assert_int_equal(pw_image_open_msg(path, &img, &msg), PW_ERR_FORMAT);
            assert_null(img);
            assert_non_null(msg);
            assert_string_equal(msg, spoils[i].msg);
        }
        unlink(path);
    }
}

/* More than 2^20 PT_LOADs: refused while counting, before anything is
 * allocated for them (identical headers: the count is checked first). */
static void test_elf_too_many_loads(void **state)
{
    (void)state;
    const uint64_t n = (UINT64_C(1) << 20) + 1;
    const uint64_t shoff = EH_SIZE + n * PH_SIZE, len = shoff + SH_SIZE;
    uint8_t *buf = calloc(1, len);
    assert_non_null(buf);
    core c = core_new(len);
    c.phnum = PN_XNUM_;
    c.shoff = shoff;
    c.shentsize = SH_SIZE;
    encode_ehdr(buf, &c);
    phdr ph = {PT_LOAD_, 0, 0, 0, PAGE};
    for (uint64_t i = 0; i < n; i++)
        encode_phdr(buf + EH_SIZE + i * PH_SIZE, &ph);
    put(buf + shoff + 44, 4, n);
    char path[64];
    snprintf(path, sizeof path, "/tmp/pw_test_elf_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    close(fd);
    free(buf);
    pw_image *img = (pw_image *)1;
    const char *msg = NULL;
    assert_int_equal(pw_image_open_msg(path, &img, &msg), PW_ERR_FORMAT);
    assert_null(img);
    assert_string_equal(msg, "too many PT_LOAD segments (more than 2^20)");
    unlink(path);
}

/* ---- pw_image_save_elf ---- */

/* The header and program headers save_elf writes, computed here. */
static void expect_headers(uint8_t *h, uint64_t n, const uint64_t (*seg)[3])
{
    core c = core_new(0);
    c.phnum = (uint16_t)n;
    encode_ehdr(h, &c);
    for (uint64_t i = 0; i < n; i++) {
        uint8_t *p = h + EH_SIZE + i * PH_SIZE;
        memset(p, 0, PH_SIZE);
        put(p + 0, 4, PT_LOAD_);
        put(p + 4, 4, 7);           /* PF_R | PF_W | PF_X */
        put(p + 8, 8, seg[i][0]);   /* p_offset */
        put(p + 16, 8, 0);          /* p_vaddr */
        put(p + 24, 8, seg[i][1]);  /* p_paddr */
        put(p + 32, 8, seg[i][2]);  /* p_filesz */
        put(p + 40, 8, seg[i][2]);  /* p_memsz */
        put(p + 48, 8, PAGE);       /* p_align */
    }
}

static void test_save_elf_sparse_runs_byte_exact(void **state)
{
    (void)state;
    pw_image *img;
    assert_int_equal(pw_image_sparse_new(64 * MIB, &img), PW_OK);
    /* Written frames 0, 1, 5, 0x2000 and 0x2001: runs {0,1} {5} {0x2000,0x2001}. */
    const uint64_t frames[] = {1, 0, 5, 0x2001, 0x2000};
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++)
        assert_int_equal(pw_image_write64(img, frames[i] * PAGE + 8 * i, 0x1111111111111111 * (i + 1)),
                         PW_OK);
    char dir[64], path[96];
    fresh_path(dir, sizeof dir, path, sizeof path, "core.elf");
    assert_int_equal(pw_image_save_elf(img, path), PW_OK);

    /* Headers: 64 + 3 * 56 bytes; data from 4 KiB on, each run page-aligned. */
    const uint64_t seg[3][3] = {
        {0x1000, 0x0, 2 * PAGE},
        {0x3000, 5 * PAGE, PAGE},
        {0x4000, 0x2000 * PAGE, 2 * PAGE},
    };
    uint8_t want[EH_SIZE + 3 * PH_SIZE];
    expect_headers(want, 3, seg);
    uint64_t len;
    uint8_t *got = slurp(path, &len);
    assert_int_equal(len, 0x6000);
    assert_memory_equal(got, want, sizeof want);
    for (uint64_t i = sizeof want; i < 0x1000; i++)
        assert_int_equal(got[i], 0);
    assert_int_equal(get(got + 0x1000 + 1 * PAGE + 8 * 0, 8), 0x1111111111111111); /* frame 1 */
    assert_int_equal(get(got + 0x3000 + 8 * 2, 8), 0x3333333333333333);             /* frame 5 */
    assert_int_equal(get(got + 0x4000 + 8 * 4, 8), 0x5555555555555555);             /* 0x2000 */
    free(got);

    /* Read back: the written pages are identical, the others are holes. */
    pw_image *back;
    assert_int_equal(pw_image_open(path, &back), PW_OK);
    assert_string_equal(pw_image_format(back), "elf");
    assert_int_equal(pw_image_ranges(back, NULL, 0), 3);
    assert_same_bytes(img, back, 0, 2 * PAGE);
    assert_same_bytes(img, back, 5 * PAGE, PAGE);
    assert_same_bytes(img, back, 0x2000 * PAGE, 2 * PAGE);
    uint64_t v;
    assert_int_equal(pw_image_read64(back, 2 * PAGE, &v), PW_ERR_RANGE);
    assert_int_equal(pw_image_size(back), 0x2002 * PAGE);
    /* Never overwritten, not even the core `back` maps. */
    assert_int_equal(pw_image_save_elf(img, path), PW_ERR_EXISTS);
    assert_int_equal(pw_image_save_elf(back, path), PW_ERR_EXISTS);
    assert_int_equal(pw_image_save_elf(img, "/tmp/pw_test_does/not/exist"), PW_ERR_IO);
    assert_int_equal(pw_image_save_elf(NULL, path), PW_ERR_ARG);
    assert_int_equal(pw_image_save_elf(img, NULL), PW_ERR_ARG);
    pw_image_free(back);
    pw_image_free(img);
    remove_dir(dir, path);
}

/* A sparse image nobody wrote: one segment of zeros, no file bytes. */
static void test_save_elf_untouched_sparse_is_one_zero_segment(void **state)
{
    (void)state;
    pw_image *img;
    assert_int_equal(pw_image_sparse_new(16 * MIB, &img), PW_OK);
    char dir[64], path[96];
    fresh_path(dir, sizeof dir, path, sizeof path, "zero.elf");
    assert_int_equal(pw_image_save_elf(img, path), PW_OK);
    uint64_t len;
    uint8_t *got = slurp(path, &len);
    assert_int_equal(len, EH_SIZE + PH_SIZE);
    assert_int_equal(get(got + EH_SIZE + 8, 8), 0);          /* p_offset */
    assert_int_equal(get(got + EH_SIZE + 32, 8), 0);         /* p_filesz */
    assert_int_equal(get(got + EH_SIZE + 40, 8), 16 * MIB);  /* p_memsz */
    free(got);
    pw_image *back;
    assert_int_equal(pw_image_elf_open(path, &back), PW_OK);
    assert_int_equal(pw_image_size(back), 16 * MIB);
    assert_same_bytes(img, back, 0, 16 * MIB);
    pw_image_free(back);
    pw_image_free(img);
    remove_dir(dir, path);
}

static void test_save_elf_raw_round_trip(void **state)
{
    (void)state;
    /* A raw dump whose size is not a multiple of 4 KiB. */
    char raw[64];
    core r = core_new(3 * PAGE + 2);
    write_core(raw, sizeof raw, &r);
    int fd = open(raw, O_WRONLY);
    assert_int_equal(pwrite(fd, "RAW!", 4, 0), 4);
    close(fd);
    pw_image *img;
    assert_int_equal(pw_image_raw_open(raw, &img), PW_OK);
    char dir[64], path[96];
    fresh_path(dir, sizeof dir, path, sizeof path, "raw.elf");
    assert_int_equal(pw_image_save_elf(img, path), PW_OK);
    const uint64_t seg[1][3] = {{0x1000, 0, 3 * PAGE + 2}};
    uint8_t want[EH_SIZE + PH_SIZE];
    expect_headers(want, 1, seg);
    uint64_t len;
    uint8_t *got = slurp(path, &len);
    assert_int_equal(len, 0x1000 + 3 * PAGE + 2);
    assert_memory_equal(got, want, sizeof want);
    free(got);
    pw_image *back;
    assert_int_equal(pw_image_open(path, &back), PW_OK);
    assert_int_equal(pw_image_size(back), 3 * PAGE + 2);
    assert_same_bytes(img, back, 0, 3 * PAGE + 2);
    pw_image_free(back);
    pw_image_free(img);
    remove_dir(dir, path);
    unlink(raw);

    /* An empty raw dump has no memory to save. */
    core e = core_new(0);
    write_core(raw, sizeof raw, &e);
    assert_int_equal(pw_image_raw_open(raw, &img), PW_OK);
    fresh_path(dir, sizeof dir, path, sizeof path, "empty.elf");
    assert_int_equal(pw_image_save_elf(img, path), PW_ERR_RANGE);
    assert_int_equal(access(path, F_OK), -1);
    pw_image_free(img);
    rmdir(dir);
    unlink(raw);
}

/* An ELF core, changed, saved again: the same segments and contents. And the
 * same core as a raw dump: holes become zeros. */
static void test_save_elf_of_elf_and_raw_of_elf(void **state)
{
    (void)state;
    char src[64];
    pw_image *img = open_typical(src, sizeof src);
    assert_int_equal(pw_image_write64(img, C_PA + 0x3ff8, 0xfeedface), PW_OK); /* zero fill */
    assert_int_equal(pw_image_write64(img, A_PA + 0x10, 0xc0ffee), PW_OK);
    char dir[64], path[96];
    fresh_path(dir, sizeof dir, path, sizeof path, "again.elf");
    assert_int_equal(pw_image_save_elf(img, path), PW_OK);
    pw_image *back;
    assert_int_equal(pw_image_elf_open(path, &back), PW_OK);
    pw_image_range r[3];
    assert_int_equal(pw_image_ranges(back, r, 3), 2);
    assert_int_equal(r[0].len, A_LEN + B_LEN);
    assert_int_equal(r[1].pa, C_PA);
    assert_int_equal(r[1].len, C_MEM);
    assert_same_bytes(img, back, 0, A_LEN + B_LEN);
    assert_same_bytes(img, back, C_PA, C_MEM);
    pw_image_free(back);
    remove_dir(dir, path);

    fresh_path(dir, sizeof dir, path, sizeof path, "core.raw");
    assert_int_equal(pw_image_save_raw(img, path), PW_OK);
    assert_int_equal(pw_image_raw_open(path, &back), PW_OK);
    assert_int_equal(pw_image_size(back), C_PA + C_MEM);
    assert_same_bytes(img, back, 0, A_LEN + B_LEN);
    assert_same_bytes(img, back, C_PA, C_MEM);
    uint64_t v;
    assert_int_equal(pw_image_read64(back, 0x80000, &v), PW_OK);
    assert_int_equal(v, 0);
    pw_image_free(back);
    remove_dir(dir, path);
    pw_image_free(img);
    unlink(src);
}

/* 0xffff segments or more: e_phnum = PN_XNUM and the count in section
 * header 0, which the reader understands. The core is built from an ELF of
 * 0xffff zero-filled one-page segments, so that it costs no memory. */
static void test_save_elf_pn_xnum(void **state)
{
    (void)state;
    const uint64_t n = 0xffff;
    const uint64_t phoff = EH_SIZE, shoff = phoff + n * PH_SIZE;
    uint64_t len = shoff + SH_SIZE;
    uint8_t *buf = calloc(1, len);
    assert_non_null(buf);
    core c = core_new(len);
    c.phnum = PN_XNUM_;
    c.shoff = shoff;
    c.shentsize = SH_SIZE;
    encode_ehdr(buf, &c);
    for (uint64_t i = 0; i < n; i++) {
        phdr ph = {PT_LOAD_, 0, 2 * i * PAGE, 0, PAGE};
        encode_phdr(buf + phoff + i * PH_SIZE, &ph);
    }
    put(buf + shoff + 44, 4, n);
    char src[64];
    snprintf(src, sizeof src, "/tmp/pw_test_elf_XXXXXX");
    int fd = mkstemp(src);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    close(fd);
    free(buf);

    pw_image *img;
    assert_int_equal(pw_image_elf_open(src, &img), PW_OK);
    assert_int_equal(pw_image_ranges(img, NULL, 0), n);
    assert_int_equal(pw_image_write32(img, 2 * (n - 1) * PAGE + 4, 0xabcd), PW_OK);
    char dir[64], path[96];
    fresh_path(dir, sizeof dir, path, sizeof path, "many.elf");
    assert_int_equal(pw_image_save_elf(img, path), PW_OK);
    uint8_t h[EH_SIZE];
    fd = open(path, O_RDONLY);
    assert_int_equal(read(fd, h, sizeof h), (ssize_t)sizeof h);
    assert_int_equal(get(h + 56, 2), PN_XNUM_);       /* e_phnum */
    assert_int_equal(get(h + 40, 8), shoff);          /* e_shoff: after the program headers */
    assert_int_equal(get(h + 58, 2), SH_SIZE);        /* e_shentsize */
    assert_int_equal(get(h + 60, 2), 1);              /* e_shnum */
    uint8_t sh_info[4];
    assert_int_equal(pread(fd, sh_info, 4, (off_t)(shoff + 44)), 4);
    assert_int_equal(get(sh_info, 4), n);
    close(fd);
    pw_image *back;
    assert_int_equal(pw_image_elf_open(path, &back), PW_OK);
    assert_int_equal(pw_image_ranges(back, NULL, 0), n);
    uint32_t v;
    assert_int_equal(pw_image_read32(back, 2 * (n - 1) * PAGE + 4, &v), PW_OK);
    assert_int_equal(v, 0xabcd);
    assert_int_equal(pw_image_read32(back, PAGE, &v), PW_ERR_RANGE);
    pw_image_free(back);
    pw_image_free(img);
    remove_dir(dir, path);
    unlink(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf_segments_are_physical_memory),
        cmocka_unit_test(test_elf_writes_stay_private),
        cmocka_unit_test(test_elf_multi_gib_sparse_file),
        cmocka_unit_test(test_elf_pn_xnum_count_in_section_header),
        cmocka_unit_test(test_open_detects_elf_by_magic),
        cmocka_unit_test(test_elf_bad_input_is_format_error),
        cmocka_unit_test(test_elf_too_many_loads),
        cmocka_unit_test(test_save_elf_sparse_runs_byte_exact),
        cmocka_unit_test(test_save_elf_untouched_sparse_is_one_zero_segment),
        cmocka_unit_test(test_save_elf_raw_round_trip),
        cmocka_unit_test(test_save_elf_of_elf_and_raw_of_elf),
        cmocka_unit_test(test_save_elf_pn_xnum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
