/* The parts of ELF64 (System V gABI) a QEMU `dump-guest-memory` core uses,
 * for fuzz_image.c (which re-reads cores independently of the library) and
 * mkseeds.c (which writes hand-made ones). Each field is an offset and a
 * length; ELF_GET / ELF_PUT read and write it little-endian, byte by byte. */
#ifndef PW_FUZZ_ELF64_H
#define PW_FUZZ_ELF64_H

#include <stdint.h>

#define ELF_MAGIC      "\177ELF"
#define ELF_MAGIC_LEN  4u
#define EI_CLASS       4u
#define EI_DATA        5u
#define EI_VERSION     6u
#define ELFCLASS64     2u
#define ELFDATA2LSB    1u
#define EV_CURRENT     1u
#define ET_CORE        4u
#define EM_X86_64      62u
#define PT_LOAD        1u
#define PT_NOTE        4u
#define PN_XNUM        0xffffu   /* e_phnum: the count is sh_info of section header 0 */

/* Elf64_Ehdr */
#define EHDR_SIZE       64u
#define E_TYPE_OFF      16u
#define E_TYPE_LEN      2u
#define E_MACHINE_OFF   18u
#define E_MACHINE_LEN   2u
#define E_VERSION_OFF   20u
#define E_VERSION_LEN   4u
#define E_PHOFF_OFF     32u
#define E_PHOFF_LEN     8u
#define E_SHOFF_OFF     40u
#define E_SHOFF_LEN     8u
#define E_EHSIZE_OFF    52u
#define E_EHSIZE_LEN    2u
#define E_PHENTSIZE_OFF 54u
#define E_PHENTSIZE_LEN 2u
#define E_PHNUM_OFF     56u
#define E_PHNUM_LEN     2u
#define E_SHENTSIZE_OFF 58u
#define E_SHENTSIZE_LEN 2u
#define E_SHNUM_OFF     60u
#define E_SHNUM_LEN     2u

/* Elf64_Phdr */
#define PHDR_SIZE       56u
#define P_TYPE_OFF      0u
#define P_TYPE_LEN      4u
#define P_OFFSET_OFF    8u
#define P_OFFSET_LEN    8u
#define P_PADDR_OFF     24u
#define P_PADDR_LEN     8u
#define P_FILESZ_OFF    32u
#define P_FILESZ_LEN    8u
#define P_MEMSZ_OFF     40u
#define P_MEMSZ_LEN     8u

/* Elf64_Shdr (only section 0, for PN_XNUM) */
#define SHDR_SIZE       64u
#define SH_INFO_OFF     44u
#define SH_INFO_LEN     4u

#define ELF_BYTE_BITS 8u

static inline uint64_t elf64_get(const uint8_t *p, unsigned len)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < len; i++)
        v |= (uint64_t)p[i] << (ELF_BYTE_BITS * i);
    return v;
}

static inline void elf64_put(uint8_t *p, unsigned len, uint64_t v)
{
    for (unsigned i = 0; i < len; i++)
        p[i] = (uint8_t)(v >> (ELF_BYTE_BITS * i));
}

/* ELF_GET(hdr, E_PHOFF): the field E_PHOFF of the header at hdr. */
#define ELF_GET(hdr, field) elf64_get((hdr) + field##_OFF, field##_LEN)
#define ELF_PUT(hdr, field, v) elf64_put((hdr) + field##_OFF, field##_LEN, (v))

#endif
