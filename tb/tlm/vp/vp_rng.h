// The VP's random numbers: splitmix64, seeded from the command line, so a run is
// reproduced by its seed alone.
#ifndef VP_RNG_H
#define VP_RNG_H

#include <cstdint>

class vp_rng {
public:
    explicit vp_rng(uint64_t seed) : s_(seed) {}
    uint64_t next()
    {
        uint64_t z = (s_ += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { return n ? next() % n : 0; }
    bool chance(unsigned pct) { return below(100) < pct; }
    // Inclusive range.
    uint64_t range(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }

private:
    uint64_t s_;
};

// A stateless mix of one value (for pure functions such as the memory latency).
inline uint64_t vp_mix(uint64_t x)
{
    return vp_rng(x).next();
}

#endif
