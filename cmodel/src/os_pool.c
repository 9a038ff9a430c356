/* The physical pool that page tables come from: bump allocation plus a free
 * list of 4 KiB pages, with a count of the pages in use per table level. */
#include <string.h>

#include "os_priv.h"

#define ZERO_CHUNK 512 /* bytes zeroed per image write */

void pw_os_pool_init(pw_os_pool *pool, pw_image *img, uint64_t base, uint64_t size)
{
    memset(pool, 0, sizeof *pool);
    pool->img = img;
    pool->base = base;
    pool->size = size;
}

static pw_status zero_page(pw_image *img, uint64_t pa)
{
    uint8_t zero[ZERO_CHUNK] = {0};
    for (uint64_t off = 0; off < PW_PAGE_SIZE; off += sizeof zero) {
        pw_status st = pw_image_write(img, pa + off, zero, sizeof zero);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

pw_status pw_os_pool_alloc(pw_os_pool *pool, unsigned level, uint64_t *pa)
{
    uint64_t page;
    uint64_t next_free = 0;
    if (pool->free_count) {
        page = pool->free_head;
        pw_status st = pw_image_read64(pool->img, page, &next_free);
        if (st != PW_OK)
            return st;
    } else if (pool->next < pool->size) {
        page = pool->base + pool->next;
    } else {
        return PW_ERR_RANGE; /* exhausted */
    }
    /* A new table starts with every entry not present. */
    pw_status st = zero_page(pool->img, page);
    if (st != PW_OK)
        return st;
    if (pool->free_count) {
        pool->free_head = next_free;
        pool->free_count--;
    } else {
        pool->next += PW_PAGE_SIZE;
    }
    pool->tables[level]++;
    *pa = page;
    return PW_OK;
}

void pw_os_pool_free(pw_os_pool *pool, unsigned level, uint64_t pa)
{
    /* The page was in use, so its storage exists: this write cannot fail. */
    pw_image_write64(pool->img, pa, pool->free_count ? pool->free_head : 0);
    pool->free_head = pa;
    pool->free_count++;
    pool->tables[level]--;
}
