# Shared PGXS settings for extension/ and decoder/ (included by both Makefiles).
PGXS := $(shell $(PG_CONFIG) --pgxs)
INCLUDEDIR_SERVER := $(shell $(PG_CONFIG) --includedir-server)
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)

# C++ flags belong here, not in PG_CPPFLAGS (which also reaches C).
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Werror -Wshadow -fvisibility=hidden -fvisibility-inlines-hidden $(READSCALE_EXTRA_CXXFLAGS)
# -isystem: warnings apply to our code, not to PostgreSQL's headers.
# -I. then -I$(TOP): "core/..." and "glue/..." always mean this library's own folders,
# "common/....hpp" and "bridge/..." the shared top-level ones (the top level has no core/ or glue/).
PG_CPPFLAGS = -isystem $(INCLUDEDIR_SERVER) -I. -I$(TOP)
# The exported symbols; the test probe module passes its own map.
EXPORTS_MAP ?= $(TOP)/mk/exports.map
SHLIB_LINK += -lstdc++ -Wl,--version-script=$(EXPORTS_MAP) $(READSCALE_EXTRA_LDFLAGS)

# Debian's PGXS has with_llvm = yes and would compile every .cpp to bitcode with clang for JIT inlining.
override with_llvm = no

include $(PGXS)

# Rebuild objects when any header this library can include changes (keeps PGXS's default rules).
HEADERS_ALL := $(wildcard $(CURDIR)/*/*.hpp $(TOP)/common/*.hpp $(TOP)/bridge/*.hpp)
$(OBJS): $(HEADERS_ALL)
