# docs/reference.md names every function, view, table and setting of the
# installed extension: the list comes from the catalog of a preloaded node
# (extension members in pg_depend, pg_settings LIKE 'readscale.%'), so an
# object added without documentation fails here with its name.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary);

my $doc_path = "$ENV{READSCALE_SOURCE}/docs/reference.md";
BAIL_OUT("$doc_path not found: copy docs/ next to test/ (scripts/lib.sh make_scratch does)") unless -f $doc_path;
my $doc = slurp_file($doc_path);

my $node = new_primary('reference');
my %objects = (
	function => q{
		SELECT DISTINCT 'readscale.' || p.proname FROM pg_proc p
		JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
		JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_readscale' ORDER BY 1},
	'view or table' => q{
		SELECT 'readscale.' || c.relname FROM pg_class c
		JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
		JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_readscale'
		WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') ORDER BY 1},
	setting => q{SELECT name FROM pg_settings WHERE name LIKE 'readscale.%' ORDER BY 1},
);

for my $kind (sort keys %objects)
{
	my @names = split /\n/, $node->safe_psql('postgres', $objects{$kind});
	ok(@names > 0, "the catalog lists some ${kind}s");
	# The whole name: readscale.check must not be satisfied by readscale.check_lag.
	my @missing = grep { $doc !~ /(?<![\w.])\Q$_\E(?!\w)/ } @names;
	is(join(', ', @missing), '', "every $kind is in docs/reference.md") or diag "missing from docs/reference.md: @missing";
}

# The project's own SQLSTATEs.
my @codes = grep { index($doc, "`$_`") < 0 } qw(55R01 55R02 55R03 55R04);
is("@codes", '', 'every project SQLSTATE is in docs/reference.md');

$node->stop;
done_testing();
