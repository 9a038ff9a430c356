# ---- libFuzzer targets (tests/fuzz/README.md) ----
#   make fuzz [FUZZ_SECONDS=60]  every target for FUZZ_SECONDS, one at a time, at low priority
#   make fuzz-smoke              every target for FUZZ_SMOKE_SECONDS (the make test run)
# Everything is built by clang under $(BUILD)/fuzz: the library from LIB_SRC
# instrumented for coverage (fuzzer-no-link) and with ASan+UBSan, the targets
# linked with libFuzzer, the seed generator, the seeds it writes, the corpora
# that grow from them, crash inputs (artifacts) and logs.
FUZZ_CC            ?= clang
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 10

FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS  := -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))
FUZZ_LIB     := $(FUZZ_DIR)/libpagewalk.a
FUZZ_SEEDS   := $(FUZZ_DIR)/seeds/.stamp

$(FUZZ_DIR)/obj/%.o: %.c $(HDRS) $(wildcard tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC fuzz $<")
	$(Q)$(FUZZ_CC) $(CFLAGS_BASE) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_LIB): $(call objs_of,$(FUZZ_DIR),$(LIB_SRC))
	@rm -f $@; ar rcs $@ $^

# fuzz_regs reads --regs files: link the CLI's readers, as test_regs_sources does.
$(FUZZ_DIR)/fuzz_regs: $(call objs_of,$(FUZZ_DIR),$(REGS_CLI_SRC))

$(FUZZ_BINS): $(FUZZ_DIR)/%: $(FUZZ_DIR)/obj/tests/fuzz/%.o $(FUZZ_LIB)
	@$(if $(V),,echo "  LD fuzz $@")
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(FUZZ_LIB)

$(FUZZ_DIR)/mkseeds: $(FUZZ_DIR)/obj/tests/fuzz/mkseeds.o $(FUZZ_LIB)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^

$(FUZZ_SEEDS): $(FUZZ_DIR)/mkseeds
	@rm -rf $(FUZZ_DIR)/seeds
	$(Q)$(FUZZ_DIR)/mkseeds $(FUZZ_DIR)/seeds
	@touch $@

.PHONY: fuzz fuzz-smoke fuzz-build
fuzz-build: $(FUZZ_BINS) $(FUZZ_SEEDS)

fuzz: setup
	@$(MAKE) --no-print-directory fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_DIR) $(FUZZ_TARGETS)

fuzz-smoke: setup
	@$(MAKE) --no-print-directory fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_DIR) $(FUZZ_TARGETS)
