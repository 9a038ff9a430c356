/* Private to the image backends (image.c, image_sparse.c, image_raw.c): the
 * layout of pw_image and the page lookup every access goes through.
 *
 * An image is a sequence of 4 KiB frames. A raw image maps its file; a sparse
 * image keeps an open-addressing hash (linear probing) of frame -> page, with
 * a small direct-mapped cache of recently used frames in front of it, because
 * a walk reads the same few table pages again and again. */
#ifndef PW_IMAGE_PRIV_H
#define PW_IMAGE_PRIV_H

#include "pagewalk/bits.h"
#include "pagewalk/image.h"

#define PW_IMG_MAX_SIZE    PW_BIT(52)  /* largest sparse image (R5.1: M <= 52) */
#define PW_IMG_CACHE_SLOTS 256u        /* direct-mapped frame cache, a power of two */
#define PW_IMG_NO_FRAME    UINT64_MAX  /* an empty cache slot (frames are < 2^40) */
#define PW_IMG_PAGE_OFFSET (PW_PAGE_SIZE - 1)

typedef enum { PW_IMG_SPARSE = 0, PW_IMG_RAW } pw_img_kind;

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
    /* raw */
    uint8_t *map;           /* private, writable mapping of the file (NULL if empty) */
    size_t map_len;
};

/* image_sparse.c */
uint8_t *pw_sparse_find(const pw_image *img, uint64_t frame);
pw_status pw_sparse_alloc(pw_image *img, uint64_t frame, uint8_t **page);
void pw_sparse_release(pw_image *img);

/* image_raw.c */
void pw_raw_release(pw_image *img);

/* The page holding `frame` for reading; NULL means an untouched sparse page
 * (all zeros). The caller has checked the frame is inside the image. */
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

/* [pa, pa+len) lies inside the image; written so that pa+len cannot overflow. */
static inline bool pw_img_in_range(const pw_image *img, uint64_t pa, uint64_t len)
{
    return len <= img->size && pa <= img->size - len;
}

#endif
