/* The image API every backend shares: opening a file of either kind,
 * range-checked byte and little-endian accessors, the physical ranges, and
 * the pw_mem the walker reads page tables through. An access must lie fully
 * inside memory ([0, size), or an ELF core's segments): PW_ERR_RANGE here,
 * PW_MEM_BUS_ERROR through pw_mem. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image_elf_format.h"
#include "image_priv.h"

#define BYTE_BITS 8

void pw_image_free(pw_image *img)
{
    if (!img)
        return;
    if (img->kind == PW_IMG_RAW)
        pw_raw_release(img);
    else if (img->kind == PW_IMG_ELF)
        pw_elf_release(img);
    else
        pw_sparse_release(img);
    free(img);
}

/* An ELF core if the file starts with the ELF magic, a raw dump otherwise. */
pw_status pw_image_open_msg(const char *path, pw_image **out, const char **msg)
{
    if (msg)
        *msg = NULL;
    if (!out)
        return PW_ERR_ARG;
    *out = NULL;
    if (!path)
        return PW_ERR_ARG;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return PW_ERR_IO;
    char magic[ELF_MAGIC_LEN];
    ssize_t n;
    do
        n = pread(fd, magic, sizeof magic, 0);
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n < 0)
        return PW_ERR_IO;
    if (n == (ssize_t)sizeof magic && memcmp(magic, ELF_MAGIC, sizeof magic) == 0)
        return pw_elf_open(path, out, msg);
    return pw_image_raw_open(path, out);
}

pw_status pw_image_open(const char *path, pw_image **out)
{
    return pw_image_open_msg(path, out, NULL);
}

const char *pw_image_format(const pw_image *img)
{
    if (!img)
        return "none";
    switch (img->kind) {
    case PW_IMG_SPARSE: return "sparse";
    case PW_IMG_RAW: return "raw";
    case PW_IMG_ELF: return "elf";
    }
    return "unknown";
}

size_t pw_image_ranges(const pw_image *img, pw_image_range *out, size_t max)
{
    if (!img || (!out && max))
        return 0;
    if (img->kind != PW_IMG_ELF) {
        if (!img->size)
            return 0;
        if (max)
            out[0] = (pw_image_range){.pa = 0, .len = img->size};
        return 1;
    }
    /* Segments that touch are one range. */
    size_t n = 0;
    uint64_t end = 0;
    for (size_t i = 0; i < img->n_segs; i++) {
        const pw_img_seg *s = &img->segs[i];
        if (i && s->pa == end) {
            if (n - 1 < max)
                out[n - 1].len += s->memsz;
        } else {
            if (n < max)
                out[n] = (pw_image_range){.pa = s->pa, .len = s->memsz};
            n++;
        }
        end = s->pa + s->memsz;
    }
    return n;
}

uint64_t pw_image_size(const pw_image *img)
{
    return img ? img->size : 0;
}

pw_status pw_image_read(pw_image *img, uint64_t pa, void *buf, size_t len)
{
    if (!img || (!buf && len))
        return PW_ERR_ARG;
    if (!pw_img_in_range(img, pa, len))
        return PW_ERR_RANGE;
    if (img->kind == PW_IMG_ELF) {
        pw_elf_read(img, pa, buf, len);
        return PW_OK;
    }
    uint8_t *dst = buf;
    while (len) {
        uint64_t off = pa & PW_IMG_PAGE_OFFSET;
        size_t n = PW_PAGE_SIZE - off < len ? (size_t)(PW_PAGE_SIZE - off) : len;
        const uint8_t *page = pw_img_page_ro(img, pa >> PW_PAGE_SHIFT);
        if (page)
            memcpy(dst, page + off, n);
        else
            memset(dst, 0, n);
        dst += n;
        pa += n;
        len -= n;
    }
    return PW_OK;
}

pw_status pw_image_write(pw_image *img, uint64_t pa, const void *buf, size_t len)
{
    if (!img || (!buf && len))
        return PW_ERR_ARG;
    if (!pw_img_in_range(img, pa, len))
        return PW_ERR_RANGE;
    if (img->kind == PW_IMG_ELF)
        return pw_elf_write(img, pa, buf, len);
    /* Allocate every page first, so that running out of memory writes nothing. */
    uint64_t first = pa >> PW_PAGE_SHIFT;
    uint64_t last = len ? (pa + len - 1) >> PW_PAGE_SHIFT : first;
    for (uint64_t f = first; len && f <= last; f++) {
        uint8_t *page;
        pw_status st = pw_img_page_rw(img, f, &page);
        if (st != PW_OK)
            return st;
    }
    const uint8_t *src = buf;
    while (len) {
        uint64_t off = pa & PW_IMG_PAGE_OFFSET;
        size_t n = PW_PAGE_SIZE - off < len ? (size_t)(PW_PAGE_SIZE - off) : len;
        uint8_t *page;
        pw_img_page_rw(img, pa >> PW_PAGE_SHIFT, &page); /* allocated above: cannot fail */
        memcpy(page + off, src, n);
        src += n;
        pa += n;
        len -= n;
    }
    return PW_OK;
}

/* Little-endian whatever the host. */
/* Little-endian loads and stores of 4 or 8 bytes. memcpy compiles to one
 * move; a big-endian host swaps. */
static uint64_t le64(uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap64(v);
#else
    return v;
#endif
}

static uint64_t load_le(const uint8_t *p, unsigned size)
{
    if (size == sizeof(uint64_t)) {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        return le64(v);
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (BYTE_BITS * i);
    return v;
}

static void store_le(uint8_t *p, unsigned size, uint64_t v)
{
    if (size == sizeof(uint64_t)) {
        v = le64(v);
        memcpy(p, &v, sizeof v);
        return;
    }
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (BYTE_BITS * i));
}

static pw_status read_le(pw_image *img, uint64_t pa, unsigned size, uint64_t *val)
{
    uint8_t b[sizeof(uint64_t)];
    pw_status st = pw_image_read(img, pa, b, size);
    *val = st == PW_OK ? load_le(b, size) : 0;
    return st;
}

static pw_status write_le(pw_image *img, uint64_t pa, unsigned size, uint64_t val)
{
    uint8_t b[sizeof(uint64_t)];
    store_le(b, size, val);
    return pw_image_write(img, pa, b, size);
}

pw_status pw_image_read32(pw_image *img, uint64_t pa, uint32_t *val)
{
    if (!val)
        return PW_ERR_ARG;
    uint64_t v;
    pw_status st = read_le(img, pa, sizeof *val, &v);
    *val = (uint32_t)v;
    return st;
}

pw_status pw_image_read64(pw_image *img, uint64_t pa, uint64_t *val)
{
    if (!val)
        return PW_ERR_ARG;
    return read_le(img, pa, sizeof *val, val);
}

pw_status pw_image_write32(pw_image *img, uint64_t pa, uint32_t val)
{
    return write_le(img, pa, sizeof val, val);
}

pw_status pw_image_write64(pw_image *img, uint64_t pa, uint64_t val)
{
    return write_le(img, pa, sizeof val, val);
}

/* ---- pw_mem: the walker's port. The hot path of every walk. ---- */

/* A 4- or 8-byte access aligned to its size, inside memory. Being aligned,
 * it never crosses a page. */
static bool mem_access_ok(const pw_image *img, uint64_t pa, unsigned size)
{
    return (size == sizeof(uint32_t) || size == sizeof(uint64_t)) && !(pa & (size - 1)) &&
           pw_img_in_range(img, pa, size);
}

static pw_mem_status mem_read(void *ctx, uint64_t pa, unsigned size, uint64_t cycle, uint64_t *val)
{
    (void)cycle;
    pw_image *img = ctx;
    if (!val)
        return PW_MEM_BUS_ERROR;
    *val = 0;
    if (!img || !mem_access_ok(img, pa, size))
        return PW_MEM_BUS_ERROR;
    if (img->kind == PW_IMG_ELF) {
        uint8_t b[sizeof(uint64_t)];
        pw_elf_read(img, pa, b, size);
        *val = load_le(b, size);
        return PW_MEM_OK;
    }
    const uint8_t *page = pw_img_page_ro(img, pa >> PW_PAGE_SHIFT);
    if (page)
        *val = load_le(page + (pa & PW_IMG_PAGE_OFFSET), size);
    return PW_MEM_OK;
}

/* Atomic in this single-threaded model: read, compare, write if equal. */
static pw_mem_status mem_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                             uint64_t desired, uint64_t cycle, uint64_t *old)
{
    pw_image *img = ctx;
    uint64_t cur;
    pw_mem_status ms = mem_read(ctx, pa, size, cycle, &cur);
    if (old)
        *old = cur;
    if (ms != PW_MEM_OK || !old)
        return PW_MEM_BUS_ERROR;
    if (cur != expect)
        return PW_MEM_OK;
    if (img->kind == PW_IMG_ELF) {
        uint8_t b[sizeof(uint64_t)];
        store_le(b, size, desired);
        return pw_elf_write(img, pa, b, size) == PW_OK ? PW_MEM_OK : PW_MEM_BUS_ERROR;
    }
    uint8_t *page;
    if (pw_img_page_rw(img, pa >> PW_PAGE_SHIFT, &page) != PW_OK)
        return PW_MEM_BUS_ERROR; /* out of host memory: the write could not happen */
    store_le(page + (pa & PW_IMG_PAGE_OFFSET), size, desired);
    return PW_MEM_OK;
}

void pw_image_mem(pw_image *img, pw_mem *mem)
{
    if (!mem)
        return;
    *mem = (pw_mem){.ctx = img, .read = mem_read, .cas = mem_cas, .schedule = NULL};
}
