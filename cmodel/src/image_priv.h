/* Private to the image backends (image.c, image_sparse.c, image_raw.c,
 * image_elf.c, image_elf_save.c): the layout of pw_image and the page lookup
 * every access goes through.
 *
 * An image is a sequence of 4 KiB frames. A raw image maps its file; a sparse
 * image keeps an open-addressing hash (linear probing) of frame -> page, with
 * a small direct-mapped cache of recently used frames in front of it, because
 * a walk reads the same few table pages again and again.
 *
 * An ELF core maps its file too, but its memory is the union of its PT_LOAD
 * segments, which need not be page-aligned: every byte of a segment lives
 * either in the mapped file (the first filesz bytes) or, for the zero-filled
 * rest, in overlay pages kept in the sparse hash (allocated on first write).
 * Its accesses go through image_elf.c, not through the frame lookup below. */
#ifndef PW_IMAGE_PRIV_H
#define PW_IMAGE_PRIV_H

#include "pagewalk/bits.h"
#include "pagewalk/image.h"

#define PW_IMG_MAX_SIZE    PW_BIT(52)  /* largest sparse image (R5.1: M <= 52) */
#define PW_IMG_CACHE_SLOTS 256u        /* direct-mapped frame cache, a power of two */
#define PW_IMG_NO_FRAME    UINT64_MAX  /* an empty cache slot (frames are < 2^40) */
#define PW_IMG_PAGE_OFFSET (PW_PAGE_SIZE - 1)

typedef enum { PW_IMG_SPARSE = 0, PW_IMG_RAW, PW_IMG_ELF } pw_img_kind;

/* One PT_LOAD of an ELF core: guest-physical [pa, pa + memsz). Its first
 * filesz bytes are the file's bytes at file_off; the rest reads as zero. */
typedef struct {
    uint64_t pa, memsz, filesz, file_off;
} pw_img_seg;

/* Hash slot (page NULL = empty) and cache slot (page NULL = frame untouched). */
typedef struct {
    uint64_t frame;
    uint8_t *page;
} pw_img_slot;

struct pw_image {
    pw_img_kind kind;
    uint64_t size;
    /* sparse */
    pw_img_slot *hash;      /* 2^hash_bits slots, at most half used */
    unsigned hash_bits;
    uint64_t hash_used;
    pw_img_slot cache[PW_IMG_CACHE_SLOTS];
    /* raw and elf */
    uint8_t *map;           /* private, writable mapping of the file (NULL if empty) */
    size_t map_len;
    /* elf (the sparse hash above holds the overlay pages) */
    pw_img_seg *segs;       /* sorted by pa, disjoint, none empty */
    size_t n_segs;
};

/* image_sparse.c */
pw_status pw_sparse_init(pw_image *img); /* an empty hash and cache */
uint8_t *pw_sparse_find(const pw_image *img, uint64_t frame);
pw_status pw_sparse_alloc(pw_image *img, uint64_t frame, uint8_t **page);
void pw_sparse_release(pw_image *img);

/* image_raw.c */
void pw_raw_release(pw_image *img);
/* Map the regular file `fd` privately (writable, copy-on-write) into img->map. */
pw_status pw_raw_map(pw_image *img, int fd);
/* pwrite(2) all of buf at off, in steps, retrying on EINTR. */
pw_status pw_img_pwrite_all(int fd, const uint8_t *buf, uint64_t len, uint64_t off);

/* image_elf.c: opening an ELF core (*why: what is wrong with it, for
 * PW_ERR_FORMAT), and its accesses. The caller of read and write has
 * checked that [pa, pa + len) is covered (pw_elf_covered). */
pw_status pw_elf_open(const char *path, pw_image **out, const char **why);
bool pw_elf_covered(const pw_image *img, uint64_t pa, uint64_t len);
void pw_elf_read(pw_image *img, uint64_t pa, uint8_t *dst, size_t len);
pw_status pw_elf_write(pw_image *img, uint64_t pa, const uint8_t *src, size_t len);
void pw_elf_release(pw_image *img);
/* Write every segment's bytes to fd at file offset = PA (a raw dump). */
pw_status pw_elf_save_raw(pw_image *img, int fd);

/* The page holding `frame` for reading; NULL means an untouched sparse page
 * (all zeros). The caller has checked the frame is inside the image. For an
 * ELF core these two give the overlay page of the frame. */
static inline const uint8_t *pw_img_page_ro(pw_image *img, uint64_t frame)
{
    if (img->kind == PW_IMG_RAW)
        return img->map + (frame << PW_PAGE_SHIFT);
    pw_img_slot *s = &img->cache[frame & (PW_IMG_CACHE_SLOTS - 1)];
    if (s->frame != frame) {
        s->frame = frame;
        s->page = pw_sparse_find(img, frame);
    }
    return s->page;
}

/* The page holding `frame` for writing, allocated on first write. */
static inline pw_status pw_img_page_rw(pw_image *img, uint64_t frame, uint8_t **page)
{
    if (img->kind == PW_IMG_RAW) {
        *page = img->map + (frame << PW_PAGE_SHIFT);
        return PW_OK;
    }
    *page = (uint8_t *)pw_img_page_ro(img, frame);
    return *page ? PW_OK : pw_sparse_alloc(img, frame, page);
}

/* [pa, pa+len) lies inside the image; written so that pa+len cannot overflow.
 * An ELF core's memory has holes between its segments. */
static inline bool pw_img_in_range(const pw_image *img, uint64_t pa, uint64_t len)
{
    if (img->kind == PW_IMG_ELF)
        return pw_elf_covered(img, pa, len);
    return len <= img->size && pa <= img->size - len;
}

#endif
