/* Private to image_elf.c and image_elf_save.c: the parts of the ELF64 format
 * (System V gABI) a QEMU `dump-guest-memory` core uses, as byte offsets into
 * little-endian headers. Fields are read and written byte by byte, so that
 * neither the host's byte order nor struct padding matters. */
#ifndef PW_IMAGE_ELF_FORMAT_H
#define PW_IMAGE_ELF_FORMAT_H

#include <stdint.h>

/* e_ident */
#define ELF_MAGIC        "\177ELF"
#define ELF_MAGIC_LEN    4u
#define ELF_EI_CLASS     4u
#define ELF_EI_DATA      5u
#define ELF_EI_VERSION   6u
#define ELF_CLASS32      1u
#define ELF_CLASS64      2u
#define ELF_DATA_LSB     1u   /* little-endian */
#define ELF_DATA_MSB     2u
#define ELF_EV_CURRENT   1u

/* Elf64_Ehdr: offset of each field, and its size */
#define EHDR_TYPE        16u  /* e_type, 2 */
#define EHDR_MACHINE     18u  /* e_machine, 2 */
#define EHDR_VERSION     20u  /* e_version, 4 */
#define EHDR_ENTRY       24u  /* e_entry, 8 */
#define EHDR_PHOFF       32u  /* e_phoff, 8 */
#define EHDR_SHOFF       40u  /* e_shoff, 8 */
#define EHDR_FLAGS       48u  /* e_flags, 4 */
#define EHDR_EHSIZE      52u  /* e_ehsize, 2 */
#define EHDR_PHENTSIZE   54u  /* e_phentsize, 2 */
#define EHDR_PHNUM       56u  /* e_phnum, 2 */
#define EHDR_SHENTSIZE   58u  /* e_shentsize, 2 */
#define EHDR_SHNUM       60u  /* e_shnum, 2 */
#define EHDR_SHSTRNDX    62u  /* e_shstrndx, 2 */
#define EHDR_SIZE        64u

#define ELF_ET_CORE      4u
#define ELF_EM_X86_64    62u
/* e_phnum == PN_XNUM: the real count is sh_info of section header 0 (QEMU
 * writes it so when a dump has 0xffff program headers or more). */
#define ELF_PN_XNUM      0xffffu

/* Elf64_Phdr */
#define PHDR_TYPE        0u   /* p_type, 4 */
#define PHDR_FLAGS       4u   /* p_flags, 4 */
#define PHDR_OFFSET      8u   /* p_offset, 8 */
#define PHDR_VADDR       16u  /* p_vaddr, 8 */
#define PHDR_PADDR       24u  /* p_paddr, 8 */
#define PHDR_FILESZ      32u  /* p_filesz, 8 */
#define PHDR_MEMSZ       40u  /* p_memsz, 8 */
#define PHDR_ALIGN       48u  /* p_align, 8 */
#define PHDR_SIZE        56u

#define ELF_PT_LOAD      1u
#define ELF_PF_X         1u
#define ELF_PF_W         2u
#define ELF_PF_R         4u

/* Elf64_Shdr (only section 0, for PN_XNUM) */
#define SHDR_INFO        44u  /* sh_info, 4 */
#define SHDR_SIZE        64u

/* More PT_LOADs than this is refused (PW_ERR_FORMAT on reading, PW_ERR_RANGE
 * on saving): it bounds what opening a crafted file can allocate. */
#define ELF_MAX_LOADS    (UINT32_C(1) << 20)
/* More program headers than this is refused too: it bounds the time opening a
 * crafted (sparse) file takes. */
#define ELF_MAX_PHDRS    (UINT32_C(1) << 21)

static inline uint64_t elf_get(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static inline void elf_put(uint8_t *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

#endif
