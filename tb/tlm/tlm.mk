# ---- TLM-2.0 loosely-timed model of the MMU (tb/tlm) and its virtual platform (tb/tlm/vp) ----
# Included by the Makefile. C++17 against SystemC 2.3.4 (Debian libsystemc-dev, built for
# C++17: keep gnu++17), linked with the C11 libpagewalk.a.
#   make build/tlm/pw_vp    the virtual platform
#   make tlm-test           build it and run it (checks every translation; part of make test)
#   make tlm-test TLM_VP_ARGS="--seed 7 -n 100000 --mode pae"
TLM_CXX      ?= g++
TLM_CXXFLAGS ?= -O2 -g
TLM_SRC      := $(wildcard tb/tlm/*.cpp) $(wildcard tb/tlm/vp/*.cpp)
TLM_HDRS     := $(wildcard tb/tlm/*.h) $(wildcard tb/tlm/vp/*.h) $(wildcard cmodel/include/pagewalk/*.h)
TLM_OBJS     := $(patsubst %.cpp,$(BUILD)/obj/%.o,$(TLM_SRC))
TLM_VP       := $(BUILD)/tlm/pw_vp
TLM_VP_ARGS  ?= --seed 1

# pkg-config runs in the recipe: SystemC may be installed by `make setup` after parsing.
$(BUILD)/obj/tb/tlm/%.o: tb/tlm/%.cpp $(TLM_HDRS)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CXX     $<")
	$(Q)$(TLM_CXX) -std=gnu++17 -Wall -Wextra -Werror $(TLM_CXXFLAGS) -Icmodel/include -Itb/tlm -Itb/tlm/vp \
	    $$(pkg-config --cflags systemc) -c $< -o $@

$(TLM_VP): $(TLM_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(TLM_CXX) $(TLM_CXXFLAGS) -o $@ $(TLM_OBJS) $(LIB) $$(pkg-config --libs systemc)

.PHONY: tlm-test
tlm-test: $(TLM_VP)
	@SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 $(TLM_VP) $(TLM_VP_ARGS)
