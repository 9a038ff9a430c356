# make regress: the co-simulation at scale, many seeds in parallel (tests/regress/regress.py,
# docs/regress.md). Included by the Makefile.
#   make regress [SEED=1 SEEDS=16 N=100000 MODE=all CONFIGS="default small"
#                 OPTSETS="base fixed1 bursty bp60" JOBS=<nproc> SHARD=i/N ARGS="..."
#                 TIMEOUT=<120+N/200 s> OUT=build/regress]
#   make regress-merge [OUT=build/regress] [DIRS="shard output dirs"]   shards -> one report
#   make regress-check                                                  the runner's own test
REGRESS_PY := tests/regress/regress.py

# The Makefile's SEEDS ?= 4 suits make sim; a regression wants more. Like make sim with SEED,
# take SEEDS and N only when the user gave them (command line or environment).
regress_given = $(filter command line environment,$(origin $(1)))
REGRESS_SEEDS   = $(if $(call regress_given,SEEDS),$(SEEDS),16)
REGRESS_N       = $(if $(call regress_given,N),$(N),100000)
REGRESS_OUT     = $(or $(OUT),$(BUILD)/regress)
REGRESS_CONFIGS = $(or $(CONFIGS),$(COSIM_CONFIGS))
# Single-quoted for the shell: ARGS="--delay fixed:2 --inject rsp" reaches the runner as one word.
regress_q = '$(subst ','\'',$(1))'
REGRESS_OPTS = $(foreach c,$(COSIM_CONFIGS),--cosim $(c)=$(COSIM_$(c))) \
    --configs $(call regress_q,$(REGRESS_CONFIGS)) --modes $(call regress_q,$(MODE)) \
    --seed $(call regress_q,$(SEED)) --seeds $(call regress_q,$(REGRESS_SEEDS)) -n $(call regress_q,$(REGRESS_N)) \
    $(if $(OPTSETS),--optsets $(call regress_q,$(OPTSETS))) $(if $(SHARD),--shard $(call regress_q,$(SHARD))) \
    --args=$(call regress_q,$(ARGS))

.PHONY: regress regress-merge regress-check
# `list` first: a bad knob (SHARD=16/16, MODE=6level) stops before minutes of Verilator builds.
regress: setup
	@python3 $(REGRESS_PY) list $(REGRESS_OPTS) >/dev/null
	@$(MAKE) --no-print-directory $(foreach c,$(REGRESS_CONFIGS),$(COSIM_$(c)))
	@python3 $(REGRESS_PY) run $(REGRESS_OPTS) $(if $(JOBS),-j $(call regress_q,$(JOBS))) \
	    $(if $(TIMEOUT),--timeout $(call regress_q,$(TIMEOUT))) --out $(call regress_q,$(REGRESS_OUT))

regress-merge:
	@python3 $(REGRESS_PY) merge $(or $(DIRS),$(REGRESS_OUT)) --out $(call regress_q,$(REGRESS_OUT))

regress-check: $(COSIM_default) $(COSIM_small)
	@python3 tests/regress/test_regress.py --cosim $(COSIM_default) --cosim-small $(COSIM_small) \
	    --dir $(BUILD)/regress-check
