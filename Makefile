# pg_readscale: builds and installs both libraries (each a PGXS sub-make) and runs the
# single-node (pg_regress) and multi-node (TAP) suites. scripts/test drives it as the
# postgres OS user; see README.md.
PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
BINDIR := $(shell $(PG_CONFIG) --bindir)
PG_REGRESS := $(dir $(PGXS))../test/regress/pg_regress
PERL_LIB := $(dir $(PGXS))../test/perl
SUBDIRS = extension decoder

# Where pg_regress and prove write; scripts/test points it at a scratch directory the postgres user owns.
OUTDIR ?= $(CURDIR)/tmp_check
REGRESS ?= $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
PROVE_TESTS ?= $(sort $(wildcard test/t/*.pl))

.PHONY: all install install-test clean installcheck regresscheck tapcheck $(SUBDIRS)

all: $(SUBDIRS)

$(SUBDIRS):
	$(MAKE) -C $@

install: all
	$(MAKE) -C extension install
	$(MAKE) -C decoder install

# The test-only boundary probe that sql/boundary.sql loads; never part of `make install`.
install-test:
	$(MAKE) -C test/modules/boundary_probe
	$(MAKE) -C test/modules/boundary_probe install

clean:
	$(MAKE) -C extension clean
	$(MAKE) -C decoder clean
	$(MAKE) -C test/modules/boundary_probe clean
	rm -rf tmp_check results regression.diffs regression.out

installcheck: regresscheck tapcheck

regresscheck:
	@mkdir -p $(OUTDIR)/regress
	$(PG_REGRESS) --temp-instance=$(OUTDIR)/regress/instance --temp-config=test/regress.conf \
		--bindir=$(BINDIR) --inputdir=$(CURDIR) --outputdir=$(OUTDIR)/regress \
		--load-extension=pg_readscale $(REGRESS)

# TESTDIR for 15; 16+ take TESTDATADIR and TESTLOGDIR (absolute, so $node->logfile is too).
tapcheck:
	@mkdir -p $(OUTDIR)/tap
	cd $(OUTDIR)/tap && TESTDIR=$(OUTDIR)/tap TESTDATADIR=$(OUTDIR)/tap/tmp_check TESTLOGDIR=$(OUTDIR)/tap/tmp_check/log \
		PATH="$(BINDIR):$$PATH" PG_REGRESS=$(PG_REGRESS) \
		READSCALE_SOURCE=$(CURDIR) \
		prove -I $(PERL_LIB) -I $(CURDIR)/test/perl $(PROVE_FLAGS) $(addprefix $(CURDIR)/,$(PROVE_TESTS))
