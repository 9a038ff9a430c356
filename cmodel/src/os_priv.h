/* Private to the page-table builder (os.c, os_pool.c): the pool of 4 KiB
 * pages that page tables are allocated from. */
#ifndef PW_OS_PRIV_H
#define PW_OS_PRIV_H

#include "pagewalk/bits.h"
#include "pagewalk/image.h"

/* Pages are handed out from a bump pointer; freed pages go on a free list
 * that is threaded through the free pages themselves (the way an OS keeps its
 * free page list): each holds the PA of the next one in its first 8 bytes.
 * A page-aligned PA has bit 0 (P) clear, so a stale walk through a freed table
 * finds not-present entries. */
typedef struct {
    pw_image *img;
    uint64_t base, size;
    uint64_t next;                        /* offset of the first never-used page */
    uint64_t free_head;                   /* PA of the first free page (if free_count) */
    uint64_t free_count;
    uint64_t tables[PW_MAX_LEVEL + 1];    /* pages in use, by level of the table */
} pw_os_pool;

void pw_os_pool_init(pw_os_pool *pool, pw_image *img, uint64_t base, uint64_t size);
/* A zeroed page for a table at `level`; PW_ERR_RANGE when the pool is exhausted. */
pw_status pw_os_pool_alloc(pw_os_pool *pool, unsigned level, uint64_t *pa);
void pw_os_pool_free(pw_os_pool *pool, unsigned level, uint64_t pa);

#endif
