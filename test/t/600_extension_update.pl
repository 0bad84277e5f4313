# ALTER EXTENSION pg_readscale UPDATE from every installable older version to
# the default one: the data in the extension's tables survives, extversion
# becomes the default, and every member object (with its definition, columns,
# constraints, indexes, comments and privileges) equals a fresh CREATE
# EXTENSION (from the full pg_readscale--<default>.sql) in another database.
# Versions and paths come from the installed scripts
# (pg_extension_update_paths), so a new version is tested without editing
# this file; only a table added later needs a fixture row below.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary);

my $node = new_primary('update');

# Rows to put into the extension's tables at a given old version. A version
# without its own entry uses the newest older one.
my %fixtures = (
	'0.1' => q{
		INSERT INTO readscale.lag_policy VALUES ('app_%', '1s', '5s', 1024, 4096, false);
		INSERT INTO readscale.lag_policy (application_name_pattern) VALUES ('reporting');
		INSERT INTO readscale.slot_policy VALUES ('cdc_%', 1048576, 8388608, '1 hour', 0.5, 'drop', false);
		INSERT INTO readscale.slot_policy (slot_name_pattern, protected) VALUES ('keep', true);
		INSERT INTO readscale.slot_guard_log
			VALUES ('2026-01-01 00:00:00+00', 'cdc_old', 123, '2 hours', 'critical', 'drop', 'dropped', false, 'm');
	},
);

sub fixture_for
{
	my ($version) = @_;
	my $newest;
	for my $v (keys %fixtures)
	{
		$newest = $v if version_le($v, $version) && (!defined $newest || version_le($newest, $v));
	}
	return defined $newest ? $fixtures{$newest} : undef;
}

sub version_le
{
	my ($left, $right) = @_;
	my @x = split /\./, $left;
	my @y = split /\./, $right;
	while (@x || @y)
	{
		my ($p, $q) = (shift(@x) // 0, shift(@y) // 0);
		return $p < $q if $p != $q;
	}
	return 1;
}

# One line per member object: its identity and everything that defines it.
my $members_sql = q{
WITH m AS (
    SELECT d.classid, d.objid, d.objsubid
    FROM pg_depend d JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
    WHERE e.extname = 'pg_readscale' AND d.deptype = 'e'
)
SELECT pg_describe_object(m.classid, m.objid, m.objsubid) || ' | ' || replace(coalesce(
    CASE m.classid
    WHEN 'pg_proc'::regclass THEN (
        SELECT CASE WHEN p.prokind = 'a' THEN 'aggregate' ELSE pg_get_functiondef(p.oid) END
            || ' acl=' || coalesce(p.proacl::text, 'default')
        FROM pg_proc p WHERE p.oid = m.objid)
    WHEN 'pg_class'::regclass THEN (
        SELECT c.relkind::text || ' ' || c.relpersistence::text || ' acl=' || coalesce(c.relacl::text, 'default')
            || ' options=' || coalesce(c.reloptions::text, '')
            || ' view=' || coalesce(pg_get_viewdef(c.oid), '')
            || ' columns=' || coalesce((
                SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                    || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
                    || coalesce(' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid), '')
                    || coalesce(' acl=' || a.attacl::text, ''), ', ' ORDER BY a.attnum)
                FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
            || ' constraints=' || coalesce((
                SELECT string_agg(con.conname || ' ' || pg_get_constraintdef(con.oid), ', ' ORDER BY con.conname)
                FROM pg_constraint con WHERE con.conrelid = c.oid), '')
            || ' indexes=' || coalesce((
                SELECT string_agg(pg_get_indexdef(i.indexrelid), ', ' ORDER BY pg_get_indexdef(i.indexrelid))
                FROM pg_index i WHERE i.indrelid = c.oid), '')
            || ' triggers=' || coalesce((
                SELECT string_agg(pg_get_triggerdef(t.oid), ', ' ORDER BY t.tgname)
                FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal), '')
        FROM pg_class c WHERE c.oid = m.objid)
    WHEN 'pg_namespace'::regclass THEN (
        SELECT 'acl=' || coalesce(n.nspacl::text, 'default') FROM pg_namespace n WHERE n.oid = m.objid)
    WHEN 'pg_type'::regclass THEN (
        SELECT t.typtype::text || ' ' || coalesce((
            SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '')
        FROM pg_type t WHERE t.oid = m.objid)
    END, '') || ' comment=' || coalesce(obj_description(m.objid, (SELECT relname FROM pg_class WHERE oid = m.classid)), ''),
    E'\n', '\n')
FROM m
UNION ALL
SELECT 'extension config | ' || coalesce((
    SELECT string_agg(c::regclass::text || ' ' || coalesce(w, ''), ', ' ORDER BY c::regclass::text)
    FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(c, w)
    WHERE e.extname = 'pg_readscale'), '')
ORDER BY 1
};

# Every table's rows, restricted to the given columns, as sorted text.
sub table_contents
{
	my ($db, $tables) = @_;
	my %contents;
	for my $table (sort keys %$tables)
	{
		my $cols = join(', ', map { qq{"$_"} } @{ $tables->{$table} });
		$contents{$table} = $node->safe_psql($db,
			"SELECT string_agg(r::text, E'\\n' ORDER BY r::text) FROM (SELECT $cols FROM $table) r");
	}
	return \%contents;
}

sub extension_tables
{
	my ($db) = @_;
	my %tables;
	my $rows = $node->safe_psql($db, q{
		SELECT c.oid::regclass, a.attname FROM pg_depend d
		JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
		JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid AND c.relkind = 'r'
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		WHERE e.extname = 'pg_readscale' AND d.deptype = 'e' ORDER BY 1, a.attnum});
	for my $line (split /\n/, $rows)
	{
		my ($table, $col) = split /\|/, $line;
		push @{ $tables{$table} }, $col;
	}
	return \%tables;
}

# Lines of the first list not in the second.
sub missing_from
{
	my ($left, $right) = @_;
	my %in_right = map { $_ => 1 } @$right;
	return grep { !$in_right{$_} } @$left;
}

my $default = $node->safe_psql('postgres',
	"SELECT default_version FROM pg_available_extensions WHERE name = 'pg_readscale'");
my @sources = split /\n/, $node->safe_psql('postgres', qq{
	SELECT source FROM pg_extension_update_paths('pg_readscale')
	WHERE target = '$default' AND path IS NOT NULL AND source <> '$default' ORDER BY 1});
ok(scalar(@sources) >= 1, "at least one update path leads to $default (found: @sources)");

# Without a full script for the default version, CREATE EXTENSION would replay
# the update chain and the comparison below would compare it with itself.
my $sharedir = `pg_config --sharedir`;
chomp $sharedir;
ok(-f "$sharedir/extension/pg_readscale--$default.sql",
	"pg_readscale--$default.sql exists, so a fresh install does not run the update scripts");

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION pg_readscale');
my @fresh = split /\n/, $node->safe_psql('fresh', $members_sql);
ok(scalar(@fresh) > 10, 'a fresh install has member objects');

for my $source (@sources)
{
	my $db = "from_" . ($source =~ s/\W/_/gr);
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, "CREATE EXTENSION pg_readscale VERSION '$source'");
	is($node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'pg_readscale'"),
		$source, "created at $source");

	my $fixture = fixture_for($source);
	ok(defined $fixture, "a fixture exists for $source") or next;
	$node->safe_psql($db, $fixture);
	my $tables = extension_tables($db);
	my $before = table_contents($db, $tables);
	my @empty = grep { $before->{$_} eq '' } sort keys %$before;
	is("@empty", '', "every extension table at $source holds fixture rows (add rows for the empty ones)");
	# The installed library serves the old version's objects until the update;
	# the fixture's exact lag_policy row ('reporting') names an expected standby.
	is(eval { $node->safe_psql($db, "SELECT count(*) FROM readscale.standby_lag WHERE state = 'disconnected'") },
		'1', "$source: standby_lag runs on the current library, with its expected standbys");

	$node->safe_psql($db, 'ALTER EXTENSION pg_readscale UPDATE');
	is($node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'pg_readscale'"),
		$default, "$source updated to $default");
	is_deeply(table_contents($db, $tables), $before, "$source -> $default: table contents survive");

	my @updated = split /\n/, $node->safe_psql($db, $members_sql);
	my @lost = missing_from(\@fresh, \@updated);
	my @extra = missing_from(\@updated, \@fresh);
	is(join("\n", @lost), '', "$source -> $default: nothing of a fresh install is missing or different");
	is(join("\n", @extra), '', "$source -> $default: nothing beyond a fresh install is left over");
}

$node->stop;
unlike(slurp_file($node->logfile), qr/terminated by signal/, 'no crash');
done_testing();
