// The payload convention of pw_tlm_mmu (docs/tlm.md): what travels on each of its
// three sockets. Every initiator and target that talks to the MMU includes this one
// header, so the convention is written down exactly once.
//
//   socket      command            address   data pointer -> (length)
//   socket      TLM_READ_COMMAND   la        pw_tlm_translation (sizeof): request in, result out
//   ctl_socket  TLM_WRITE_COMMAND  0         pw_tlm_ctl (sizeof): operation in, status out
//   mem_socket  TLM_READ_COMMAND   entry pa  the entry's 4 or 8 bytes, little-endian (x86 memory)
//   mem_socket  TLM_WRITE_COMMAND  entry pa  the value to write (4 or 8 bytes), with a
//                                            pw_tlm_cas_ext: a compare-and-swap, not a write
//
// Why the translation rides in the data array and not in an extension: the request
// and the answer are the whole transaction, a router can still route on the address
// (the LA), and an MMU that receives a malformed payload can say so by length. There
// is no memory manager to get wrong: the initiator owns the struct.
#ifndef PW_TLM_PAYLOAD_H
#define PW_TLM_PAYLOAD_H

#include <cstdint>

#include <tlm>

#include "pagewalk/mmu.h"

// One translation. The initiator fills `req`; the MMU fills the rest.
struct pw_tlm_translation {
    pw_request req = {};    // in: la, kind, user, implicit, ac, shadow_stack
    pw_result result = {};  // out: outcome OK / PF / GP / BUS_ERROR and its fields (types.h)
    bool hit = false;       // out: answered by the TLB, no page-table access
    unsigned psc_level = 0; // out: level of the PSC hit the walk started below (0: none)
    unsigned n_access = 0;  // out: page-table accesses made, A/D CASes included
    uint64_t accept_cycle = 0; // out: MMU clock cycle the request port accepted it (a)
    uint64_t rsp_cycle = 0;    // out: cycle of the response (r); the delay added is up to r
};

// One control-port operation (docs/timing.md section 8).
struct pw_tlm_ctl {
    pw_ctl op = {};              // in: kind, value, la, type (mmu.h)
    pw_status status = PW_OK;    // out: PW_OK (performed), PW_ERR_GP (illegal: nothing changed)
    uint64_t cycle = 0;          // out: the MMU cycle the operation took effect in (c)
};

// A compare-and-swap of a page-table entry (A/D update, docs/timing.md section 4),
// carried by a TLM_WRITE_COMMAND whose data is the value to write. The target must,
// atomically: read the entry into `old`; write the data iff old == cmp; set `done`.
// A target that leaves `done` false has not understood the extension (it may have
// written the data unconditionally): the MMU then ends the walk with a bus error and
// answers the translation with TLM_GENERIC_ERROR_RESPONSE.
class pw_tlm_cas_ext : public tlm::tlm_extension<pw_tlm_cas_ext> {
public:
    uint64_t cmp = 0;   // in: the value the walker read
    uint64_t old = 0;   // out: the entry's value before the operation
    bool done = false;  // out: the target performed the compare-and-swap

    tlm::tlm_extension_base *clone() const override { return new pw_tlm_cas_ext(*this); }
    void copy_from(const tlm::tlm_extension_base &other) override
    {
        *this = static_cast<const pw_tlm_cas_ext &>(other);
    }
};

// Fill `gp` for a translation (address = la, the struct as data). The payload is
// reusable: call again before every transport.
inline void pw_tlm_set_translation(tlm::tlm_generic_payload &gp, pw_tlm_translation &t)
{
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(t.req.la);
    gp.set_data_ptr(reinterpret_cast<unsigned char *>(&t));
    gp.set_data_length(sizeof t);
    gp.set_streaming_width(sizeof t);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_byte_enable_length(0);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

// Fill `gp` for a control operation.
inline void pw_tlm_set_ctl(tlm::tlm_generic_payload &gp, pw_tlm_ctl &c)
{
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(0);
    gp.set_data_ptr(reinterpret_cast<unsigned char *>(&c));
    gp.set_data_length(sizeof c);
    gp.set_streaming_width(sizeof c);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_byte_enable_length(0);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

// The struct a well-formed payload carries, or nullptr (wrong command, length or no
// data). What the MMU's target sockets accept.
template <typename T>
inline T *pw_tlm_payload_struct(tlm::tlm_generic_payload &gp, tlm::tlm_command cmd)
{
    if (gp.get_command() != cmd || gp.get_data_length() != sizeof(T) || !gp.get_data_ptr() ||
        gp.get_byte_enable_ptr())
        return nullptr;
    return reinterpret_cast<T *>(gp.get_data_ptr());
}

// Page-table entries are little-endian bytes, whatever the host's byte order.
constexpr unsigned pw_tlm_byte_bits = 8;

inline uint64_t pw_tlm_load_le(const unsigned char *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = size; i-- > 0;)
        v = (v << pw_tlm_byte_bits) | p[i];
    return v;
}

inline void pw_tlm_store_le(unsigned char *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++, v >>= pw_tlm_byte_bits)
        p[i] = static_cast<unsigned char>(v);
}

#endif
