/* Physical memory backends: sparse in-memory, raw dump file, QEMU
 * `dump-guest-memory` ELF core. An access outside memory is PW_ERR_RANGE here
 * and PW_MEM_BUS_ERROR through pw_mem. */
#ifndef PAGEWALK_IMAGE_H
#define PAGEWALK_IMAGE_H

#include "pagewalk/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pw_image pw_image;

/* Zero-filled memory of `size` bytes (a multiple of 4 KiB, at most 2^52);
 * storage is allocated per 4 KiB page on first write. */
pw_status pw_image_sparse_new(uint64_t size, pw_image **out);
/* A raw physical dump (QEMU pmemsave): byte i of the file is PA i. Mapped, not
 * loaded; writes (A/D updates) go to a private copy, never to the file. */
pw_status pw_image_raw_open(const char *path, pw_image **out);
/* A QEMU `dump-guest-memory` core: ELF64, little-endian, ET_CORE. Memory is
 * the union of the PT_LOAD segments: [p_paddr, p_paddr + p_memsz) holds the
 * p_filesz file bytes at p_offset, then zeros up to p_memsz. A physical
 * address in no segment is out of range. Other program headers (PT_NOTE) are
 * ignored; e_machine is not checked; e_phnum = PN_XNUM (count in section
 * header 0) is understood. Mapped like a raw dump: never loaded, never
 * written. A file that is not such a core is PW_ERR_FORMAT: truncated, bad
 * magic, ELFCLASS32, big-endian, not ET_CORE, program headers or segment
 * bytes outside the file, p_filesz > p_memsz, segments that overlap (in
 * physical memory or in the file), a segment beyond 2^52, no PT_LOAD (empty
 * ones do not count), more than 2^20 of them, more than 2^21 program headers.
 * A path that cannot be opened or is not a regular file is PW_ERR_IO. */
pw_status pw_image_elf_open(const char *path, pw_image **out);
/* pw_image_elf_open if the file starts with the ELF magic ("\x7fELF"),
 * pw_image_raw_open otherwise. */
pw_status pw_image_open(const char *path, pw_image **out);
/* pw_image_open; on PW_ERR_FORMAT, *msg (if msg is non-NULL) names what is
 * wrong with the file ("ELF program headers lie outside the file
 * (truncated?)"), a static string; NULL otherwise. */
pw_status pw_image_open_msg(const char *path, pw_image **out, const char **msg);
void pw_image_free(pw_image *img);

/* "sparse", "raw" or "elf". */
const char *pw_image_format(const pw_image *img);
/* One past the highest physical address in memory. For an ELF core, the
 * holes between segments below it are out of range too: see pw_image_ranges. */
uint64_t pw_image_size(const pw_image *img);

/* The physical ranges that are memory, by increasing address, touching ones
 * merged: [0, size) for a sparse or raw image (none if the size is 0), the
 * PT_LOAD segments of an ELF core. Stores the first `max` of them in out
 * (which may be NULL if max is 0) and returns how many there are. */
typedef struct {
    uint64_t pa, len;
} pw_image_range;
size_t pw_image_ranges(const pw_image *img, pw_image_range *out, size_t max);

pw_status pw_image_read(pw_image *img, uint64_t pa, void *buf, size_t len);
pw_status pw_image_write(pw_image *img, uint64_t pa, const void *buf, size_t len);
/* Little-endian 4/8-byte accessors. */
pw_status pw_image_read32(pw_image *img, uint64_t pa, uint32_t *val);
pw_status pw_image_read64(pw_image *img, uint64_t pa, uint64_t *val);
pw_status pw_image_write32(pw_image *img, uint64_t pa, uint32_t val);
pw_status pw_image_write64(pw_image *img, uint64_t pa, uint64_t val);
/* Write every byte of memory to `path` as a raw dump. Refuses to overwrite an
 * existing file (PW_ERR_EXISTS). */
pw_status pw_image_save_raw(pw_image *img, const char *path);
/* Write memory to `path` as an ELF core that pw_image_elf_open reads back
 * with the same contents: ELF64 little-endian ET_CORE, e_machine EM_X86_64,
 * no PT_NOTE, one PT_LOAD (p_flags RWX, p_vaddr 0, p_align 4096, p_filesz =
 * p_memsz) per range:
 *   sparse  each maximal run of written 4 KiB pages (never-written pages are
 *           left out, so they are out of range in the core); an image with
 *           no written page gives one segment [0, size) of zeros, p_filesz 0
 *   raw     one segment [0, size)
 *   elf     the segments of the core, as they are
 * Program headers follow the ELF header; each segment's bytes start at the
 * next multiple of 4 KiB in the file (all-zero stretches are holes). More than
 * 0xfffe segments use PN_XNUM with one section header after the program
 * headers. Refuses to overwrite an existing file (PW_ERR_EXISTS); an image of
 * size 0, or one needing more than 2^20 segments, is PW_ERR_RANGE. */
pw_status pw_image_save_elf(pw_image *img, const char *path);

/* A pw_mem over the image: untimed (schedule = NULL). */
void pw_image_mem(pw_image *img, pw_mem *mem);

#ifdef __cplusplus
}
#endif

#endif
