/* Physical memory backends: sparse in-memory, raw dump file. An access
 * outside memory is PW_ERR_RANGE here and PW_MEM_BUS_ERROR through pw_mem. */
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
void pw_image_free(pw_image *img);

uint64_t pw_image_size(const pw_image *img);
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

/* A pw_mem over the image: untimed (schedule = NULL). */
void pw_image_mem(pw_image *img, pw_mem *mem);

#ifdef __cplusplus
}
#endif

#endif
