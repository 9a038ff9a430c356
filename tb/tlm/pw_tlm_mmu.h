// pw_tlm_mmu: a TLM-2.0 loosely-timed model of the pagewalk MMU for virtual platforms.
// It wraps libpagewalk's cycle model (pw_mmu, mmu.h): every answer, every page-table
// access and every cycle is the model's, so the TLM view is bit and cycle exact with
// the RTL. Payloads: pw_tlm_payload.h. User guide: docs/tlm.md.
//
// Time: cycle n of the MMU's clock starts at n * period of simulated time. A request
// whose caller's local time (sc_time_stamp() + delay) is t is presented in cycle
// ceil(t / period); b_transport returns with the caller's local time at r * period,
// r the response cycle. On the cycle grid the delay added is (r - a) * period: one
// period for a TLB hit, what docs/timing.md says for a walk. A page-table access
// issued in cycle s goes out at local time s * period; a latency L annotated by the
// memory makes it respond in s + max(1, ceil(L / period)) (LT has no back-pressure
// distinct from latency, so every access is accepted when presented: w = 0).
#ifndef PW_TLM_MMU_H
#define PW_TLM_MMU_H

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "pagewalk/mmu.h"
#include "pw_tlm_payload.h"

class pw_tlm_mmu : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<pw_tlm_mmu> socket;         // translations in
    tlm_utils::simple_target_socket<pw_tlm_mmu> ctl_socket;     // control operations in
    tlm_utils::simple_initiator_socket<pw_tlm_mmu> mem_socket;  // page-table reads and CAS out

    static constexpr double default_period_ns = 10.0;
    // Report message types (sc_report_handler::set_actions can silence or stop on them).
    static constexpr const char *msg_config = "/pagewalk/pw_tlm_mmu/config";
    static constexpr const char *msg_cas_ignored = "/pagewalk/pw_tlm_mmu/cas-ext-ignored";

    // An illegal configuration (pw_config_check) is an SC_REPORT_ERROR.
    pw_tlm_mmu(sc_core::sc_module_name name, const pw_config &cfg,
               const sc_core::sc_time &period =
                   sc_core::sc_time(default_period_ns, sc_core::SC_NS));
    pw_tlm_mmu(const pw_tlm_mmu &) = delete;
    pw_tlm_mmu &operator=(const pw_tlm_mmu &) = delete;

    // What the sockets call; usable directly by a platform that holds the module.
    // translate: TLM_OK_RESPONSE with t.result set, whatever the architectural outcome;
    // TLM_GENERIC_ERROR_RESPONSE when the platform broke the contract (a memory target
    // that ignored pw_tlm_cas_ext), the model gave up (PW_ERR_LIVELOCK), the request is
    // malformed (an access kind out of range: nothing done), or an SC_METHOD called
    // while another process's walk is suspended (it cannot wait its turn).
    tlm::tlm_response_status translate(pw_tlm_translation &t, sc_core::sc_time &delay);
    // A control operation at the caller's local time; costs one cycle. PW_ERR_GP:
    // illegal, nothing changed (a core never sends one, docs/timing.md decision 3).
    // PW_ERR_ARG: a bad operation, or an SC_METHOD that cannot wait its turn.
    pw_status ctl(pw_tlm_ctl &c, sc_core::sc_time &delay);
    // The architectural answer from memory as it is now (pw_walk): no TLB, PSC,
    // counter or memory change, no time. Reads use transport_dbg on mem_socket; a
    // needed A/D update is not written and is taken as done. False: bad request.
    bool translate_dbg(pw_tlm_translation &t);

    // Reset-like: load the registers (validated; PAE PDPTEs as given), flush the caches.
    pw_status set_regs(const pw_regs &regs);
    const pw_regs &regs() const { return mmu_.regs; }
    const pw_counters &counters() const { return mmu_.cnt; }
    const pw_config &config() const { return mmu_.cfg; }
    const sc_core::sc_time &period() const { return period_; }
    // The model's full record of the last translation (every page-table access).
    const pw_mmu_response &last_response() const { return rsp_; }
    // CAS accesses whose target did not set pw_tlm_cas_ext::done.
    uint64_t cas_unhonoured() const { return cas_unhonoured_; }
    // Calls that waited for another process's walk to leave the model.
    uint64_t queued() const { return queued_; }
    // Sync with the global quantum inside a walk (default on; only in SC_THREADs).
    void set_sync_in_walk(bool on) { sync_in_walk_ = on; }

private:
    // Target side (pw_tlm_mmu.cpp).
    void b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload &gp);
    void ctl_b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
    bool lock();
    void unlock();

    // Initiator side, the pw_mem the model runs on (pw_tlm_mmu_bus.cpp).
    static void mem_schedule(void *ctx, uint64_t issue, const pw_mem_access *acc,
                             uint64_t *accept, uint64_t *respond);
    static pw_mem_status mem_read(void *ctx, uint64_t pa, unsigned size, uint64_t cycle,
                                  uint64_t *val);
    static pw_mem_status mem_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                                 uint64_t desired, uint64_t cycle, uint64_t *old);
    static pw_mem_status dbg_read(void *ctx, uint64_t pa, unsigned size, uint64_t cycle,
                                  uint64_t *val);
    static pw_mem_status dbg_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                                 uint64_t desired, uint64_t cycle, uint64_t *old);
    // One access on mem_socket: `local` in is the local time it is issued at, out the
    // local time of its response (relative to sc_time_stamp() on return).
    pw_mem_status bus_access(const pw_mem_access &acc, sc_core::sc_time &local, uint64_t *data);
    void sync_walk(uint64_t respond_cycle);

    // Cycle <-> time on the MMU's clock.
    uint64_t cycle_at(const sc_core::sc_time &t) const;     // ceil(t / period)
    sc_core::sc_time time_of(uint64_t cycle) const;         // cycle * period
    sc_core::sc_time local_of(uint64_t cycle) const;        // time_of(cycle) - now, >= 0

    pw_mmu mmu_;
    pw_mmu_response rsp_;         // a member: too big for a thread's stack
    sc_core::sc_time period_;
    tlm_utils::tlm_quantumkeeper qk_;
    bool sync_in_walk_ = true;
    bool busy_ = false;           // a translation or operation is inside the model
    sc_core::sc_event idle_;
    // The access the model scheduled and the bus already performed; read/cas hand
    // its result over (the model calls schedule, then read or cas, for each access).
    struct performed {
        bool valid = false;
        pw_mem_access acc;
        pw_mem_status status = PW_MEM_OK;
        uint64_t data = 0;
    } performed_;
    bool walk_contract_broken_ = false;  // this translation met a target ignoring the CAS
    sc_core::sc_time ctl_time_;          // local time of the operation in progress (PDPTE loads)
    uint64_t cas_unhonoured_ = 0;
    uint64_t queued_ = 0;
    unsigned dbg_accesses_ = 0;          // page-table accesses of the debug walk
    tlm::tlm_generic_payload bus_gp_;    // reused for every page-table access
    pw_tlm_cas_ext cas_ext_;
};

#endif
