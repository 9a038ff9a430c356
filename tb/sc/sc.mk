# ---- SystemC top: pw_cosim inside a SystemC simulation (included by the Makefile) ----
# build/pw_cosim_sc is build/pw_cosim with pw_top Verilated with --sc: the same
# driver, scoreboard, stimulus and environment (tb/*.cpp but dut.cpp), the same CLI
# (tb/cosim.cpp, its main renamed cosim_main and called by sc_main), and
# tb/sc/dut_sc.cpp for dut.h: sc_signals on the ports, an sc_clock, the kernel
# evaluates the model. Default configuration only.
#   make build/pw_cosim_sc   make sc-smoke   make sc-selftest
# SystemC 2.3.4 (Debian libsystemc-dev) is built for C++17: keep -std=gnu++17.
SYSTEMC_INCLUDE ?= $(shell pkg-config --variable=includedir systemc)
SYSTEMC_LIBDIR  ?= $(shell pkg-config --variable=libarchdir systemc)
COSIM_SC        := $(BUILD)/pw_cosim_sc
COSIM_SC_DIR    := $(BUILD)/cosim/sc
COSIM_SC_SRC    := $(filter-out tb/dut.cpp,$(TB_CXX_SRC)) $(wildcard tb/sc/*.cpp)
SC_SMOKE_N      ?= 3000

$(COSIM_SC): $(RTL_SRC) $(COSIM_SC_SRC) $(wildcard tb/*.h tb/sc/*.h) tb/sc/sc.mk $(TB_LIB) $(LIB)
	@mkdir -p $(COSIM_SC_DIR)
	@$(if $(V),,echo "  VERILATE $@ (--sc)")
	$(Q)SYSTEMC_INCLUDE=$(SYSTEMC_INCLUDE) SYSTEMC_LIBDIR=$(SYSTEMC_LIBDIR) \
	  $(VERILATOR) --sc --exe --build -j 2 -O3 --trace-fst --assert +define+PW_ASSERT \
	    -Wno-fatal -Wno-lint -Wno-style -Werror-USERERROR -Werror-USERFATAL -Irtl --top-module pw_top \
	    -MAKEFLAGS "OPT_FAST=-O3 OPT_GLOBAL=-O3" $(if $(V),,-MAKEFLAGS -s) \
	    --Mdir $(abspath $(COSIM_SC_DIR)) -o pw_cosim_sc $(foreach p,$(COSIM_PARAMS_default),-G$(p)) \
	    -CFLAGS "-std=gnu++17 -I$(abspath cmodel/include) -I$(abspath tb) -I$(abspath tb/sc) \
	             -DPWCFG_NAME_TOKEN=default -DPW_COSIM_MAIN=cosim_main \
	             $(foreach p,$(COSIM_PARAMS_default),-DPWCFG_$(p))" \
	    $(RTL_SRC) $(abspath $(COSIM_SC_SRC)) $(abspath $(TB_LIB)) $(abspath $(LIB)) \
	    $(if $(V),,>$(COSIM_SC_DIR).log 2>&1 || { cat $(COSIM_SC_DIR).log; exit 1; })
	$(Q)cp $(COSIM_SC_DIR)/pw_cosim_sc $@

.PHONY: sc-smoke sc-selftest
# Every mode, one seed, briefly (part of make test); then the checker's self-test.
sc-smoke: $(COSIM_SC)
	@$(COSIM_SC) --mode all --seed 1 --seeds 1 -n $(SC_SMOKE_N)
	@tests/cosim_selftest.sh $(COSIM_SC)

# The SystemC top's checker must catch a wrong RTL (tests/cosim_selftest.sh).
sc-selftest: $(COSIM_SC)
	@tests/cosim_selftest.sh $(COSIM_SC)
