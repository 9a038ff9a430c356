/* Named bits of paging entries, the #PF error code and the control registers.
 * Mirrors the localparams of rtl/pw_pkg.sv. Sources: x86-paging.md §3, §4, §10. */
#ifndef PAGEWALK_BITS_H
#define PAGEWALK_BITS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PW_BIT(n) (UINT64_C(1) << (n))
/* Bits hi..lo inclusive. */
#define PW_BITS(hi, lo) ((((hi) >= 63) ? ~UINT64_C(0) : (PW_BIT((hi) + 1) - 1)) & ~(PW_BIT(lo) - 1))

/* Paging-structure entries (§4). */
#define PTE_P          PW_BIT(0)
#define PTE_RW         PW_BIT(1)
#define PTE_US         PW_BIT(2)
#define PTE_PWT        PW_BIT(3)
#define PTE_PCD        PW_BIT(4)
#define PTE_A          PW_BIT(5)
#define PTE_D          PW_BIT(6)
#define PTE_PS         PW_BIT(7)
#define PTE_PAT        PW_BIT(7)  /* in a 4 KiB PTE bit 7 is PAT (R7.4) */
#define PTE_G          PW_BIT(8)
#define PTE_PAT_LARGE  PW_BIT(12) /* PAT of a 2M/4M/1G leaf (R5.5) */
#define PTE_PK_SHIFT   59
#define PTE_PK         PW_BITS(62, 59)
#define PTE_XD         PW_BIT(63)
/* PSE-36: PA[39:32] of a 32-bit 4 MiB page sits in PDE[20:13] (R2.2). */
#define PDE32_PSE36_SHIFT 13
#define PDE32_PSE36_BITS  8

/* #PF error code (§10). */
#define PF_P    (1u << 0)
#define PF_W    (1u << 1)
#define PF_U    (1u << 2)
#define PF_RSVD (1u << 3)
#define PF_ID   (1u << 4)
#define PF_PK   (1u << 5)
#define PF_SS   (1u << 6)

/* CR0 */
#define CR0_PE  PW_BIT(0)
#define CR0_WP  PW_BIT(16)
#define CR0_NW  PW_BIT(29)
#define CR0_CD  PW_BIT(30)
#define CR0_PG  PW_BIT(31)

/* CR3 (§3) */
#define CR3_PWT        PW_BIT(3)
#define CR3_PCD        PW_BIT(4)
#define CR3_PCID       PW_BITS(11, 0)
#define CR3_NOFLUSH    PW_BIT(63) /* MOV-to-CR3 source only (R3.4) */
#define CR3_PAE_BASE   PW_BITS(31, 5)
#define CR3_32_BASE    PW_BITS(31, 12)

/* CR4 */
#define CR4_PSE   PW_BIT(4)
#define CR4_PAE   PW_BIT(5)
#define CR4_PGE   PW_BIT(7)
#define CR4_LA57  PW_BIT(12)
#define CR4_PCIDE PW_BIT(17)
#define CR4_SMEP  PW_BIT(20)
#define CR4_SMAP  PW_BIT(21)
#define CR4_PKE   PW_BIT(22)
#define CR4_CET   PW_BIT(23)
#define CR4_PKS   PW_BIT(24)

/* IA32_EFER */
#define EFER_SCE  PW_BIT(0)
#define EFER_LME  PW_BIT(8)
#define EFER_LMA  PW_BIT(10)
#define EFER_NXE  PW_BIT(11)

/* Geometry. */
#define PW_PAGE_SHIFT 12
#define PW_PAGE_SIZE  PW_BIT(PW_PAGE_SHIFT)
#define PW_LEVEL_BITS 9  /* index bits per level with 8-byte entries */
#define PW_LEVEL_BITS_32 10
#define PW_MAX_LEVEL 5
#define PW_PCID_BITS 12

#ifdef __cplusplus
}
#endif

#endif
