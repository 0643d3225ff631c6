# jiyue: one non-recursive Makefile. Objects go to build/, binaries to bin/.
#   make            build bin/jiyue and bin/jiyuectl
#   make run        install missing packages, build, load the demo cluster, serve it
#   make test       install missing packages, build, run unit, fuzz-smoke and e2e tests
#   make install    PREFIX=/usr/local DESTDIR= (dist/package.mk: the layout)
#   make deb        a Debian package of that layout under PREFIX=/usr
#   make clean
# CC=clang works as well as gcc; V=1 shows full commands.

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
PKGS    := libuv yaml-0.1 openssl zlib libcmark libargon2 jansson libnghttp2
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS_ALL := -std=c11 -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Each layer sees only the headers it may use, so a wrong include fails the build: core/
# knows no module (it reaches them only through the table in core/module.h); a module sees
# core and the modules' headers (every folder of modules/; header names are prefixed by
# their module, so they stay unique); jiyuectl and the tests see everything.
MODULE_DIRS := $(patsubst %/,%,$(wildcard modules/*/))
INC_core    := -Icore
INC_modules := -Icore -Imodules $(addprefix -I,$(MODULE_DIRS))
INC_tools   := $(INC_modules) -Itools/jiyuectl
INC_tests   := $(INC_tools) -Itests/unit
LDLIBS_ALL   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -llmdb -lpthread -lm
SAN     ?=
ifneq ($(SAN),)
  CFLAGS += -fsanitize=$(SAN) -fno-omit-frame-pointer
  # UBSan only prints and carries on by default: make undefined behaviour fatal.
  ifneq ($(findstring undefined,$(SAN)),)
    CFLAGS += -fno-sanitize-recover=undefined
  endif
  LDFLAGS += -fsanitize=$(SAN)
  BUILD := build-san
  BIN := build-san/bin
else
  BUILD := build
  BIN := bin
endif

ifeq ($(V),1)
  Q :=
else
  Q := @
endif

CORE_SRCS   := $(filter-out core/main.c,$(wildcard core/*.c))
MODULE_SRCS := $(wildcard modules/*.c modules/*/*.c)
TOOL_SRCS   := $(wildcard tools/jiyuectl/*.c)
# The default theme is compiled into the binaries (core/theme.c falls back to it file by
# file), generated from conf/themes/default by our own tools/embed_files.c.
THEME_DIR   := conf/themes/default
THEME_FILES := $(wildcard $(THEME_DIR)/*)
THEME_GEN   := $(BUILD)/gen/theme_default.c
CORE_OBJS   := $(CORE_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/theme_default.o
MODULE_OBJS := $(MODULE_SRCS:%.c=$(BUILD)/%.o)
TOOL_OBJS   := $(TOOL_SRCS:%.c=$(BUILD)/%.o)
LIBCORE     := $(BUILD)/libjiyue.a

UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all run test e2e-beside-san-build unit e2e deps certs a11y clean bench bench-search fuzz fuzz-smoke e2e-san unit-san test-shuffle mutate

all: $(BIN)/jiyue $(BIN)/jiyuectl

# The layer is the first folder of the source path: core, modules or tools.
layer_inc = $(INC_$(firstword $(subst /, ,$(1))))
$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC $<")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(call layer_inc,$<) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c $< -o $@

$(BUILD)/gen/embed_files: tools/embed_files.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE -O1 $(WARN) -o $@ $<

# The folder itself is a prerequisite too: adding or removing a file regenerates.
$(THEME_GEN): $(BUILD)/gen/embed_files $(THEME_DIR) $(THEME_FILES)
	@$(if $(Q),echo "  GEN $@")
	$(Q)$(BUILD)/gen/embed_files theme_builtin_default $(THEME_DIR) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/theme_default.o: $(THEME_GEN)
	@$(if $(Q),echo "  CC $<")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(INC_core) $(CPPFLAGS) $(CFLAGS) $(WARN) -c $< -o $@

$(LIBCORE): $(CORE_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

# Module objects are linked whole (not from an archive): core reaches them only through
# the table in modules/modules.c, which nothing before it in the link line references
# (core's config loader and server walk that table, jiyuectl's commands call modules' APIs).
$(BIN)/jiyue: $(BUILD)/core/main.o $(MODULE_OBJS) $(LIBCORE)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(BUILD)/core/main.o $(MODULE_OBJS) $(LIBCORE) $(LDLIBS_ALL)

$(BIN)/jiyuectl: $(TOOL_OBJS) $(MODULE_OBJS) $(LIBCORE)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJS) $(MODULE_OBJS) $(LIBCORE) $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/unit/%.c $(MODULE_OBJS) $(LIBCORE)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD $@")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(INC_tests) $(CFLAGS) $(WARN) -o $@ $< $(MODULE_OBJS) $(LIBCORE) $(LDLIBS_ALL) -lcmocka

deps:
	@sh tools/install-deps.sh

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "  UNIT $$t"; ./$$t; done

# The e2e suite runs its files on E2E_WORKERS processes (pytest-xdist, one file per
# worker at a time: a file's module-scoped servers stay in one process). Most of a test's
# time is spent waiting on a server or a timeout, so two workers on two cores nearly halve
# the wall time. E2E_WORKERS=1 runs it in one process, as before.
E2E_WORKERS ?= 2
E2E_PAR := $(if $(filter-out 0 1,$(E2E_WORKERS)),-n $(E2E_WORKERS) --dist loadfile)
e2e: all
	/usr/bin/python3 -m pytest -q -x $(E2E_PAR) tests/e2e

certs:
	@sh tools/dev-certs.sh

# make a11y THEME=name [THEMES=folder]: the accessibility check (axe-core in Chromium, both
# modes, keyboard, 360 px, print: tests/e2e/test_a11y.py) over every page, rendered in the
# theme `name` of THEMES (default conf/themes); missing browser tools fail it, not skip it.
THEME ?= default
a11y: all
	@sh tools/install-deps.sh
	THEME=$(THEME) THEMES=$(abspath $(or $(THEMES),conf/themes)) A11Y_REQUIRED=1 \
	    /usr/bin/python3 -m pytest -q tests/e2e/test_a11y.py

# The same suite against the ASan+UBSan build: any report, a leak at exit included, or a
# server that does not exit 0 after SIGTERM fails it (tests/e2e/conftest.py checks).
SAN_TEST := address,undefined
SAN_ENV  := JIYUE_BIN_DIR=build-san/bin JIYUE_SANITIZED=1 \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
e2e-san:
	$(MAKE) SAN=$(SAN_TEST) all
	$(MAKE) SAN=$(SAN_TEST) unit-san
	$(SAN_ENV) /usr/bin/python3 -m pytest -q -x $(E2E_PAR) tests/e2e

# Unit tests built with the sanitizers (run by e2e-san through SAN=...).
unit-san: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "  UNIT-SAN $$t"; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ./$$t; done

# Every e2e file alone, then the whole suite in a random order (module order and test order
# within each module; the seed is printed: SEED=N repeats a run): no test may depend on what
# another left behind. Not part of `make test` (it runs the suite twice).
test-shuffle: all
	@set -e; for f in tests/e2e/test_*.py; do echo "  E2E-ALONE $$f"; \
	  /usr/bin/python3 -m pytest -q -x $$f; done
	/usr/bin/python3 -m pytest -x \
	  $(if $(SEED),--random-order-seed=$(SEED),--random-order) tests/e2e

# The mutation check: tools/mutate.py applies each one-line change of its list to a copy of
# the tree, rebuilds, runs the tests that must catch it and prints which survived (exit 1
# if one did). Some minutes; not part of `make test`.
mutate: all
	/usr/bin/python3 tools/mutate.py

# The builds use every core (JOBS), and so do the unit test links and the fuzz smoke runs (one
# harness a core). The sanitizer build runs beside the plain e2e and the fuzzer build beside
# the sanitizer e2e, at the lowest CPU priority (nice -n 19): the e2e runs mostly wait on
# servers, clients and timeouts, and a build at nice 19 takes only the CPU they leave idle.
# Its output is in build/beside.log (the last lines are shown if it fails). Each stage prints
# its wall time ("TIME stage Ns", "TIME total" last), so a CI log shows where the minutes go.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
TEST_T0 := build/.test-t0
STAGE = @s=$$(date +%s); echo '$(2)'; $(2); rc=$$?; echo "  TIME $(1) $$(( $$(date +%s) - s ))s"; exit $$rc
# $(call BESIDE,make arguments,command): the command, with `nice -n 19 $(MAKE) arguments`
# beside it; waits for both and fails if either failed.
BESIDE = ( nice -n 19 $(MAKE) --no-print-directory $(1) >build/beside.log 2>&1; echo $$? >build/beside.rc ) & \
	$(2); rc=$$?; wait; b=$$(cat build/beside.rc); \
	[ "$$b" = 0 ] || { tail -40 build/beside.log; echo "  FAILED beside the tests: $(MAKE) $(1)"; }; \
	[ $$rc = 0 ] && [ "$$b" = 0 ]
SAN_UNIT_BINS := $(UNIT_BINS:build/%=build-san/%)
test:
	@mkdir -p build && date +%s > $(TEST_T0)
	$(call STAGE,deps,$(MAKE) deps certs)
	$(call STAGE,build,$(MAKE) -j$(JOBS) all $(UNIT_BINS))
	$(call STAGE,unit,$(MAKE) unit)
	$(call STAGE,e2e+san-build,$(MAKE) e2e-beside-san-build)
	$(call STAGE,unit-san,$(MAKE) SAN=$(SAN_TEST) unit-san)
	$(call STAGE,e2e-san+fuzz-build,$(call BESIDE,-j$(JOBS) fuzz-build,$(SAN_ENV) /usr/bin/python3 -m pytest -q -x $(E2E_PAR) tests/e2e))
	$(call STAGE,fuzz-smoke,$(MAKE) -j$(JOBS) fuzz-smoke)
	@echo "  TIME total $$(( $$(date +%s) - $$(cat $(TEST_T0)) ))s"

# (make test) The plain e2e with the sanitizer build beside it.
e2e-beside-san-build: all
	@$(call BESIDE,-j$(JOBS) SAN=$(SAN_TEST) all $(SAN_UNIT_BINS),/usr/bin/python3 -m pytest -q -x $(E2E_PAR) tests/e2e)

run: deps certs
	$(MAKE) all
	sh tools/demo-run.sh

FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
# core and modules are compiled once with fuzzer instrumentation and linked into every
# harness (modules as objects: the module table is reached only through modules.c).
FUZZ_FLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJS  := $(CORE_SRCS:%.c=build-fuzz/obj/%.o) $(MODULE_SRCS:%.c=build-fuzz/obj/%.o) \
	build-fuzz/obj/gen/theme_default.o
.SECONDARY: $(FUZZ_OBJS)
fuzz-build: $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC $<"
	$(Q)clang $(CPPFLAGS_ALL) $(call layer_inc,$<) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
build-fuzz/obj/gen/theme_default.o: $(THEME_GEN)
	@mkdir -p $(dir $@)
	$(Q)clang $(CPPFLAGS_ALL) $(INC_core) $(FUZZ_FLAGS) -c $< -o $@
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@echo "  FUZZLD $@"
	$(Q)clang $(CPPFLAGS_ALL) $(INC_tests) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(LDLIBS_ALL)
# A short bounded run of every harness over its corpus: a regression caught once stays caught.
# An input that crashes a harness (libFuzzer's crash-, leak-, timeout- or oom- file) is
# copied into the harness's corpus in tests/fuzz/corpus: commit it with the fix, and every
# later smoke run replays it.
FUZZ_KEEP = for a in build-fuzz/art-$$t/*; do [ -f "$$a" ] || continue; \
	  cp "$$a" tests/fuzz/corpus/$$t/; echo "  kept $$a in tests/fuzz/corpus/$$t/: commit it with the fix"; done
# One rule per harness, so `make -jN fuzz-smoke` runs N of them side by side: each still
# gets its own core for the same FUZZ_SMOKE_SECONDS.
fuzz-smoke: $(FUZZ_TARGETS:%=fuzz-smoke-%)
fuzz-smoke-%: build-fuzz/fuzz_%
	@t=$*; echo "  FUZZ $$t (smoke)"; \
	  rm -rf build-fuzz/art-$$t; mkdir -p build-fuzz/corpus-$$t build-fuzz/art-$$t; \
	  ./build-fuzz/fuzz_$$t -max_total_time=$${FUZZ_SMOKE_SECONDS:-5} -print_final_stats=0 -artifact_prefix=build-fuzz/art-$$t/ \
	    build-fuzz/corpus-$$t tests/fuzz/corpus/$$t >build-fuzz/$$t.log 2>&1 || { tail -40 build-fuzz/$$t.log; $(FUZZ_KEEP); exit 1; }
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do echo "  FUZZ $$t ($(FUZZ_SECONDS)s)"; \
	  rm -rf build-fuzz/art-$$t; mkdir -p build-fuzz/corpus-$$t build-fuzz/art-$$t; \
	  ./build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=build-fuzz/art-$$t/ \
	    build-fuzz/corpus-$$t tests/fuzz/corpus/$$t >build-fuzz/$$t.log 2>&1 || { tail -60 build-fuzz/$$t.log; $(FUZZ_KEEP); exit 1; }; \
	  grep -E '^stat::(number_of_executed_units|peak_rss_mb)' build-fuzz/$$t.log; done

bench:
	@sh tools/install-deps.sh --bench
	$(MAKE) all
	sh tests/bench/run.sh

# the search index beside SQLite FTS5 (BENCH_SEARCH_DOCS, default 1,000,000: about an hour)
bench-search: all
	sh tests/bench/search.sh

clean:
	rm -rf build build-san build-fuzz bin var

include dist/package.mk

# Each build reads only its own dependency files: another build may be writing its own at
# the time (make test runs the sanitizer build beside the plain e2e, whose test_install.py
# runs make install).
-include $(shell find $(BUILD) $(if $(SAN),,build-fuzz/obj) -name '*.d' -type f 2>/dev/null)
