/* A page-table builder for every mode, the way an OS keeps its tables: map,
 * unmap and protect at every page size, with accounting of the page-table
 * pages it allocated. Tables come from a physical pool the caller gives. */
#ifndef PAGEWALK_OS_H
#define PAGEWALK_OS_H

#include "pagewalk/image.h"
#include "pagewalk/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pw_os pw_os;

/* Leaf flags for pw_os_map / pw_os_protect: any of PTE_RW, PTE_US, PTE_PWT,
 * PTE_PCD, PTE_A, PTE_D, PTE_G, PTE_XD and a key in PTE_PK. PAT is given as
 * PW_OS_PAT and placed where the page size wants it (bit 7 or bit 12). P is
 * implied. Bits not valid for the mode (XD and PK in 32-bit paging, PK in PAE)
 * give PW_ERR_ARG. */
#define PW_OS_PAT (UINT64_C(1) << 12)

/* Flags of the non-leaf entries the builder creates (P implied). Default:
 * PTE_RW | PTE_US | PTE_A. PAE PDPTEs take only PTE_PWT/PTE_PCD (R5.6). */
typedef struct {
    uint64_t table_flags;
} pw_os_opts;

/* `pool_base`/`pool_size`: 4 KiB-aligned physical range for tables, inside the image. */
pw_status pw_os_new(pw_image *img, const pw_config *cfg, pw_mode mode, uint64_t pool_base,
                    uint64_t pool_size, const pw_os_opts *opts, pw_os **out);
void pw_os_free(pw_os *os);
pw_mode pw_os_mode(const pw_os *os);
/* CR3 for this address space (root table; PAE: the 32-byte PDPT), PCID 0. */
uint64_t pw_os_cr3(const pw_os *os);
void pw_os_set_table_flags(pw_os *os, uint64_t table_flags);

/* Map [la, la+size) to [pa, pa+size). Both aligned to the page size; the size
 * legal for the mode (4M only in 32-bit, 2M in PAE/4/5-level, 1G in 4/5-level).
 * PW_ERR_EXISTS if any part is mapped already; PW_ERR_RANGE if pa needs more
 * bits than the mode or MAXPHYADDR allows, or the pool is exhausted. */
pw_status pw_os_map(pw_os *os, uint64_t la, uint64_t pa, pw_page_size size, uint64_t flags);
/* Clear the leaf that maps la at that size (P=0). Tables left empty are freed
 * back to the pool and their parent entry cleared. PW_ERR_RANGE if not mapped so. */
pw_status pw_os_unmap(pw_os *os, uint64_t la, pw_page_size size);
/* Replace the flags of the leaf that maps la at that size. */
pw_status pw_os_protect(pw_os *os, uint64_t la, pw_page_size size, uint64_t flags);
/* Physical address of the entry at `level` on la's path (PW_ERR_RANGE if the path
 * stops above it). Lets tests write raw entries: reserved bits, OS bits, ... */
pw_status pw_os_entry_pa(const pw_os *os, uint64_t la, unsigned level, uint64_t *pa);

typedef struct {
    uint64_t tables[PW_LVL_PML5 + 1]; /* page-table pages in use, by level of the table */
    uint64_t total_tables;
    uint64_t table_bytes;
    uint64_t leaves[4];              /* mapped pages by pw_page_size */
} pw_os_stats;
void pw_os_stats_get(const pw_os *os, pw_os_stats *st);

#ifdef __cplusplus
}
#endif

#endif
