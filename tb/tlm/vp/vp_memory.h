// The VP's memory: a TLM target over a pw_image. Reads and plain writes of any
// length, the atomic compare-and-swap of pw_tlm_cas_ext, TLM_ADDRESS_ERROR_RESPONSE
// outside the image, and a latency (vp_latency) annotated on every access. It logs
// each access so that the checker can compare them with the reference model's.
#ifndef VP_MEMORY_H
#define VP_MEMORY_H

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "pagewalk/image.h"
#include "vp_latency.h"

struct vp_mem_access {
    tlm::tlm_command cmd;
    bool cas;                      // a write carrying pw_tlm_cas_ext
    uint64_t pa;
    unsigned size;
    uint64_t wdata, cmp;           // write data (first 8 bytes); CAS compare value
    sc_core::sc_time issue;        // the initiator's local time of the access
    tlm::tlm_response_status status;
};

class vp_memory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<vp_memory> socket;

    vp_memory(sc_core::sc_module_name name, pw_image *img, const vp_latency &lat);

    // Off: behave like a target that does not know pw_tlm_cas_ext (a plain write).
    void set_honour_cas(bool on) { honour_cas_ = on; }
    std::vector<vp_mem_access> &log() { return log_; }
    uint64_t accesses() const { return accesses_; }
    uint64_t address_errors() const { return address_errors_; }

private:
    void b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload &gp);
    tlm::tlm_response_status perform(tlm::tlm_generic_payload &gp);

    pw_image *img_;
    pw_mem raw_;                   // the image's untimed accessor: its cas is atomic
    vp_latency lat_;
    bool honour_cas_ = true;
    std::vector<vp_mem_access> log_;
    uint64_t accesses_ = 0, address_errors_ = 0;
};

#endif
