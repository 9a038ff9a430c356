/* Writing ELF cores (pw_image_save_elf), and an ELF core's memory as a raw
 * dump (pw_image_save_raw of an ELF image). The layout is what image.h
 * documents: ELF header, program headers, [section header 0 for PN_XNUM],
 * then each segment's bytes from a 4 KiB boundary. The file is first extended
 * to its full size; stretches of zeros are then simply not written, so that
 * they stay holes. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image_elf_format.h"
#include "image_priv.h"

#define SAVE_MODE  0644
#define COPY_CHUNK (UINT64_C(1) << 20) /* bytes read from the image at a time */

/* One PT_LOAD to write: [pa, pa + memsz), of which filesz bytes (0 or memsz)
 * are in the file at file_off. */
typedef struct {
    uint64_t pa, memsz, filesz, file_off;
} out_seg;

static uint64_t align_page(uint64_t v)
{
    return (v + PW_IMG_PAGE_OFFSET) & ~(uint64_t)PW_IMG_PAGE_OFFSET;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Memory [pa, pa + len) to the file at file_off, chunk by chunk, skipping
 * the chunks that are all zeros. */
static pw_status copy_out(pw_image *img, int fd, uint64_t pa, uint64_t len, uint64_t file_off,
                          uint8_t *buf)
{
    while (len) {
        size_t n = len < COPY_CHUNK ? (size_t)len : (size_t)COPY_CHUNK;
        pw_status st = pw_image_read(img, pa, buf, n);
        if (st == PW_OK && !all_zero(buf, n))
            st = pw_img_pwrite_all(fd, buf, n, file_off);
        if (st != PW_OK)
            return st;
        pa += n;
        file_off += n;
        len -= n;
    }
    return PW_OK;
}

pw_status pw_elf_save_raw(pw_image *img, int fd)
{
    uint8_t *buf = malloc(COPY_CHUNK);
    if (!buf)
        return PW_ERR_NOMEM;
    pw_status st = PW_OK;
    for (size_t i = 0; st == PW_OK && i < img->n_segs; i++)
        st = copy_out(img, fd, img->segs[i].pa, img->segs[i].memsz, img->segs[i].pa, buf);
    free(buf);
    return st;
}

/* ---- Which segments ---- */

static int by_frame(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* A sparse image: one segment per maximal run of written frames. */
static pw_status sparse_segments(const pw_image *img, out_seg **out, size_t *n)
{
    uint64_t used = img->hash_used;
    if (!used) {
        /* Nothing written: all of memory, as zeros that take no file space. */
        *out = calloc(1, sizeof **out);
        if (!*out)
            return PW_ERR_NOMEM;
        (*out)[0] = (out_seg){.pa = 0, .memsz = img->size, .filesz = 0};
        *n = 1;
        return PW_OK;
    }
    uint64_t *frames = malloc((size_t)used * sizeof *frames);
    if (!frames)
        return PW_ERR_NOMEM;
    uint64_t k = 0, slots = UINT64_C(1) << img->hash_bits;
    for (uint64_t i = 0; i < slots; i++)
        if (img->hash[i].page)
            frames[k++] = img->hash[i].frame;
    qsort(frames, (size_t)used, sizeof *frames, by_frame);
    size_t runs = 1;
    for (uint64_t i = 1; i < used; i++)
        runs += frames[i] != frames[i - 1] + 1;
    if (runs > ELF_MAX_LOADS) {
        free(frames);
        return PW_ERR_RANGE;
    }
    *out = calloc(runs, sizeof **out);
    if (!*out) {
        free(frames);
        return PW_ERR_NOMEM;
    }
    size_t r = 0;
    for (uint64_t i = 0; i < used; i++) {
        if (i && frames[i] == frames[i - 1] + 1) {
            (*out)[r - 1].memsz += PW_PAGE_SIZE;
            continue;
        }
        (*out)[r++] = (out_seg){.pa = frames[i] << PW_PAGE_SHIFT, .memsz = PW_PAGE_SIZE};
    }
    for (size_t i = 0; i < runs; i++)
        (*out)[i].filesz = (*out)[i].memsz;
    free(frames);
    *n = runs;
    return PW_OK;
}

static pw_status segments_of(const pw_image *img, out_seg **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!img->size)
        return PW_ERR_RANGE;
    if (img->kind == PW_IMG_SPARSE)
        return sparse_segments(img, out, n);
    size_t count = img->kind == PW_IMG_ELF ? img->n_segs : 1;
    *out = calloc(count, sizeof **out);
    if (!*out)
        return PW_ERR_NOMEM;
    for (size_t i = 0; i < count; i++) {
        uint64_t pa = img->kind == PW_IMG_ELF ? img->segs[i].pa : 0;
        uint64_t len = img->kind == PW_IMG_ELF ? img->segs[i].memsz : img->size;
        (*out)[i] = (out_seg){.pa = pa, .memsz = len, .filesz = len};
    }
    *n = count;
    return PW_OK;
}

/* ---- The headers ---- */

/* Lay the segments out in the file; returns the file's size. */
static uint64_t lay_out(out_seg *segs, size_t n, uint64_t headers)
{
    uint64_t off = align_page(headers), end = headers;
    for (size_t i = 0; i < n; i++) {
        segs[i].file_off = segs[i].filesz ? off : 0;
        if (segs[i].filesz) {
            end = off + segs[i].filesz;
            off = align_page(end);
        }
    }
    return end;
}

static void put_ehdr(uint8_t *h, size_t n, bool xnum)
{
    memcpy(h, ELF_MAGIC, ELF_MAGIC_LEN);
    h[ELF_EI_CLASS] = ELF_CLASS64;
    h[ELF_EI_DATA] = ELF_DATA_LSB;
    h[ELF_EI_VERSION] = ELF_EV_CURRENT;
    elf_put(h + EHDR_TYPE, 2, ELF_ET_CORE);
    elf_put(h + EHDR_MACHINE, 2, ELF_EM_X86_64);
    elf_put(h + EHDR_VERSION, 4, ELF_EV_CURRENT);
    elf_put(h + EHDR_PHOFF, 8, EHDR_SIZE);
    elf_put(h + EHDR_SHOFF, 8, xnum ? EHDR_SIZE + (uint64_t)n * PHDR_SIZE : 0);
    elf_put(h + EHDR_EHSIZE, 2, EHDR_SIZE);
    elf_put(h + EHDR_PHENTSIZE, 2, PHDR_SIZE);
    elf_put(h + EHDR_PHNUM, 2, xnum ? ELF_PN_XNUM : n);
    elf_put(h + EHDR_SHENTSIZE, 2, xnum ? SHDR_SIZE : 0);
    elf_put(h + EHDR_SHNUM, 2, xnum ? 1 : 0);
    if (xnum)
        elf_put(h + EHDR_SIZE + n * PHDR_SIZE + SHDR_INFO, 4, n);
}

static void put_phdr(uint8_t *p, const out_seg *s)
{
    elf_put(p + PHDR_TYPE, 4, ELF_PT_LOAD);
    elf_put(p + PHDR_FLAGS, 4, ELF_PF_R | ELF_PF_W | ELF_PF_X);
    elf_put(p + PHDR_OFFSET, 8, s->file_off);
    elf_put(p + PHDR_PADDR, 8, s->pa);
    elf_put(p + PHDR_FILESZ, 8, s->filesz);
    elf_put(p + PHDR_MEMSZ, 8, s->memsz);
    elf_put(p + PHDR_ALIGN, 8, PW_PAGE_SIZE);
}

static pw_status write_core(pw_image *img, int fd, out_seg *segs, size_t n)
{
    bool xnum = n >= ELF_PN_XNUM;
    size_t headers = EHDR_SIZE + n * PHDR_SIZE + (xnum ? SHDR_SIZE : 0);
    uint64_t size = lay_out(segs, n, headers);
    uint8_t *h = calloc(1, headers);
    uint8_t *buf = malloc(COPY_CHUNK);
    pw_status st = h && buf ? PW_OK : PW_ERR_NOMEM;
    if (st == PW_OK) {
        put_ehdr(h, n, xnum);
        for (size_t i = 0; i < n; i++)
            put_phdr(h + EHDR_SIZE + i * PHDR_SIZE, &segs[i]);
        if (ftruncate(fd, (off_t)size) != 0)
            st = PW_ERR_IO;
    }
    if (st == PW_OK)
        st = pw_img_pwrite_all(fd, h, headers, 0);
    for (size_t i = 0; st == PW_OK && i < n; i++)
        if (segs[i].filesz)
            st = copy_out(img, fd, segs[i].pa, segs[i].filesz, segs[i].file_off, buf);
    free(buf);
    free(h);
    return st;
}

pw_status pw_image_save_elf(pw_image *img, const char *path)
{
    if (!img || !path)
        return PW_ERR_ARG;
    out_seg *segs;
    size_t n;
    pw_status st = segments_of(img, &segs, &n);
    if (st != PW_OK)
        return st;
    /* O_EXCL: never overwrite a file, least of all the core this image maps. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, SAVE_MODE);
    if (fd < 0) {
        free(segs);
        return errno == EEXIST ? PW_ERR_EXISTS : PW_ERR_IO;
    }
    st = write_core(img, fd, segs, n);
    if (close(fd) != 0 && st == PW_OK)
        st = PW_ERR_IO;
    if (st != PW_OK)
        unlink(path); /* we created it: leave no truncated core behind */
    free(segs);
    return st;
}
