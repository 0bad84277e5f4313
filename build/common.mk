# Shared PGXS settings for extension/ and decoder/ (included by both Makefiles).
PGXS := $(shell $(PG_CONFIG) --pgxs)
INCLUDEDIR_SERVER := $(shell $(PG_CONFIG) --includedir-server)
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)

# C++ flags belong here, not in PG_CPPFLAGS (which also reaches C).
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Werror -Wshadow -fvisibility=hidden -fvisibility-inlines-hidden $(READSCALE_EXTRA_CXXFLAGS)
# -isystem: warnings apply to our code, not to PostgreSQL's headers.
PG_CPPFLAGS = -isystem $(INCLUDEDIR_SERVER) -I. -I$(TOP)/extension
SHLIB_LINK += -lstdc++ -Wl,--version-script=$(TOP)/build/exports.map $(READSCALE_EXTRA_LDFLAGS)

# Debian's PGXS has with_llvm = yes and would compile every .cpp to bitcode with clang for JIT inlining.
override with_llvm = no

include $(PGXS)

# Rebuild objects when any header changes (keeps PGXS's default rules).
HEADERS_ALL := $(wildcard $(TOP)/extension/*/*.hpp $(TOP)/decoder/*/*.hpp)
$(OBJS): $(HEADERS_ALL)
