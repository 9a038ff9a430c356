// The VP's traffic initiator: a CPU-like thread that boots the MMU into each paging
// mode through its control socket, sends a random stream of translations and a few
// control operations and page-table edits, with temporal decoupling
// (tlm_quantumkeeper), and checks every answer:
//   - against the reference pw_mmu run directly on a twin memory with the same
//     per-access delays: result, hit, cycles, every page-table access (vp_ref.h);
//   - the annotated delay: the caller's time after = response cycle x period, so a
//     TLB hit costs exactly one period on the cycle grid (when no other CPU's
//     operation delayed the accept, vp_shootdown.h);
//   - against the functional answer (pw_walk, no writes) on the same memory state,
//     computed twice: by the MMU's debug transport and directly on the twin;
//   - A/D bits written by a CAS are in the memory target; bus errors come from
//     addresses outside memory;
//   - at the end: every counter, and the two memories byte for byte.
// Then a few protocol checks (vp_protocol.cpp); the thread ends, and with it the run.
#ifndef VP_TRAFFIC_H
#define VP_TRAFFIC_H

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "pw_tlm_mmu.h"
#include "vp_check.h"
#include "vp_memory.h"
#include "vp_options.h"
#include "vp_ref.h"
#include "vp_space.h"

// What the checker may look at besides the MMU's sockets.
struct vp_env {
    pw_config cfg;
    pw_tlm_mmu *mmu;       // registers and counters, compared with the reference's
    vp_memory *mem;        // its access log
    vp_ref *ref;
    pw_image *img_dut;     // the memory target's image
    pw_image *img_ref;     // the reference's twin
};

struct vp_tally {
    uint64_t translations = 0, hits = 0, one_cycle_hits = 0, faults = 0, gps = 0,
             bus_errors = 0, accesses = 0, cas = 0, ctl_ops = 0, edits = 0, off_grid = 0,
             delayed = 0;   // accepted after the presented cycle (behind another CPU's operation)
};

class vp_traffic : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<vp_traffic> socket;      // to pw_tlm_mmu::socket
    tlm_utils::simple_initiator_socket<vp_traffic> ctl_socket;  // to pw_tlm_mmu::ctl_socket

    SC_HAS_PROCESS(vp_traffic);
    vp_traffic(sc_core::sc_module_name name, const vp_options &opt, const vp_env &env);

    const vp_tally &tally() const { return tally_; }
    vp_report &report() { return report_; }
    // The LA of the latest request (a second CPU shoots it down, vp_shootdown.h).
    const uint64_t &last_la() const { return last_la_; }
    // True until the protocol checks, which the reference does not follow.
    const bool &comparing() const { return comparing_; }
    uint64_t mismatches() const { return report_.mismatches(); }
    bool finished() const { return finished_; }

private:
    void run();
    void run_mode(pw_mode mode, bool last);
    void translate(const pw_request &req);
    void check_translation(const pw_tlm_translation &t, const pw_tlm_translation &dbg,
                           tlm::tlm_response_status st, const sc_core::sc_time &t_in,
                           const sc_core::sc_time &t_out);
    void control(const pw_ctl &op);
    void advance();
    void final_checks();
    bool memories_equal();
    // vp_protocol.cpp
    void protocol_checks(vp_space &space);
    tlm::tlm_response_status send_ctl(pw_tlm_ctl &c);

    uint64_t cycle_at(const sc_core::sc_time &t) const;
    sc_core::sc_time time_of(uint64_t cycle) const;

    vp_options opt_;
    vp_env env_;
    vp_rng rng_;
    tlm_utils::tlm_quantumkeeper qk_;
    vp_report report_;
    vp_tally tally_;
    pw_mmu_response ref_rsp_;   // a member: too big for a thread's stack
    std::string mode_name_;
    uint64_t index_ = 0;        // translations so far in this mode
    uint64_t last_la_ = 0;
    bool comparing_ = true;
    bool finished_ = false;
};

#endif
