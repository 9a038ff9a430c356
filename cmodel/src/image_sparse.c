/* Sparse in-memory image: pages are allocated on first write; an untouched
 * page reads as zeros. Frame -> page is an open-addressing hash with linear
 * probing that never deletes (pages live until the image is freed). */
#include <stdlib.h>

#include "image_priv.h"

#define HASH_BITS_MIN 10                            /* 1024 slots to start with */
#define HASH_MULT     UINT64_C(0x9e3779b97f4a7c15)  /* Fibonacci hashing: 2^64 / golden ratio */

static uint64_t hash_index(uint64_t frame, unsigned bits)
{
    return (frame * HASH_MULT) >> (64 - bits);
}

static pw_img_slot *hash_slot(pw_img_slot *hash, unsigned bits, uint64_t frame)
{
    uint64_t mask = (UINT64_C(1) << bits) - 1;
    uint64_t i = hash_index(frame, bits);
    while (hash[i].page && hash[i].frame != frame)
        i = (i + 1) & mask;
    return &hash[i];
}

pw_status pw_image_sparse_new(uint64_t size, pw_image **out)
{
    if (!out)
        return PW_ERR_ARG;
    *out = NULL;
    if (size == 0 || (size & PW_IMG_PAGE_OFFSET) || size > PW_IMG_MAX_SIZE)
        return PW_ERR_ARG;
    pw_image *img = calloc(1, sizeof *img);
    if (!img)
        return PW_ERR_NOMEM;
    img->kind = PW_IMG_SPARSE;
    img->size = size;
    if (pw_sparse_init(img) != PW_OK) {
        free(img);
        return PW_ERR_NOMEM;
    }
    *out = img;
    return PW_OK;
}

pw_status pw_sparse_init(pw_image *img)
{
    img->hash_bits = HASH_BITS_MIN;
    img->hash_used = 0;
    img->hash = calloc((size_t)1 << HASH_BITS_MIN, sizeof *img->hash);
    if (!img->hash)
        return PW_ERR_NOMEM;
    for (unsigned i = 0; i < PW_IMG_CACHE_SLOTS; i++)
        img->cache[i] = (pw_img_slot){.frame = PW_IMG_NO_FRAME, .page = NULL};
    return PW_OK;
}

uint8_t *pw_sparse_find(const pw_image *img, uint64_t frame)
{
    return hash_slot(img->hash, img->hash_bits, frame)->page;
}

/* Double the table; on failure the old one stays as it was. */
static pw_status hash_grow(pw_image *img)
{
    unsigned bits = img->hash_bits + 1;
    pw_img_slot *hash = calloc((size_t)1 << bits, sizeof *hash);
    if (!hash)
        return PW_ERR_NOMEM;
    uint64_t n = UINT64_C(1) << img->hash_bits;
    for (uint64_t i = 0; i < n; i++)
        if (img->hash[i].page)
            *hash_slot(hash, bits, img->hash[i].frame) = img->hash[i];
    free(img->hash);
    img->hash = hash;
    img->hash_bits = bits;
    return PW_OK;
}

pw_status pw_sparse_alloc(pw_image *img, uint64_t frame, uint8_t **page)
{
    /* Keep the load at most 1/2 so that probe sequences stay short. */
    if ((img->hash_used + 1) * 2 > (UINT64_C(1) << img->hash_bits)) {
        pw_status st = hash_grow(img);
        if (st != PW_OK)
            return st;
    }
    uint8_t *p = calloc(1, PW_PAGE_SIZE);
    if (!p)
        return PW_ERR_NOMEM;
    pw_img_slot *s = hash_slot(img->hash, img->hash_bits, frame);
    s->frame = frame;
    s->page = p;
    img->hash_used++;
    /* The cache may remember this frame as untouched: it is not any more. */
    img->cache[frame & (PW_IMG_CACHE_SLOTS - 1)] = *s;
    *page = p;
    return PW_OK;
}

void pw_sparse_release(pw_image *img)
{
    if (!img->hash)
        return;
    uint64_t n = UINT64_C(1) << img->hash_bits;
    for (uint64_t i = 0; i < n; i++)
        free(img->hash[i].page);
    free(img->hash);
    img->hash = NULL;
}
