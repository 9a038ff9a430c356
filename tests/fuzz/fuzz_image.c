/* libFuzzer target: the image readers. Each input is written to a file in a
 * private temporary directory and opened with pw_image_open (which maps files:
 * there is no in-memory entry point), then checked against image.h:
 *
 *  - it opens as an ELF core exactly when it starts with the ELF magic, and
 *    then exactly when it is one by the rules image.h lists (checked here by
 *    an independent reading of the headers); otherwise PW_ERR_FORMAT with a
 *    message; anything else opens as a raw image of the file's size;
 *  - pw_image_raw_open / pw_image_elf_open agree with pw_image_open;
 *  - the ranges are the union of the non-empty PT_LOAD segments, touching
 *    ones merged; every byte reads as the file's byte or zero past p_filesz;
 *    a byte outside every segment is out of range (PW_ERR_RANGE, bus error
 *    through pw_mem);
 *  - writes and CASes read back, and never reach the file;
 *  - small images survive pw_image_save_elf / pw_image_save_raw and reopening
 *    with the same ranges and contents; saving never overwrites a file. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf64.h"
#include "tmpdir.h"

#include "pagewalk/pagewalk.h"

#include "check.h"

/* image.h's limits */
#define PA_SPACE        PW_BIT(52)
#define MAX_LOADS       (UINT64_C(1) << 20)
#define MAX_PHDRS       (UINT64_C(1) << 21)

#define WINDOW     64u                 /* bytes compared around each interesting address */
#define MAX_SEGS_PROBED 64u            /* segments whose contents are probed */
#define SAVE_MAX   (UINT64_C(256) << 10) /* images up to this much memory are saved and reread */
#define WORD       8u
#define PATTERN    UINT64_C(0xa5c3e1f00f1e3c5a)

static char dir[PATH_LEN];
static char in_path[PATH_LEN], elf_path[PATH_LEN], raw_path[PATH_LEN];

static void cleanup(void)
{
    unlink(in_path);
    unlink(elf_path);
    unlink(raw_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    pw_fuzz_tmpdir(dir, sizeof dir, "pw_fuzz_image");
    snprintf(in_path, sizeof in_path, "%s/input", dir);
    snprintf(elf_path, sizeof elf_path, "%s/saved.elf", dir);
    snprintf(raw_path, sizeof raw_path, "%s/saved.raw", dir);
    atexit(cleanup);
    return 0;
}

/* The file still holds exactly `data`: images map their files privately. */
static void check_file_unchanged(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size + 1);
    CHECK(buf);
    int fd = open(in_path, O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0);
    size_t got = 0;
    for (ssize_t n; (n = read(fd, buf + got, size + 1 - got)) > 0;)
        got += (size_t)n;
    close(fd);
    CHECK(got == size && memcmp(buf, data, size) == 0);
    free(buf);
}

/* ---- an independent reading of the ELF headers (image.h's rules) ---- */

typedef struct {
    uint64_t pa, memsz, filesz, off;
} seg;

typedef struct {
    const uint8_t *f;
    uint64_t len;
    seg *segs;     /* non-empty PT_LOADs, by pa */
    size_t n;
} core;

static bool in_file(const core *c, uint64_t off, uint64_t len)
{
    return len <= c->len && off <= c->len - len;
}

static int by_pa(const void *a, const void *b)
{
    const seg *x = a, *y = b;
    return x->pa < y->pa ? -1 : x->pa > y->pa;
}

static int by_off(const void *a, const void *b)
{
    const seg *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Is the file a core pw_image_elf_open must accept? Fills c->segs if so. */
static bool read_core(core *c)
{
    const uint8_t *f = c->f;
    if (c->len < EHDR_SIZE || memcmp(f, ELF_MAGIC, ELF_MAGIC_LEN) != 0)
        return false;
    if (f[EI_CLASS] != ELFCLASS64 || f[EI_DATA] != ELFDATA2LSB || f[EI_VERSION] != EV_CURRENT ||
        ELF_GET(f, E_VERSION) != EV_CURRENT || ELF_GET(f, E_TYPE) != ET_CORE)
        return false;
    uint64_t phoff = ELF_GET(f, E_PHOFF), phnum = ELF_GET(f, E_PHNUM);
    if (phnum == PN_XNUM) {
        uint64_t shoff = ELF_GET(f, E_SHOFF);
        if (!shoff || ELF_GET(f, E_SHENTSIZE) != SHDR_SIZE || !in_file(c, shoff, SHDR_SIZE))
            return false;
        phnum = ELF_GET(f + shoff, SH_INFO);
    }
    if (!phnum || phnum > MAX_PHDRS || ELF_GET(f, E_PHENTSIZE) != PHDR_SIZE ||
        phnum > c->len / PHDR_SIZE || !in_file(c, phoff, phnum * PHDR_SIZE))
        return false;
    c->segs = malloc(phnum * sizeof *c->segs);
    CHECK(c->segs);
    c->n = 0;
    for (uint64_t i = 0; i < phnum; i++) {
        const uint8_t *ph = f + phoff + i * PHDR_SIZE;
        if (ELF_GET(ph, P_TYPE) != PT_LOAD)
            continue;
        seg s = {.pa = ELF_GET(ph, P_PADDR), .memsz = ELF_GET(ph, P_MEMSZ),
                 .filesz = ELF_GET(ph, P_FILESZ), .off = ELF_GET(ph, P_OFFSET)};
        if (s.filesz > s.memsz || (s.filesz && !in_file(c, s.off, s.filesz)) ||
            s.memsz > PA_SPACE || s.pa > PA_SPACE - s.memsz)
            return false;
        if (s.memsz)
            c->segs[c->n++] = s;
    }
    if (!c->n || c->n > MAX_LOADS)
        return false;
    qsort(c->segs, c->n, sizeof *c->segs, by_off);
    uint64_t file_end = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (!c->segs[i].filesz)
            continue;
        if (c->segs[i].off < file_end)
            return false;   /* two segments share file bytes */
        file_end = c->segs[i].off + c->segs[i].filesz;
    }
    qsort(c->segs, c->n, sizeof *c->segs, by_pa);
    for (size_t i = 1; i < c->n; i++)
        if (c->segs[i - 1].pa + c->segs[i - 1].memsz > c->segs[i].pa)
            return false;   /* overlap in physical memory */
    return true;
}

/* ---- what memory must hold ---- */

/* The byte at pa as the file defines it; false if pa is in no segment. */
static bool expected_byte(const core *c, uint64_t pa, uint8_t *b)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->segs[mid].pa <= pa)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return false;
    const seg *s = &c->segs[lo - 1];
    uint64_t o = pa - s->pa;
    if (o >= s->memsz)
        return false;
    *b = o < s->filesz ? c->f[s->off + o] : 0;
    return true;
}

/* [pa, pa + len) reads as the file says, or is out of range if any byte of it is. */
static void check_window(pw_image *img, const core *c, uint64_t pa, uint64_t len)
{
    uint8_t want[WINDOW] = {0}, got[WINDOW];
    bool covered = true;
    if (pa > UINT64_MAX - len)
        return;
    for (uint64_t i = 0; i < len; i++)
        covered &= expected_byte(c, pa + i, &want[i]);
    pw_status st = pw_image_read(img, pa, got, (size_t)len);
    CHECK(st == (covered ? PW_OK : PW_ERR_RANGE));
    if (covered)
        CHECK(memcmp(got, want, (size_t)len) == 0);
    /* The walker's port: aligned words only; a word with any byte outside is a bus error. */
    pw_mem mem;
    pw_image_mem(img, &mem);
    for (uint64_t w = (pa + WORD - 1) & ~(uint64_t)(WORD - 1); w + WORD <= pa + len; w += WORD) {
        uint64_t v = 0, o = w - pa, want_v = elf64_get(want + o, WORD);
        bool word_covered = true;
        for (unsigned i = 0; i < WORD; i++) {
            uint8_t b;
            word_covered &= expected_byte(c, w + i, &b);
        }
        pw_mem_status ms = mem.read(mem.ctx, w, WORD, 0, &v);
        CHECK(ms == (word_covered ? PW_MEM_OK : PW_MEM_BUS_ERROR));
        if (word_covered)
            CHECK(v == want_v);
    }
}

static uint64_t lo_clamp(uint64_t v, uint64_t by) { return v > by ? v - by : 0; }

/* Ranges: the segments, touching ones merged, and nothing else. */
static void check_ranges(pw_image *img, const core *c)
{
    size_t n = pw_image_ranges(img, NULL, 0);
    pw_image_range *r = calloc(n + 1, sizeof *r), *want = calloc(c->n + 1, sizeof *want);
    CHECK(r && want);
    CHECK(pw_image_ranges(img, r, n) == n);
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        const seg *s = &c->segs[i];
        if (k && want[k - 1].pa + want[k - 1].len == s->pa)
            want[k - 1].len += s->memsz;
        else
            want[k++] = (pw_image_range){.pa = s->pa, .len = s->memsz};
    }
    CHECK(k == n);
    for (size_t i = 0; i < n; i++)
        CHECK(r[i].pa == want[i].pa && r[i].len == want[i].len);
    CHECK(n && pw_image_size(img) == r[n - 1].pa + r[n - 1].len);
    free(r);
    free(want);
}

static void probe_contents(pw_image *img, const core *c)
{
    for (size_t i = 0; i < c->n && i < MAX_SEGS_PROBED; i++) {
        const seg *s = &c->segs[i];
        uint64_t end = s->pa + s->memsz;
        check_window(img, c, lo_clamp(s->pa, WINDOW / 2), WINDOW);      /* the start, from below */
        check_window(img, c, lo_clamp(s->pa + s->filesz, WINDOW / 2), WINDOW); /* file -> zeros */
        check_window(img, c, lo_clamp(end, WINDOW / 2), WINDOW);        /* the end, into what follows */
    }
    uint64_t size = pw_image_size(img);
    uint8_t b;
    CHECK(pw_image_read(img, size, &b, 1) == PW_ERR_RANGE);
    CHECK(pw_image_read(img, size, &b, 0) == PW_OK);
}

/* Writes read back (in the file part, across into the zero tail, across
 * touching segments) and so do CASes. */
static void probe_writes(pw_image *img, const core *c)
{
    pw_mem mem;
    pw_image_mem(img, &mem);
    for (size_t i = 0; i < c->n && i < MAX_SEGS_PROBED; i++) {
        const seg *s = &c->segs[i];
        uint64_t at[] = {s->pa, lo_clamp(s->pa + s->filesz, WORD / 2), lo_clamp(s->pa + s->memsz, WORD / 2)};
        for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
            uint8_t want[WORD], got[WORD];
            bool covered = true;
            for (unsigned j = 0; j < WORD; j++) {
                want[j] = (uint8_t)(PATTERN >> (ELF_BYTE_BITS * j)) ^ (uint8_t)k;
                uint8_t old;
                covered &= expected_byte(c, at[k] + j, &old);
            }
            pw_status st = pw_image_write(img, at[k], want, WORD);
            CHECK(st == (covered ? PW_OK : PW_ERR_RANGE));
            if (!covered)
                continue;
            CHECK(pw_image_read(img, at[k], got, WORD) == PW_OK && memcmp(got, want, WORD) == 0);
        }
        uint64_t w = (s->pa + WORD - 1) & ~(uint64_t)(WORD - 1), cur = 0, old = 0;
        if (w + WORD > s->pa + s->memsz || mem.read(mem.ctx, w, WORD, 0, &cur) != PW_MEM_OK)
            continue;
        CHECK(mem.cas(mem.ctx, w, WORD, ~cur, cur ^ PATTERN, 0, &old) == PW_MEM_OK && old == cur);
        CHECK(pw_image_read64(img, w, &old) == PW_OK && old == cur);   /* wrong expect: no write */
        CHECK(mem.cas(mem.ctx, w, WORD, cur, cur ^ PATTERN, 0, &old) == PW_MEM_OK && old == cur);
        CHECK(pw_image_read64(img, w, &old) == PW_OK && old == (cur ^ PATTERN));
    }
}

/* Two images hold the same memory. */
static void check_same_memory(pw_image *a, pw_image *b)
{
    size_t n = pw_image_ranges(a, NULL, 0);
    CHECK(pw_image_ranges(b, NULL, 0) == n);
    pw_image_range *ra = calloc(n + 1, sizeof *ra), *rb = calloc(n + 1, sizeof *rb);
    CHECK(ra && rb);
    pw_image_ranges(a, ra, n);
    pw_image_ranges(b, rb, n);
    for (size_t i = 0; i < n; i++) {
        CHECK(ra[i].pa == rb[i].pa && ra[i].len == rb[i].len);
        uint8_t *x = malloc((size_t)ra[i].len), *y = malloc((size_t)ra[i].len);
        CHECK(x && y);
        CHECK(pw_image_read(a, ra[i].pa, x, (size_t)ra[i].len) == PW_OK);
        CHECK(pw_image_read(b, rb[i].pa, y, (size_t)rb[i].len) == PW_OK);
        CHECK(memcmp(x, y, (size_t)ra[i].len) == 0);
        free(x);
        free(y);
    }
    free(ra);
    free(rb);
}

static uint64_t memory_bytes(pw_image *img)
{
    size_t n = pw_image_ranges(img, NULL, 0);
    pw_image_range *r = calloc(n + 1, sizeof *r);
    CHECK(r);
    pw_image_ranges(img, r, n);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += r[i].len;
    free(r);
    return total;
}

static void check_save(pw_image *img)
{
    uint64_t size = pw_image_size(img);
    unlink(elf_path);
    unlink(raw_path);
    if (size == 0) {
        CHECK(pw_image_save_elf(img, elf_path) == PW_ERR_RANGE);
        return;
    }
    if (memory_bytes(img) > SAVE_MAX)
        return;
    pw_image *back = NULL;
    CHECK(pw_image_save_elf(img, elf_path) == PW_OK);
    CHECK(pw_image_save_elf(img, elf_path) == PW_ERR_EXISTS);
    CHECK(pw_image_open(elf_path, &back) == PW_OK && !strcmp(pw_image_format(back), "elf"));
    CHECK(pw_image_size(back) == size);
    check_same_memory(img, back);
    pw_image_free(back);
    if (size > SAVE_MAX)
        return;
    /* A raw dump: the ranges at their addresses, zeros in the holes. */
    CHECK(pw_image_save_raw(img, raw_path) == PW_OK);
    CHECK(pw_image_save_raw(img, raw_path) == PW_ERR_EXISTS);
    CHECK(pw_image_raw_open(raw_path, &back) == PW_OK && pw_image_size(back) == size);
    uint8_t *x = malloc((size_t)size), *y = malloc((size_t)size);
    CHECK(x && y);
    CHECK(pw_image_read(back, 0, y, (size_t)size) == PW_OK);
    memset(x, 0, (size_t)size);
    size_t n = pw_image_ranges(img, NULL, 0);
    pw_image_range *r = calloc(n + 1, sizeof *r);
    CHECK(r);
    pw_image_ranges(img, r, n);
    for (size_t i = 0; i < n; i++)
        CHECK(pw_image_read(img, r[i].pa, x + r[i].pa, (size_t)r[i].len) == PW_OK);
    CHECK(memcmp(x, y, (size_t)size) == 0);
    free(r);
    free(x);
    free(y);
    pw_image_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pw_fuzz_write_file(in_path, data, size);
    bool magic = size >= ELF_MAGIC_LEN && memcmp(data, ELF_MAGIC, ELF_MAGIC_LEN) == 0;
    core c = {.f = data, .len = size, .segs = NULL, .n = 0};
    bool is_core = magic && read_core(&c);
    if (!is_core) {
        /* A raw image is one range [0, size) holding the file. */
        free(c.segs);
        c.segs = calloc(1, sizeof *c.segs);
        CHECK(c.segs);
        c.segs[0] = (seg){.pa = 0, .memsz = size, .filesz = size, .off = 0};
        c.n = size != 0;
    }

    pw_image *img = NULL, *other = NULL;
    const char *msg = NULL;
    pw_status st = pw_image_open_msg(in_path, &img, &msg);
    if (magic && !is_core) {
        CHECK(st == PW_ERR_FORMAT && img == NULL && msg != NULL && *msg);
        CHECK(pw_image_elf_open(in_path, &other) == PW_ERR_FORMAT && other == NULL);
    } else {
        CHECK(st == PW_OK && img != NULL && msg == NULL);
        CHECK(!strcmp(pw_image_format(img), is_core ? "elf" : "raw"));
        CHECK(pw_image_elf_open(in_path, &other) == (is_core ? PW_OK : PW_ERR_FORMAT));
        pw_image_free(other);
    }
    CHECK(pw_image_raw_open(in_path, &other) == PW_OK && pw_image_size(other) == size);
    pw_image_free(other);

    if (img) {
        if (c.n)
            check_ranges(img, &c);
        else
            CHECK(pw_image_size(img) == 0 && pw_image_ranges(img, NULL, 0) == 0);
        probe_contents(img, &c);
        probe_writes(img, &c);
        check_file_unchanged(data, size);
        check_save(img);
        pw_image_free(img);
    }
    free(c.segs);
    return 0;
}
