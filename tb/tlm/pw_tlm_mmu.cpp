// pw_tlm_mmu, target side: translations and control operations in, the model's
// answers and their timing out. The memory side is pw_tlm_mmu_bus.cpp.
#include <algorithm>

#include "pw_tlm_mmu.h"

using sc_core::sc_time;
using sc_core::sc_time_stamp;

pw_tlm_mmu::pw_tlm_mmu(sc_core::sc_module_name name, const pw_config &cfg, const sc_time &period)
    : sc_module(name), socket("socket"), ctl_socket("ctl_socket"), mem_socket("mem_socket"),
      period_(period)
{
    socket.register_b_transport(this, &pw_tlm_mmu::b_transport);
    socket.register_transport_dbg(this, &pw_tlm_mmu::transport_dbg);
    ctl_socket.register_b_transport(this, &pw_tlm_mmu::ctl_b_transport);
    if (period_ == sc_core::SC_ZERO_TIME)
        SC_REPORT_ERROR(msg_config, "the clock period must be above zero");
    const pw_mem mem = {this, mem_read, mem_cas, mem_schedule};
    const char *why = nullptr;
    if (pw_config_check(&cfg, &why) != PW_OK || pw_mmu_init(&mmu_, &cfg, &mem) != PW_OK)
        SC_REPORT_ERROR(msg_config, why ? why : "pw_mmu_init failed");
    rsp_ = pw_mmu_response();
}

// ---- Time on the MMU's clock ----

uint64_t pw_tlm_mmu::cycle_at(const sc_time &t) const
{
    const uint64_t p = period_.value();
    return (t.value() + p - 1) / p;
}

sc_time pw_tlm_mmu::time_of(uint64_t cycle) const
{
    return sc_time::from_value(cycle * period_.value());
}

sc_time pw_tlm_mmu::local_of(uint64_t cycle) const
{
    const sc_time t = time_of(cycle), now = sc_time_stamp();
    return t > now ? t - now : sc_core::SC_ZERO_TIME;
}

// ---- One caller at a time inside the model ----

// The model runs a whole walk in one call; the calls back into the bus may wait
// (quantum sync, a memory that waits). Another process arriving meanwhile queues
// behind it, so the model sees one request or operation at a time, in arrival order.
bool pw_tlm_mmu::lock()
{
    if (busy_) {
        const sc_core::sc_process_handle h = sc_core::sc_get_current_process_handle();
        if (!h.valid() || h.proc_kind() == sc_core::SC_METHOD_PROC_)
            return false;   // a method cannot wait for the walk in progress
        queued_++;
        while (busy_)
            wait(idle_);
    }
    busy_ = true;
    return true;
}

void pw_tlm_mmu::unlock()
{
    busy_ = false;
    idle_.notify();
}

// ---- Translations ----

tlm::tlm_response_status pw_tlm_mmu::translate(pw_tlm_translation &t, sc_time &delay)
{
    // The caller's local time, before any wait for another caller's walk.
    const sc_time t_in = sc_time_stamp() + delay;
    if (!lock())
        return tlm::TLM_GENERIC_ERROR_RESPONSE;
    walk_contract_broken_ = false;
    performed_.valid = false;
    qk_.reset();
    const pw_status s = pw_mmu_translate(&mmu_, &t.req, cycle_at(t_in), &rsp_);
    performed_.valid = false;
    unlock();
    if (s == PW_ERR_ARG)
        return tlm::TLM_GENERIC_ERROR_RESPONSE;   // a bad request: nothing was done
    t.result = rsp_.result;
    t.hit = rsp_.hit;
    t.psc_level = rsp_.psc_level;
    t.n_access = rsp_.n_access;
    t.accept_cycle = rsp_.accept_cycle;
    t.rsp_cycle = rsp_.rsp_cycle;
    delay = local_of(rsp_.rsp_cycle);
    // PW_ERR_LIVELOCK (outcome ABORTED) is the model's guard, not an x86 outcome.
    return s != PW_OK || walk_contract_broken_ ? tlm::TLM_GENERIC_ERROR_RESPONSE
                                               : tlm::TLM_OK_RESPONSE;
}

void pw_tlm_mmu::b_transport(tlm::tlm_generic_payload &gp, sc_time &delay)
{
    auto *t = pw_tlm_payload_struct<pw_tlm_translation>(gp, tlm::TLM_READ_COMMAND);
    if (!t) {
        gp.set_response_status(gp.get_command() != tlm::TLM_READ_COMMAND
                                   ? tlm::TLM_COMMAND_ERROR_RESPONSE
                                   : tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    gp.set_response_status(translate(*t, delay));
}

bool pw_tlm_mmu::translate_dbg(pw_tlm_translation &t)
{
    const pw_mem mem = {this, dbg_read, dbg_cas, nullptr};
    dbg_accesses_ = 0;
    const pw_status s = pw_walk(&mmu_.cfg, &mmu_.regs, &mem, &t.req, &t.result);
    t.hit = false;
    t.psc_level = 0;
    t.n_access = dbg_accesses_;
    t.accept_cycle = t.rsp_cycle = 0;
    return s == PW_OK;
}

unsigned int pw_tlm_mmu::transport_dbg(tlm::tlm_generic_payload &gp)
{
    auto *t = pw_tlm_payload_struct<pw_tlm_translation>(gp, tlm::TLM_READ_COMMAND);
    return t && translate_dbg(*t) ? static_cast<unsigned int>(sizeof *t) : 0;
}

// ---- Control operations ----

pw_status pw_tlm_mmu::ctl(pw_tlm_ctl &c, sc_time &delay)
{
    const sc_time t_in = sc_time_stamp() + delay;
    if (!lock()) {
        c.status = PW_ERR_ARG;
        return c.status;
    }
    // The model has committed everything up to the accept cycle of the latest
    // request, so an operation cannot come before it. It may come during that
    // request's walk (another initiator's, whose walk the model already ran): the
    // model then drops the walk's fill, as the RTL does (docs/timing.md section 8).
    const uint64_t cycle = std::max(cycle_at(t_in), mmu_.next_cycle);
    ctl_time_ = local_of(cycle);
    c.status = pw_mmu_ctl(&mmu_, cycle, &c.op);
    c.cycle = cycle;
    unlock();
    // One cycle: the operation takes effect at the edge ending `cycle`.
    delay = local_of(cycle + 1);
    return c.status;
}

void pw_tlm_mmu::ctl_b_transport(tlm::tlm_generic_payload &gp, sc_time &delay)
{
    auto *c = pw_tlm_payload_struct<pw_tlm_ctl>(gp, tlm::TLM_WRITE_COMMAND);
    if (!c) {
        gp.set_response_status(gp.get_command() != tlm::TLM_WRITE_COMMAND
                                   ? tlm::TLM_COMMAND_ERROR_RESPONSE
                                   : tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    // OK iff performed; c->status says why not (PW_ERR_GP).
    gp.set_response_status(ctl(*c, delay) == PW_OK ? tlm::TLM_OK_RESPONSE
                                                   : tlm::TLM_GENERIC_ERROR_RESPONSE);
}

pw_status pw_tlm_mmu::set_regs(const pw_regs &regs)
{
    if (busy_)
        return PW_ERR_ARG;   // not in the middle of another process's walk
    return pw_mmu_set_regs(&mmu_, &regs);
}
