// Functional coverage of the co-simulation: named cover points ("bins"), declared
// up front for the configuration so that a point never hit is known, sampled by
// the driver from the model's answers (the RTL equals them on every checked
// translation) and from the environment's events. Saved as a text database
// ("count name" per line) that runs, seeds and shards merge by adding counts.
//
// Points (docs/cosim.md "Coverage"):
//   ok/<mode>/<size>/{tlb,walk}     mode x page size (the leaf level) x how answered
//   pf/<mode>/L<level>              #PF at each level of the mode's walk
//   pf/<mode>/{not_present,reserved,rights,pkey}   #PF by cause
//   gp/<mode>, ok/paging_off        the answers without a walk
//   bus/<mode>/{read,cas}           bus error on a read / on an A/D CAS
//   restart/<mode>                  a walk restarted after a failed CAS (R9.3)
//   psc/<mode>/L<level>             a walk started below a PSC hit at that level
//   tlb/global_hit_other_pcid       a global entry hit under another PCID (R11.4)
//   midwalk/offset_<k>, midwalk/fill_cycle, midwalk/fill_dropped   a performed
//       control operation k cycles after the accept of a walk still in flight
//   reset/{idle,walk,undo_cas}      reset with no walk, during a walk, before a CAS
//   mem/{backpressure,delay_<d>}    the port's waits
//   ctl/<operation>                 every control operation performed
#ifndef TB_COVERAGE_H
#define TB_COVERAGE_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pagewalk/pagewalk.h"

class Coverage {
public:
    // The points reachable with `cfg` (and an empty database).
    explicit Coverage(const pw_config &cfg);

    // Samples. `mode` is the mode the request was translated in.
    void translation(pw_mode mode, const pw_mmu_response &rsp, bool global_other_pcid);
    void control(const pw_ctl &op);
    // A performed control operation `offset` cycles after the accept of a walk whose
    // fill is still due (`at_fill`: in its fill cycle).
    void midwalk(uint64_t offset, bool at_fill);
    void reset(bool walk_in_flight, bool undid_cas);
    void access(uint64_t wait, uint64_t delay);

    uint64_t count(const std::string &point) const;
    size_t points() const { return bins_.size(); }
    size_t hit() const;
    std::vector<std::string> missing() const;
    // A sample of a point that was not declared: a bug in the declarations.
    const std::vector<std::string> &undeclared() const { return undeclared_; }

    // Add the counts of a saved database (its points are declared if new).
    bool merge_file(const std::string &path, std::string *err);
    bool save(const std::string &path, std::string *err) const;
    bool write_html(const std::string &path, const std::string &title, std::string *err) const;

private:
    void declare(const std::string &point) { bins_.emplace(point, 0); }
    void sample(const std::string &point);

    std::map<std::string, uint64_t> bins_;
    std::vector<std::string> undeclared_;
};

#endif
