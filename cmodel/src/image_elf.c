/* QEMU `dump-guest-memory` ELF cores: ELF64, little-endian, ET_CORE. Every
 * PT_LOAD is a range of guest-physical memory: [p_paddr, p_paddr + p_memsz),
 * whose first p_filesz bytes are the file's bytes at p_offset and whose rest
 * reads as zeros. Physical memory is the union of these ranges; an address in
 * none of them is out of range. PT_NOTE and every other header are ignored.
 *
 * Opening checks every header against the file, then maps the file privately
 * as a raw dump is mapped (image_raw.c): nothing is loaded, and A/D updates
 * land in private copies of the pages, never in the file. Writes into the
 * zero-filled tail of a segment go to overlay pages in the sparse hash. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image_elf_format.h"
#include "image_priv.h"

/* ---- Checking the headers ---- */

typedef struct {
    const uint8_t *f;   /* the mapped file */
    uint64_t len;
    const char *why;    /* what is wrong with it */
} elf_file;

static pw_status bad(elf_file *e, const char *why)
{
    e->why = why;
    return PW_ERR_FORMAT;
}

/* [off, off + len) lies inside the file; written so that it cannot overflow. */
static bool in_file(const elf_file *e, uint64_t off, uint64_t len)
{
    return len <= e->len && off <= e->len - len;
}

/* The ELF header: identification, and where the program headers are. */
static pw_status check_ehdr(elf_file *e, uint64_t *phoff, uint64_t *phnum)
{
    if (e->len < ELF_MAGIC_LEN || memcmp(e->f, ELF_MAGIC, ELF_MAGIC_LEN) != 0)
        return bad(e, "not an ELF file (bad magic)");
    if (e->len < EHDR_SIZE)
        return bad(e, "truncated ELF header");
    if (e->f[ELF_EI_CLASS] == ELF_CLASS32)
        return bad(e, "32-bit ELF (ELFCLASS32): only ELF64 cores are read");
    if (e->f[ELF_EI_CLASS] != ELF_CLASS64)
        return bad(e, "bad ELF class");
    if (e->f[ELF_EI_DATA] == ELF_DATA_MSB)
        return bad(e, "big-endian ELF: only little-endian cores are read");
    if (e->f[ELF_EI_DATA] != ELF_DATA_LSB)
        return bad(e, "bad ELF data encoding");
    if (e->f[ELF_EI_VERSION] != ELF_EV_CURRENT || elf_get(e->f + EHDR_VERSION, 4) != ELF_EV_CURRENT)
        return bad(e, "bad ELF version");
    if (elf_get(e->f + EHDR_TYPE, 2) != ELF_ET_CORE)
        return bad(e, "not an ELF core file (e_type is not ET_CORE)");
    *phoff = elf_get(e->f + EHDR_PHOFF, 8);
    *phnum = elf_get(e->f + EHDR_PHNUM, 2);
    if (*phnum == ELF_PN_XNUM) {
        /* The real count is sh_info of section header 0. */
        uint64_t shoff = elf_get(e->f + EHDR_SHOFF, 8);
        if (!shoff || elf_get(e->f + EHDR_SHENTSIZE, 2) != SHDR_SIZE ||
            !in_file(e, shoff, SHDR_SIZE))
            return bad(e, "ELF e_phnum is PN_XNUM but section header 0 is missing");
        *phnum = elf_get(e->f + shoff + SHDR_INFO, 4);
    }
    if (!*phnum)
        return bad(e, "ELF core without program headers (no PT_LOAD segment)");
    if (*phnum > ELF_MAX_PHDRS)
        return bad(e, "too many ELF program headers (more than 2^21)");
    if (elf_get(e->f + EHDR_PHENTSIZE, 2) != PHDR_SIZE)
        return bad(e, "bad ELF program header size (e_phentsize)");
    if (*phnum > e->len / PHDR_SIZE || !in_file(e, *phoff, *phnum * PHDR_SIZE))
        return bad(e, "ELF program headers lie outside the file (truncated?)");
    return PW_OK;
}

static pw_img_seg load_of(const uint8_t *ph)
{
    return (pw_img_seg){.pa = elf_get(ph + PHDR_PADDR, 8), .memsz = elf_get(ph + PHDR_MEMSZ, 8),
                        .filesz = elf_get(ph + PHDR_FILESZ, 8),
                        .file_off = elf_get(ph + PHDR_OFFSET, 8)};
}

/* One PT_LOAD on its own. */
static pw_status check_load(elf_file *e, const pw_img_seg *s)
{
    if (s->filesz > s->memsz)
        return bad(e, "a PT_LOAD has p_filesz > p_memsz");
    if (s->filesz && !in_file(e, s->file_off, s->filesz))
        return bad(e, "a PT_LOAD's bytes lie outside the file (truncated?)");
    if (s->memsz > PW_IMG_MAX_SIZE || s->pa > PW_IMG_MAX_SIZE - s->memsz)
        return bad(e, "a PT_LOAD lies beyond the 52-bit physical address space");
    return PW_OK;
}

static int by_pa(const void *a, const void *b)
{
    const pw_img_seg *x = a, *y = b;
    return x->pa < y->pa ? -1 : x->pa > y->pa;
}

static int by_file_off(const void *a, const void *b)
{
    const pw_img_seg *x = a, *y = b;
    return x->file_off < y->file_off ? -1 : x->file_off > y->file_off;
}

/* No two segments share a physical address, nor a byte of the file (which
 * would make two physical addresses one memory cell). Leaves segs by pa. */
static pw_status check_disjoint(elf_file *e, pw_img_seg *segs, size_t n)
{
    qsort(segs, n, sizeof *segs, by_file_off);
    const pw_img_seg *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!segs[i].filesz)
            continue;
        if (prev && prev->file_off + prev->filesz > segs[i].file_off)
            return bad(e, "two PT_LOAD segments share bytes of the file");
        prev = &segs[i];
    }
    qsort(segs, n, sizeof *segs, by_pa);
    for (size_t i = 1; i < n; i++)
        if (segs[i - 1].pa + segs[i - 1].memsz > segs[i].pa)
            return bad(e, "PT_LOAD segments overlap in physical memory");
    return PW_OK;
}

/* Every program header; the non-empty PT_LOADs become img->segs. */
static pw_status read_segments(elf_file *e, pw_image *img)
{
    uint64_t phoff, phnum;
    pw_status st = check_ehdr(e, &phoff, &phnum);
    if (st != PW_OK)
        return st;
    uint64_t n = 0;
    for (uint64_t i = 0; i < phnum; i++) {
        const uint8_t *ph = e->f + phoff + i * PHDR_SIZE;
        if (elf_get(ph + PHDR_TYPE, 4) != ELF_PT_LOAD)
            continue;
        pw_img_seg s = load_of(ph);
        st = check_load(e, &s);
        if (st != PW_OK)
            return st;
        n += s.memsz != 0;
        if (n > ELF_MAX_LOADS)
            return bad(e, "too many PT_LOAD segments (more than 2^20)");
    }
    if (!n)
        return bad(e, "ELF core without a PT_LOAD segment (no memory)");
    img->segs = calloc((size_t)n, sizeof *img->segs);
    if (!img->segs)
        return PW_ERR_NOMEM;
    for (uint64_t i = 0; i < phnum; i++) {
        const uint8_t *ph = e->f + phoff + i * PHDR_SIZE;
        pw_img_seg s = load_of(ph);
        if (elf_get(ph + PHDR_TYPE, 4) == ELF_PT_LOAD && s.memsz)
            img->segs[img->n_segs++] = s;
    }
    st = check_disjoint(e, img->segs, img->n_segs);
    if (st != PW_OK)
        return st;
    const pw_img_seg *last = &img->segs[img->n_segs - 1];
    img->size = last->pa + last->memsz;
    return PW_OK;
}

pw_status pw_elf_open(const char *path, pw_image **out, const char **why)
{
    if (why)
        *why = NULL;
    if (!out)
        return PW_ERR_ARG;
    *out = NULL;
    if (!path)
        return PW_ERR_ARG;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return PW_ERR_IO;
    pw_image *img = calloc(1, sizeof *img);
    pw_status st = img ? PW_OK : PW_ERR_NOMEM;
    if (st == PW_OK) {
        img->kind = PW_IMG_ELF;
        st = pw_raw_map(img, fd);
    }
    close(fd);
    if (st == PW_OK)
        st = pw_sparse_init(img);
    elf_file e = {.f = img ? img->map : NULL, .len = img ? img->map_len : 0, .why = NULL};
    if (st == PW_OK)
        st = read_segments(&e, img);
    if (st != PW_OK) {
        pw_image_free(img);
        img = NULL;
        if (why)
            *why = e.why;
    }
    *out = img;
    return st;
}

pw_status pw_image_elf_open(const char *path, pw_image **out)
{
    return pw_elf_open(path, out, NULL);
}

void pw_elf_release(pw_image *img)
{
    pw_raw_release(img);
    pw_sparse_release(img);
    free(img->segs);
    img->segs = NULL;
    img->n_segs = 0;
}

/* ---- Accesses ---- */

/* The segment holding pa, or NULL: a binary search for the last segment that
 * starts at or below pa. */
static const pw_img_seg *seg_of(const pw_image *img, uint64_t pa)
{
    size_t lo = 0, hi = img->n_segs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (img->segs[mid].pa <= pa)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return NULL;
    const pw_img_seg *s = &img->segs[lo - 1];
    return pa - s->pa < s->memsz ? s : NULL;
}

bool pw_elf_covered(const pw_image *img, uint64_t pa, uint64_t len)
{
    if (!len)
        return pa <= img->size;
    for (;;) {
        const pw_img_seg *s = seg_of(img, pa);
        if (!s)
            return false;
        uint64_t left = s->memsz - (pa - s->pa);
        if (len <= left)
            return true;
        pa += left; /* the next segment must start right here */
        len -= left;
    }
}

/* Where the bytes at pa (inside segment s) live, and how many of them from pa
 * on live there contiguously (at most len): in the mapped file, or in the
 * overlay page of pa's frame (*file_bytes NULL). */
static size_t span(const pw_image *img, const pw_img_seg *s, uint64_t pa, size_t len,
                   uint8_t **file_bytes)
{
    uint64_t off = pa - s->pa, n;
    if (off < s->filesz) {
        *file_bytes = img->map + s->file_off + off;
        n = s->filesz - off;
    } else {
        *file_bytes = NULL;
        n = s->memsz - off;
        if (n > PW_PAGE_SIZE - (pa & PW_IMG_PAGE_OFFSET))
            n = PW_PAGE_SIZE - (pa & PW_IMG_PAGE_OFFSET);
    }
    return n < len ? (size_t)n : len;
}

void pw_elf_read(pw_image *img, uint64_t pa, uint8_t *dst, size_t len)
{
    while (len) {
        uint8_t *src;
        size_t n = span(img, seg_of(img, pa), pa, len, &src);
        if (!src) {
            const uint8_t *page = pw_img_page_ro(img, pa >> PW_PAGE_SHIFT);
            src = page ? (uint8_t *)page + (pa & PW_IMG_PAGE_OFFSET) : NULL;
        }
        if (src)
            memcpy(dst, src, n);
        else
            memset(dst, 0, n);
        dst += n;
        pa += n;
        len -= n;
    }
}

pw_status pw_elf_write(pw_image *img, uint64_t pa, const uint8_t *src, size_t len)
{
    /* Allocate every overlay page first, so that running out of memory
     * writes nothing. */
    uint64_t a = pa;
    for (size_t left = len; left;) {
        uint8_t *dst, *page;
        size_t n = span(img, seg_of(img, a), a, left, &dst);
        if (!dst) {
            pw_status st = pw_img_page_rw(img, a >> PW_PAGE_SHIFT, &page);
            if (st != PW_OK)
                return st;
        }
        a += n;
        left -= n;
    }
    while (len) {
        uint8_t *dst, *page;
        size_t n = span(img, seg_of(img, pa), pa, len, &dst);
        if (!dst) {
            pw_img_page_rw(img, pa >> PW_PAGE_SHIFT, &page); /* allocated above */
            dst = page + (pa & PW_IMG_PAGE_OFFSET);
        }
        memcpy(dst, src, n);
        src += n;
        pa += n;
        len -= n;
    }
    return PW_OK;
}
