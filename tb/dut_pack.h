// The packed structs of rtl/pw_pkg.sv on pw_top's wide ports, as Verilator holds
// them: 32-bit words, least significant first (a VlWide with --cc, an sc_bv's
// words with --sc). request_t in, response_t out, ctl_pdpte_i in. Shared by the
// two implementations of dut.h: tb/dut.cpp (--cc) and tb/sc/dut_sc.cpp (SystemC).
#ifndef TB_DUT_PACK_H
#define TB_DUT_PACK_H

#include <cstdint>

#include "pagewalk/pagewalk.h"

namespace dut_pack {

// A field of a packed struct: {lsb, width}, width <= 64.
struct Field {
    unsigned lo, width;
};

// request_t: la, kind, user, implicit_sv, ac, shadow_stack (70 bits).
constexpr Field REQ_SHADOW_STACK{0, 1}, REQ_AC{1, 1}, REQ_IMPLICIT{2, 1}, REQ_USER{3, 1},
    REQ_KIND{4, 2}, REQ_LA{6, 64};
constexpr unsigned REQ_BITS = 70;
// response_t: outcome, pa, size, perm {rw, us, xd, nonleaf_rw, dirty, pk[3:0]}, global_pg,
// memtype, level, raw_entry, entry_pa, err_code (228 bits).
constexpr Field RSP_ERR_CODE{0, 16}, RSP_ENTRY_PA{16, 64}, RSP_RAW_ENTRY{80, 64}, RSP_LEVEL{144, 3},
    RSP_MEMTYPE{147, 3}, RSP_GLOBAL{150, 1}, RSP_PK{151, 4}, RSP_DIRTY{155, 1}, RSP_NONLEAF_RW{156, 1},
    RSP_XD{157, 1}, RSP_US{158, 1}, RSP_RW{159, 1}, RSP_SIZE{160, 2}, RSP_PA{162, 64},
    RSP_OUTCOME{226, 2};
constexpr unsigned RSP_BITS = 228;
// ctl_pdpte_i: logic [3:0][63:0], PDPTE i at bit 64*i.
constexpr unsigned PDPTE_BITS = 256;

constexpr unsigned words(unsigned bits) { return (bits + 31) / 32; }
constexpr unsigned REQ_WORDS = words(REQ_BITS), RSP_WORDS = words(RSP_BITS),
                   PDPTE_WORDS = words(PDPTE_BITS);

// Field f of the n words at w.
inline uint64_t get(const uint32_t *w, unsigned n, Field f)
{
    unsigned i = f.lo / 32, sh = f.lo % 32;
    unsigned __int128 x = w[i];
    if (i + 1 < n) x |= (unsigned __int128)w[i + 1] << 32;
    if (i + 2 < n) x |= (unsigned __int128)w[i + 2] << 64;
    uint64_t v = (uint64_t)(x >> sh);
    return f.width == 64 ? v : v & ((UINT64_C(1) << f.width) - 1);
}

// Set field f of the n words at w to v; the other bits are kept.
inline void put(uint32_t *w, unsigned n, Field f, uint64_t v)
{
    unsigned i = f.lo / 32, sh = f.lo % 32;
    unsigned __int128 m = (f.width == 64 ? ~UINT64_C(0) : (UINT64_C(1) << f.width) - 1);
    unsigned __int128 x = w[i];
    if (i + 1 < n) x |= (unsigned __int128)w[i + 1] << 32;
    if (i + 2 < n) x |= (unsigned __int128)w[i + 2] << 64;
    x = (x & ~(m << sh)) | (((unsigned __int128)v & m) << sh);
    w[i] = (uint32_t)x;
    if (i + 1 < n) w[i + 1] = (uint32_t)(x >> 32);
    if (i + 2 < n) w[i + 2] = (uint32_t)(x >> 64);
}

inline void pack_request(const pw_request *q, uint32_t w[REQ_WORDS])
{
    put(w, REQ_WORDS, REQ_LA, q->la);
    put(w, REQ_WORDS, REQ_KIND, (uint64_t)q->kind);
    put(w, REQ_WORDS, REQ_USER, q->user);
    put(w, REQ_WORDS, REQ_IMPLICIT, q->implicit);
    put(w, REQ_WORDS, REQ_AC, q->ac);
    put(w, REQ_WORDS, REQ_SHADOW_STACK, q->shadow_stack);
}

inline void unpack_response(const uint32_t w[RSP_WORDS], pw_result *r)
{
    auto g = [w](Field f) { return get(w, RSP_WORDS, f); };
    *r = pw_result{};
    r->outcome = (pw_outcome)g(RSP_OUTCOME);
    r->pa = g(RSP_PA);
    r->size = (pw_page_size)g(RSP_SIZE);
    r->perm.rw = g(RSP_RW);
    r->perm.us = g(RSP_US);
    r->perm.xd = g(RSP_XD);
    r->perm.nonleaf_rw = g(RSP_NONLEAF_RW);
    r->perm.dirty = g(RSP_DIRTY);
    r->perm.pk = (uint8_t)g(RSP_PK);
    r->global = g(RSP_GLOBAL);
    r->memtype = (uint8_t)g(RSP_MEMTYPE);
    r->level = (unsigned)g(RSP_LEVEL);
    r->raw_entry = g(RSP_RAW_ENTRY);
    r->entry_pa = g(RSP_ENTRY_PA);
    r->err_code = (uint32_t)g(RSP_ERR_CODE);
}

// pdpte NULL: zeros.
inline void pack_pdptes(const uint64_t pdpte[4], uint32_t w[PDPTE_WORDS])
{
    for (unsigned i = 0; i < 4; i++)
        put(w, PDPTE_WORDS, Field{64 * i, 64}, pdpte ? pdpte[i] : 0);
}

}  // namespace dut_pack

#endif
