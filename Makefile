# pagewalk: the one entry point.
#   make sim     default regression (installs what is missing first)
#   make test    unit tests (+ ASan/UBSan run) and a regression smoke run
#   make bench   performance figures
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
            $(wildcard tests/unit/support/*.h) $(wildcard tests/unit/*.h)

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
.PHONY: install-check rule-coverage
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

SIM      := $(BUILD)/pw_sim
BENCH    := $(BUILD)/pw_bench
$(SIM): $(call objs_of,$(BUILD),cmodel/tools/sim.c) $(LIB)
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
$(MKIMAGE): $(call objs_of,$(BUILD),tests/cli/mkimage.c) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^
$(MKIMAGE_ASAN): $(call objs_of,$(BUILD)/asan,tests/cli/mkimage.c) $(LIB_ASAN)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ASAN_FLAGS) -o $@ $^

cli-test: $(CLI) $(BUILD)/asan/pagewalk $(MKIMAGE) $(MKIMAGE_ASAN)
	@tests/cli/run.sh $(CLI) $(MKIMAGE)
	@ASAN_OPTIONS=detect_leaks=1 tests/cli/run.sh $(BUILD)/asan/pagewalk $(MKIMAGE_ASAN)

sim-smoke: $(SIM)
	@$(SIM) --mode all --seeds 2 --seed 1 -n 20000

test: setup
	@$(MAKE) --no-print-directory unit unit-asan cli-test install-check rule-coverage sim-smoke

sim: setup
	@$(MAKE) --no-print-directory $(SIM)
	@$(SIM) --mode $(MODE) --seed $(SEED) --seeds $(SEEDS) -n $(N)

bench: $(BENCH)
	@$(BENCH)

install: $(LIB) $(CLI)
	install -d $(DESTDIR)$(PREFIX)/include/pagewalk $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 cmodel/include/pagewalk/*.h $(DESTDIR)$(PREFIX)/include/pagewalk/
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|0.1.0|' pagewalk.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/pagewalk.pc

clean:
	rm -rf $(BUILD)
