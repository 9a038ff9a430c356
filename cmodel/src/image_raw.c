/* Raw physical dumps (QEMU pmemsave): byte i of the file is PA i.
 * Opening maps the file privately, so that multi-GiB dumps cost nothing until
 * touched and A/D writes land in a private copy, never in the file (the ELF
 * reader maps its files the same way). Saving writes every byte of any image
 * as such a dump. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_priv.h"

#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0
#endif

#define SAVE_MODE  0644
#define WRITE_STEP (UINT64_C(1) << 30) /* bytes per write(2) call at most */

/* MAP_PRIVATE + PROT_WRITE: copy-on-write pages, the file never changes. An
 * empty file maps nothing (img->map stays NULL). */
pw_status pw_raw_map(pw_image *img, int fd)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return PW_ERR_IO;
    if ((uint64_t)sb.st_size > SIZE_MAX)
        return PW_ERR_RANGE; /* cannot be mapped on this host */
    img->map_len = (size_t)sb.st_size;
    if (!img->map_len)
        return PW_OK;
    void *m = mmap(NULL, img->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, fd, 0);
    if (m == MAP_FAILED) {
        img->map_len = 0;
        return errno == ENOMEM ? PW_ERR_NOMEM : PW_ERR_IO;
    }
    img->map = m;
    return PW_OK;
}

pw_status pw_image_raw_open(const char *path, pw_image **out)
{
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
        img->kind = PW_IMG_RAW;
        /* An empty file is an image of size 0: every access is out of range. */
        st = pw_raw_map(img, fd);
        img->size = img->map_len;
    }
    close(fd);
    if (st != PW_OK) {
        free(img);
        img = NULL;
    }
    *out = img;
    return st;
}

void pw_raw_release(pw_image *img)
{
    if (img->map)
        munmap(img->map, img->map_len);
    img->map = NULL;
}

pw_status pw_img_pwrite_all(int fd, const uint8_t *buf, uint64_t len, uint64_t off)
{
    while (len) {
        size_t n = len < WRITE_STEP ? (size_t)len : (size_t)WRITE_STEP;
        ssize_t w = pwrite(fd, buf, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return PW_ERR_IO;
        buf += w;
        off += (uint64_t)w;
        len -= (uint64_t)w;
    }
    return PW_OK;
}

/* The file is first extended to the full size (a hole reads as zeros); then
 * only the pages that hold data are written (for an ELF core: its segments,
 * the holes between them becoming zeros). */
static pw_status save_pages(pw_image *img, int fd)
{
    if (ftruncate(fd, (off_t)img->size) != 0)
        return PW_ERR_IO;
    if (img->kind == PW_IMG_RAW)
        return pw_img_pwrite_all(fd, img->map, img->size, 0);
    if (img->kind == PW_IMG_ELF)
        return pw_elf_save_raw(img, fd);
    uint64_t n = UINT64_C(1) << img->hash_bits;
    for (uint64_t i = 0; i < n; i++) {
        const pw_img_slot *s = &img->hash[i];
        if (!s->page)
            continue;
        pw_status st = pw_img_pwrite_all(fd, s->page, PW_PAGE_SIZE, s->frame << PW_PAGE_SHIFT);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

pw_status pw_image_save_raw(pw_image *img, const char *path)
{
    if (!img || !path)
        return PW_ERR_ARG;
    /* O_EXCL: never overwrite a file, least of all the dump this image maps. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, SAVE_MODE);
    if (fd < 0)
        return errno == EEXIST ? PW_ERR_EXISTS : PW_ERR_IO;
    pw_status st = save_pages(img, fd);
    if (close(fd) != 0 && st == PW_OK)
        st = PW_ERR_IO;
    if (st != PW_OK)
        unlink(path); /* we created it: leave no truncated dump behind */
    return st;
}
