# pothos_perf -- PGXS build of the PostgreSQL extension and its test suites.
#
#   make && make install          build and install the extension (make
#                                 also checks the C++/PostgreSQL boundary:
#                                 make check-boundary)
#   make check-extension          every server-side suite, each on a temporary
#                                 instance with the extension preloaded
#                                 (pg_regress, peer check, isolation, TAP)
# The suites start their own servers, so they must run as an unprivileged OS
# user: scripts/test.sh does that for you.

EXTENSION  = pothos_perf
MODULE_big = pothos_perf
# The install script is assembled from one part per feature (src/extension/sql).
EXT_VERSION = 0.1
SQL_PARTS  = $(sort $(wildcard $(srcdir)/src/extension/sql/*.sql))
DATA_built = pothos_perf--$(EXT_VERSION).sql
PGFILEDESC = "pothos_perf - statement statistics, N+1 detection and index advice"

CORE_SRCS = $(wildcard src/core/*/*.cpp)
EXT_SRCS  = $(wildcard src/extension/*.cpp src/extension/*/*.cpp)
OBJS      = $(EXT_SRCS:.cpp=.o) $(CORE_SRCS:.cpp=.o)

PG_CONFIG ?= pg_config
# nlohmann/json (header-only; the core reads EXPLAIN output with it).
ifeq ($(filter clean distclean check-boundary,$(MAKECMDGOALS)),)
ifneq ($(shell pkg-config --exists 'nlohmann_json >= 3.11' && echo yes),yes)
$(error nlohmann_json >= 3.11 not found: install the Debian package nlohmann-json3-dev)
endif
endif
# Server headers as system headers: their warnings are not ours.
PG_CPPFLAGS = -I$(srcdir)/src $(shell pkg-config --cflags nlohmann_json 2>/dev/null) \
              -isystem $(shell $(PG_CONFIG) --includedir-server) \
              -isystem $(shell $(PG_CONFIG) --pkgincludedir)/internal
PG_CXXFLAGS = -std=c++17 -flto=2 -Wall -Wextra -Wno-register -Wno-missing-field-initializers \
              -fno-rtti -fvisibility-inlines-hidden -MMD -MP
# Only PostgreSQL's entry points are exported (see src/extension/exports.map).
# Link-time optimisation: the per-statement path crosses several files (hooks,
# store, counters, detector); inlined into a few functions it runs through
# fewer code lines, and on a busy server the instruction cache misses are
# what the hooks cost (bench/extension/backend_cache.sh measures them).
SHLIB_LINK  = -flto=2 -lstdc++ -Wl,--version-script=$(srcdir)/src/extension/exports.map

# The server is built with LLVM JIT; we ship no bitcode for our C++ (the JIT
# simply does not inline our functions).
override with_llvm = no

# Tests: stock installcheck would run against a server without our preload.
NO_INSTALLCHECK = 1

REGRESS       = statements normalize nesting errors privileges reset utility n_plus_one advisor monitor_slow monitor_analysis monitor_health deep_input security
REGRESS_PEER  = peer_pgss
ISOLATION     = concurrent_calls
TEST_OUT     ?= $(CURDIR)/tmp_check
TEST_PORT    ?= 58432

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Relink when the export list changes.
$(shlib): $(srcdir)/src/extension/exports.map

# The C++/PostgreSQL boundary (src/extension/common/guard.h), checked on
# every build: glue files keep no C++ object alive across PostgreSQL calls,
# every SQL function goes through POTHOS_SQL_FUNCTION, bridges raise no
# PostgreSQL error.
all: check-boundary
check-boundary:
	@bash $(srcdir)/scripts/check-boundary.sh $(srcdir)/src

pg_bindir  := $(shell $(PG_CONFIG) --bindir)
pgxs_dir   := $(dir $(PGXS))..
PG_REGRESS_BIN    = $(pgxs_dir)/test/regress/pg_regress
PG_ISOLATION_BIN  = $(pgxs_dir)/test/isolation/pg_isolation_regress

# Header dependencies written by -MMD: a changed header rebuilds its users.
-include $(OBJS:.o=.d)
EXTRA_CLEAN = $(OBJS:.o=.d)

pothos_perf--$(EXT_VERSION).sql: $(SQL_PARTS)
	cat $^ > $@

.PHONY: check-boundary check-regress check-peer check-isolation check-tap check-fuzz check-extension

check-regress:
	mkdir -p $(TEST_OUT)/regress
	$(PG_REGRESS_BIN) --bindir=$(pg_bindir) --inputdir=$(srcdir) \
	  --outputdir=$(TEST_OUT)/regress --temp-instance=$(TEST_OUT)/regress/instance \
	  --temp-config=$(srcdir)/test/pothos_perf.conf --port=$(TEST_PORT) $(REGRESS)

check-peer:
	mkdir -p $(TEST_OUT)/peer
	$(PG_REGRESS_BIN) --bindir=$(pg_bindir) --inputdir=$(srcdir) \
	  --outputdir=$(TEST_OUT)/peer --temp-instance=$(TEST_OUT)/peer/instance \
	  --temp-config=$(srcdir)/test/peer.conf --port=$(shell expr $(TEST_PORT) + 1) $(REGRESS_PEER)

check-isolation:
	mkdir -p $(TEST_OUT)/isolation
	$(PG_ISOLATION_BIN) --bindir=$(pg_bindir) --inputdir=$(srcdir)/test/isolation \
	  --outputdir=$(TEST_OUT)/isolation --temp-instance=$(TEST_OUT)/isolation/instance \
	  --temp-config=$(srcdir)/test/pothos_perf.conf --port=$(shell expr $(TEST_PORT) + 2) $(ISOLATION)

check-tap:
	rm -rf $(TEST_OUT)/tap && mkdir -p $(TEST_OUT)/tap
	cd $(TEST_OUT)/tap && TESTDIR='$(TEST_OUT)/tap' PATH="$(pg_bindir):$$PATH" \
	  PG_REGRESS='$(PG_REGRESS_BIN)' POTHOS_SRC='$(abspath $(srcdir))' \
	  $(PROVE) -I $(pgxs_dir)/test/perl -I $(abspath $(srcdir))/test/tap $(PROVE_FLAGS) \
	  $(abspath $(srcdir))/test/tap/*.pl

# Every SQL function and view with bad input, as the superuser and as a plain
# role (test/fuzz/fuzz.pl; POTHOS_FUZZ_SEED, POTHOS_FUZZ_CALLS).
check-fuzz:
	rm -rf $(TEST_OUT)/fuzz && mkdir -p $(TEST_OUT)/fuzz
	cd $(TEST_OUT)/fuzz && TESTDIR='$(TEST_OUT)/fuzz' PATH="$(pg_bindir):$$PATH" \
	  PG_REGRESS='$(PG_REGRESS_BIN)' $(PROVE) -I $(pgxs_dir)/test/perl $(PROVE_FLAGS) \
	  $(abspath $(srcdir))/test/fuzz/*.pl

check-extension: check-regress check-peer check-isolation check-tap check-fuzz
