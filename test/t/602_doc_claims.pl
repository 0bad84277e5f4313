# The docs' claims about settings and SQLSTATEs, checked against their
# sources of truth: every readscale.* row of pg_settings against the settings
# table of docs/reference.md (default, context, unit, documented minimum and
# maximum, the address notations a setting's description names), the SQLSTATE
# catalog common/sqlstate.hpp against docs/sqlstates.md and reference.md's
# SQLSTATE section, and the code reads.md names for the REPEATABLE READ
# refusal against the code the server raises.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary);

my $source = $ENV{READSCALE_SOURCE};
for my $file (qw(docs/reference.md docs/sqlstates.md docs/reads.md common/sqlstate.hpp))
{
	BAIL_OUT("$source/$file not found: copy docs/ and common/ next to test/ (scripts/lib.sh make_scratch does)")
	  unless -f "$source/$file";
}
my $reference = slurp_file("$source/docs/reference.md");

# Durations in ms, sizes in kB: the base units of GUC_UNIT_MS and GUC_UNIT_KB.
my %unit_factor = (ms => 1, s => 1000, min => 60_000, h => 3_600_000, d => 86_400_000,
	kB => 1, MB => 1024, GB => 1024**2, TB => 1024**3);
my %unit_kind = (ms => 'time', s => 'time', min => 'time', h => 'time', d => 'time',
	kB => 'size', MB => 'size', GB => 'size', TB => 'size');

# "16MB" in the setting's base unit; a bare number must be the base unit or -1/0.
sub doc_number
{
	my ($text, $unit, $what) = @_;
	my ($number, $suffix) = $text =~ /^(-?\d+)\s*([a-zA-Z]*)$/ or return "unparsable $what '$text'";
	return $number if $suffix eq '' && (!defined $unit || $number <= 0);
	return "$what '$text' has no unit" if $suffix eq '';
	return "$what '$text' has a unit, the setting none" unless defined $unit;
	return "$what '$text': unit '$suffix' is not a $unit_kind{$unit}"
	  unless ($unit_kind{$suffix} // '') eq $unit_kind{$unit};
	return $number * $unit_factor{$suffix} / $unit_factor{$unit};
}

my $node = new_primary('doc_claims');
my @settings = map { [ split /\|/, $_, -1 ] } split /\n/, $node->safe_psql('postgres', q{
	SELECT name, boot_val, context, coalesce(unit, ''), coalesce(min_val, ''), coalesce(max_val, ''), vartype,
	       coalesce(extra_desc, '')
	FROM pg_settings WHERE name LIKE 'readscale.%' ORDER BY name});
ok(@settings > 0, 'pg_settings lists readscale settings');

for my $row (@settings)
{
	my ($name, $boot, $context, $unit, $min, $max, $type, $extra_desc) = @$row;
	$unit = undef if $unit eq '';
	my ($default_cell, $context_cell, $meaning) =
	  $reference =~ /^\|\s*`\Q$name\E`\s*\|([^|]*)\|([^|]*)\|([^\n]*)\|\s*$/m
	  or (fail("docs/reference.md has a settings row for $name"), next);
	(my $default = $default_cell) =~ s/\([^)]*\)//g;
	$default =~ s/[`\s]//g;
	$default = '' if $default eq "''";
	if ($type eq 'integer' || $type eq 'real')
	{
		is(doc_number($default, $unit, 'default'), $boot, "$name: documented default is pg_settings' boot_val");
	}
	else
	{
		is($default, $boot, "$name: documented default is pg_settings' boot_val");
	}
	my ($doc_context) = $context_cell =~ /^\s*(\w+)/;
	is($doc_context, $context, "$name: documented context is pg_settings' context");
	for my $bound ([ minimum => $min ], [ maximum => $max ])
	{
		my ($word, $actual) = @$bound;
		next unless $meaning =~ /\b$word\s+`?([-\w]+)`?/;
		is(doc_number($1, $unit, $word), $actual, "$name: documented $word is pg_settings'");
	}
	# Notations the setting's own description names (e.g. "[IPv6]:port") are in its row.
	for my $notation ($extra_desc =~ /(\S+:port)\b/g)
	{
		ok(index($meaning, $notation) >= 0, "$name: docs/reference.md names the form $notation");
	}
}

# The IPv6 form the description promises is one the check hook accepts.
$node->safe_psql('postgres', "ALTER SYSTEM SET readscale.http_listen = '[::1]:65432'");
$node->safe_psql('postgres', 'ALTER SYSTEM RESET readscale.http_listen');

# The catalog: every code the project raises, parsed from the header.
my %catalog = map { $_ => 1 } slurp_file("$source/common/sqlstate.hpp") =~ /constexpr char k\w+\[\] = "(\w{5})"/g;
ok(keys %catalog >= 3, 'common/sqlstate.hpp lists codes');
my $catalog = join ' ', sort keys %catalog;
sub codes_in { my %seen = map { $_ => 1 } $_[0] =~ /`([0-9A-Z]{5})`/g; return join ' ', sort keys %seen }

# sqlstates.md's table mirrors the catalog exactly.
my $table = join "\n", grep { /^\|\s*`/ } split /\n/, slurp_file("$source/docs/sqlstates.md");
is(codes_in(join "\n", map { (split /\|/)[1] } split /\n/, $table), $catalog,
	'docs/sqlstates.md lists exactly the catalog codes');

# reference.md's SQLSTATE section names every catalog code, and no other code as
# the project's own: PostgreSQL's codes only after "PostgreSQL raises itself".
my ($section) = $reference =~ /^## SQLSTATEs\n(.*?)(?=^## |\z)/ms;
ok(defined $section, 'docs/reference.md has a SQLSTATE section');
my ($ours) = split /PostgreSQL\s+raises\s+itself/, $section // '';
is(codes_in($ours // ''), $catalog, "docs/reference.md's SQLSTATE section lists exactly the catalog codes as ours");

# reads.md's code for a late SET in REPEATABLE READ is the one raised.
my ($documented) = slurp_file("$source/docs/reads.md") =~ /REPEATABLE READ.{0,200}?refuses \((\w{5})/s;
my (undef, undef, $stderr) = $node->psql('postgres',
	"BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1; SET readscale.min_lsn = '0/1';",
	extra_params => [ '-v', 'VERBOSITY=sqlstate' ]);
my ($raised) = $stderr =~ /ERROR:\s+(\w{5})/;
ok(defined $raised && exists $catalog{$raised}, 'the REPEATABLE READ refusal raises a catalog code');
is($documented, $raised, 'docs/reads.md names the code of the REPEATABLE READ refusal');

$node->stop;
done_testing();
