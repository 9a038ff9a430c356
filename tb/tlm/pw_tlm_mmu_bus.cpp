// pw_tlm_mmu, initiator side: the pw_mem accessor the model runs on, performed as
// TLM transactions on mem_socket (payloads: pw_tlm_payload.h).
//
// The model asks for each page-table access twice: schedule (when is it accepted,
// when does it respond) and then read or cas (its data). A TLM transport answers
// both at once, so schedule performs the transport, turns its annotated latency
// into the response cycle and keeps the data; read/cas hand the data over.
#include <algorithm>

#include "pw_tlm_mmu.h"

using sc_core::sc_time;
using sc_core::sc_time_stamp;

pw_mem_status pw_tlm_mmu::bus_access(const pw_mem_access &acc, sc_time &local, uint64_t *data)
{
    unsigned char buf[sizeof(uint64_t)] = {};
    const bool cas = acc.kind == PW_MEM_CAS;
    tlm::tlm_generic_payload &gp = bus_gp_;
    gp.set_command(cas ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(acc.pa);
    gp.set_data_ptr(buf);
    gp.set_data_length(acc.size);
    gp.set_streaming_width(acc.size);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_byte_enable_length(0);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (cas) {
        pw_tlm_store_le(buf, acc.size, acc.desired);
        cas_ext_ = pw_tlm_cas_ext();
        cas_ext_.cmp = acc.expect;
        gp.set_extension(&cas_ext_);
    }
    mem_socket->b_transport(gp, local);
    if (cas)
        gp.clear_extension(&cas_ext_);   // ours, not the payload's to free
    *data = 0;
    // Any error response (address, command, burst, ...) is the model's bus error
    // (docs/timing.md section 6); so is a target that never set a response.
    if (!gp.is_response_ok())
        return PW_MEM_BUS_ERROR;
    if (!cas) {
        *data = pw_tlm_load_le(buf, acc.size);
        return PW_MEM_OK;
    }
    if (!cas_ext_.done) {
        // A plain write happened, or nothing: either way not the atomic update the
        // walk relies on. End the walk and fail the translation rather than guess.
        if (cas_unhonoured_++ == 0)
            SC_REPORT_WARNING(msg_cas_ignored,
                              "the memory target ignored pw_tlm_cas_ext (A/D update): "
                              "translation answered with an error response");
        walk_contract_broken_ = true;
        return PW_MEM_BUS_ERROR;
    }
    *data = cas_ext_.old;
    return PW_MEM_OK;
}

void pw_tlm_mmu::sync_walk(uint64_t respond_cycle)
{
    if (!sync_in_walk_)
        return;
    const sc_core::sc_process_handle h = sc_core::sc_get_current_process_handle();
    if (!h.valid() || h.proc_kind() == sc_core::SC_METHOD_PROC_)
        return;   // only a thread can wait
    qk_.set(local_of(respond_cycle));
    if (qk_.need_sync())
        qk_.sync();
}

void pw_tlm_mmu::mem_schedule(void *ctx, uint64_t issue, const pw_mem_access *acc,
                              uint64_t *accept, uint64_t *respond)
{
    auto *self = static_cast<pw_tlm_mmu *>(ctx);
    const sc_time t_issue = self->time_of(issue);
    sc_time local = self->local_of(issue);
    performed p;
    p.acc = *acc;
    p.status = self->bus_access(*acc, local, &p.data);
    const sc_time t_resp = sc_time_stamp() + local;
    // The memory's delay d >= 1: its latency rounded up to whole cycles.
    const uint64_t d = t_resp > t_issue ? self->cycle_at(t_resp - t_issue) : 0;
    *accept = issue;
    *respond = issue + std::max<uint64_t>(d, 1);
    p.valid = true;
    self->performed_ = p;
    self->sync_walk(*respond);
}

// Whether read/cas is about the access schedule performed.
static bool is_performed(const pw_mem_access &done, pw_mem_kind kind, uint64_t pa, unsigned size)
{
    return done.kind == kind && done.pa == pa && done.size == size;
}

pw_mem_status pw_tlm_mmu::mem_read(void *ctx, uint64_t pa, unsigned size, uint64_t cycle,
                                   uint64_t *val)
{
    (void)cycle;   // the transport happened in schedule, at that cycle
    auto *self = static_cast<pw_tlm_mmu *>(ctx);
    performed &p = self->performed_;
    if (p.valid && is_performed(p.acc, PW_MEM_READ, pa, size)) {
        p.valid = false;
        *val = p.data;
        return p.status;
    }
    // Not an access the model scheduled: a PAE PDPTE load by MOV CR0/CR3/CR4 (regs.c).
    // Its timing belongs to the core (docs/timing.md decision 3): it goes out at the
    // operation's time and its latency is not charged.
    const pw_mem_access acc = {PW_MEM_READ, pa, size, 0, 0, PW_LVL_PDPT};
    sc_time local = self->ctl_time_;
    return self->bus_access(acc, local, val);
}

pw_mem_status pw_tlm_mmu::mem_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                                  uint64_t desired, uint64_t cycle, uint64_t *old)
{
    (void)cycle;
    auto *self = static_cast<pw_tlm_mmu *>(ctx);
    performed &p = self->performed_;
    if (p.valid && is_performed(p.acc, PW_MEM_CAS, pa, size) && p.acc.expect == expect &&
        p.acc.desired == desired) {
        p.valid = false;
        *old = p.data;
        return p.status;
    }
    // The model only swaps inside a walk, after schedule; kept for completeness.
    const pw_mem_access acc = {PW_MEM_CAS, pa, size, expect, desired, 0};
    sc_time local = self->ctl_time_;
    return self->bus_access(acc, local, old);
}

// ---- Debug transport: no time, no side effects ----

pw_mem_status pw_tlm_mmu::dbg_read(void *ctx, uint64_t pa, unsigned size, uint64_t cycle,
                                   uint64_t *val)
{
    (void)cycle;
    auto *self = static_cast<pw_tlm_mmu *>(ctx);
    self->dbg_accesses_++;
    unsigned char buf[sizeof(uint64_t)] = {};
    tlm::tlm_generic_payload gp;   // not bus_gp_: a walk may be suspended in it
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(pa);
    gp.set_data_ptr(buf);
    gp.set_data_length(size);
    gp.set_streaming_width(size);
    *val = 0;
    if (self->mem_socket->transport_dbg(gp) != size)
        return PW_MEM_BUS_ERROR;
    *val = pw_tlm_load_le(buf, size);
    return PW_MEM_OK;
}

// The A/D update a real translation would make is not written; the walk goes on
// as if it had succeeded, so the answer is the one the translation would give.
pw_mem_status pw_tlm_mmu::dbg_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                                  uint64_t desired, uint64_t cycle, uint64_t *old)
{
    (void)pa, (void)size, (void)desired, (void)cycle;
    static_cast<pw_tlm_mmu *>(ctx)->dbg_accesses_++;
    *old = expect;
    return PW_MEM_OK;
}
