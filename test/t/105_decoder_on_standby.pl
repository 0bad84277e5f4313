# readscale_decoder on a hot standby (PostgreSQL 16+), the "analytics off the
# primary" setup of docs/integrations/analytics.md:
# (a) a slot on the standby, read by pg_recvlogical, gives byte for byte the
#     lines a slot on the primary gives over the same transactions (nothing is
#     excluded: xids, LSNs and commit times come from the same WAL);
# (b) a subscriber that keeps running while the standby is stopped (immediate)
#     and started again receives every committed change, and the only repeats
#     are one run resent from the slot's confirmed position (at least once,
#     docs/decoder.md);
# (c) on a standby without hot_standby_feedback and without a physical slot, a
#     catalog change plus VACUUM on the primary invalidates the slot, and
#     slot_retention there shows it conflicting and critical, naming the
#     invalidation (17+);
# and config_audit() on a standby with logical slots warns about
# hot_standby_feedback off and an empty primary_slot_name, and stays silent
# where the settings are right or (15) no logical slot exists.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use ReadScale::Pair qw(new_primary new_standby);

my $primary = new_primary('sb_primary');
my $major = int($primary->safe_psql('postgres', 'SHOW server_version_num') / 10000);
note("PostgreSQL $major");

# config_audit rows about one setting, as "severity: finding" lines.
my $audit = sub {
	my ($node, $setting) = @_;
	return $node->safe_psql('postgres',
		"SELECT string_agg(severity || ': ' || finding, E'\\n') FROM readscale.config_audit() WHERE setting = '$setting'");
};

if ($major < 16)
{
	# A standby of 15 holds no logical slot: the new findings must not appear there.
	my $standby = new_standby($primary, 'sb_standby15', "hot_standby_feedback = off\n");
	is($audit->($standby, 'primary_slot_name'), '', '15: no primary_slot_name finding without logical slots');
	unlike($audit->($standby, 'hot_standby_feedback'), qr/logical slot/,
		'15: the hot_standby_feedback finding does not speak of logical slots');
	my (undef, undef, $refused) = $standby->psql('postgres',
		"SELECT pg_create_logical_replication_slot('sb_refused', 'readscale_decoder')");
	like($refused, qr/logical decoding cannot be used while in recovery/, '15: a standby refuses logical slots');
	SKIP: { skip 'logical decoding on a standby needs PostgreSQL 16', 1; }
	done_testing();
	exit;
}

# Creates a readscale_decoder slot on a standby. Creation waits for a
# running-xacts record from the primary; pg_log_standby_snapshot() writes one
# now instead of at the next checkpoint or bgwriter round.
my $create_standby_slot = sub {
	my ($standby, $slot, $upstream) = @_;
	$upstream //= $primary;
	my $h = IPC::Run::start(
		[
			'psql', '-X', '-q', '-d', $standby->connstr('postgres'), '-c',
			"SELECT 'init' FROM pg_create_logical_replication_slot('$slot', 'readscale_decoder')"
		],
		'>', \my $out, '2>', \my $err);
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	while ($h->pumpable && time < $deadline)
	{
		$upstream->safe_psql('postgres', 'SELECT pg_log_standby_snapshot()');
		$h->pump_nb;
		select(undef, undef, undef, 0.1);
	}
	$h->finish;
	is($?, 0, "slot $slot created on " . $standby->name) or diag($err);
};
my $recv = sub {
	my ($node, $slot, $file, @extra) = @_;
	return ('pg_recvlogical', '-d', $node->connstr('postgres'), '-S', $slot, '--start', '-F', '0', '-s', '1',
		'-f', $file, @extra);
};

# The analytics standby: feedback on, over a physical slot.
$primary->safe_psql('postgres', "SELECT 'init' FROM pg_create_physical_replication_slot('sb_physical')");
my $standby = new_standby($primary, 'sb_standby', "primary_slot_name = 'sb_physical'\nhot_standby_feedback = on\n");

$primary->safe_psql('postgres', q{
	CREATE TABLE orders (id int PRIMARY KEY, customer int, amount numeric, placed timestamptz);
	CREATE TABLE customers (id int PRIMARY KEY, name text, tags text[]);
	CREATE TABLE audit_log (id bigint, note text);
	ALTER TABLE audit_log REPLICA IDENTITY FULL;
	CREATE TABLE r (id int PRIMARY KEY, v text);});
$primary->safe_psql('postgres', "SELECT 'init' FROM pg_create_logical_replication_slot('sb_on_primary', 'readscale_decoder')");
$primary->wait_for_catchup($standby, 'replay');
$create_standby_slot->($standby, 'sb_on_standby');

is($audit->($standby, 'primary_slot_name'), '', 'config_audit: no primary_slot_name finding with a physical slot');
is($audit->($standby, 'hot_standby_feedback'), '', 'config_audit: no hot_standby_feedback finding with feedback on');

# (a) The same transactions through both slots.
$primary->safe_psql('postgres', q{
	INSERT INTO customers SELECT g, 'customer ' || g, ARRAY['t' || g % 3] FROM generate_series(1, 40) g;
	INSERT INTO orders SELECT g, g % 40 + 1, g * 2.5, '2026-01-01'::timestamptz + g * interval '1 h'
		FROM generate_series(1, 200) g;
	UPDATE orders SET amount = amount + 1 WHERE id % 7 = 0;
	DELETE FROM customers WHERE id > 35;
	UPDATE customers SET id = id + 1000 WHERE id = 1;
	BEGIN;
	INSERT INTO audit_log VALUES (1, 'multi-statement');
	UPDATE orders SET customer = 2 WHERE id BETWEEN 10 AND 20;
	DELETE FROM orders WHERE id > 190;
	UPDATE audit_log SET note = 'updated in the same transaction';
	INSERT INTO customers VALUES (500, 'new in the transaction', '{}');
	COMMIT;
	BEGIN; INSERT INTO orders VALUES (9999, 1, 1, now()); ROLLBACK;
	DELETE FROM audit_log;});
my $endpos = $primary->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');
$primary->wait_for_catchup($standby, 'replay');
my @same_options = ('-o', 'include-transaction', '-o', 'include-xids', '-o', 'include-lsn', '-o', 'include-timestamp',
	'-o', 'add-tables=public.orders,public.customers,public.audit_log');
my %stream;
for my $side ([ 'primary', $primary, 'sb_on_primary' ], [ 'standby', $standby, 'sb_on_standby' ])
{
	my ($label, $node, $slot) = @$side;
	my $file = $primary->basedir . "/same_$label.ndjson";
	IPC::Run::run([ $recv->($node, $slot, $file, '--endpos', $endpos, '--no-loop', @same_options) ], '2>', \my $err);
	is($?, 0, "pg_recvlogical on the $label ran to endpos") or diag($err);
	$stream{$label} = slurp_file($file);
}
my @ops = map { /"op":"(\w+)","schema":"public","table":"(\w+)"/ ? "$2 $1" : () } split /\n/, $stream{standby};
my %kinds = map { $_ => 1 } @ops;
is(scalar(@ops), 40 + 200 + 28 + 5 + 1 + 1 + 11 + 10 + 1 + 1 + 1, 'the standby decoded every change of the workload');
is(join(',', sort keys %kinds),
	'audit_log delete,audit_log insert,audit_log update,customers delete,customers insert,customers update,'
	  . 'orders delete,orders insert,orders update',
	'inserts, updates and deletes of three tables');
# The multi-statement transaction: its 24 changes between one begin and one commit.
my (@transactions, $open);
for my $record (map { decode_json($_) } split /\n/, $stream{standby})
{
	if ($record->{op} eq 'begin') { $open = []; }
	elsif ($record->{op} eq 'commit') { push @transactions, $open; }
	else { push @$open, "$record->{table} $record->{op}"; }
}
my ($multi) = grep { grep { $_ eq 'audit_log insert' } @$_ } @transactions;
is(join(',', @{ $multi // [] }[ 0, 1, 12, 22, 23 ]),
	'audit_log insert,orders update,orders delete,audit_log update,customers insert',
	'the multi-statement transaction arrives whole, in statement order');
is(scalar(@{ $multi // [] }), 24, 'with its 24 changes');
unlike($stream{standby}, qr/"id":9999/, 'the rolled-back change is not');
ok($stream{standby} eq $stream{primary}, 'the standby slot gives byte-identical lines (xids, LSNs, commit times included)')
  or diag("primary:\n" . substr($stream{primary}, 0, 2000) . "\nstandby:\n" . substr($stream{standby}, 0, 2000));

# 17+: failover slots live on the primary; a standby refuses to make one.
if ($major >= 17)
{
	my (undef, undef, $refused) = $standby->psql('postgres',
		"SELECT pg_create_logical_replication_slot('sb_failover', 'readscale_decoder', failover => true)");
	like($refused, qr/cannot enable failover for a replication slot created on the standby/,
		'a standby refuses failover => true');
}

# (b) A subscriber across a standby restart. pg_recvlogical without --no-loop
# reconnects by itself and resumes from the slot's confirmed position.
$create_standby_slot->($standby, 'sb_restart');
my $restart_file = $primary->basedir . '/restart.ndjson';
my $subscriber = IPC::Run::start([ $recv->($standby, 'sb_restart', $restart_file, '-o', 'add-tables=public.r',
	'-o', 'include-xids', '-o', 'include-lsn') ], '2>', \my $subscriber_err);
my $insert_rows = sub {
	my ($from, $to) = @_;
	$primary->safe_psql('postgres',
		"DO \$\$ BEGIN FOR i IN $from..$to LOOP INSERT INTO r VALUES (i, 'row ' || i); COMMIT; END LOOP; END \$\$");
};
my $last_id_in_file = sub {
	my $last = 0;
	for (split /\n/, (-e $restart_file ? slurp_file($restart_file) : ''))
	{
		$last = $1 if /"new":\{"id":(\d+)/;
	}
	return $last;
};
my $wait_for_id = sub {
	my ($id) = @_;
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	select(undef, undef, undef, 0.1) until $last_id_in_file->() >= $id || time > $deadline;
	return $last_id_in_file->() >= $id;
};
$insert_rows->(1, 300);
ok($wait_for_id->(1), 'the subscriber receives changes before the restart');
$standby->stop('immediate');
$insert_rows->(301, 600);    # committed while the standby is down
$primary->safe_psql('postgres', "BEGIN; INSERT INTO r VALUES (9999, 'rolled back'); ROLLBACK;");
$standby->start;
$insert_rows->(601, 700);
ok($wait_for_id->(700), 'the subscriber reconnected and received the changes committed after the restart');
$subscriber->signal('INT');
$subscriber->finish;
like($subscriber_err, qr/disconnected|could not receive|unexpected termination|server closed/i,
	'pg_recvlogical saw the connection drop');
my @ids = map { /"new":\{"id":(\d+)/ ? $1 : () } split /\n/, slurp_file($restart_file);
my %count;
$count{$_}++ for @ids;
my @missing = grep { !$count{$_} } 1 .. 700;
is(scalar(@missing), 0, 'every committed change arrived') or diag("missing: @missing[0 .. 9]");
ok(!$count{9999}, 'the rolled-back change never arrived');
# One row per transaction, committed in id order: a resend shows as the ids going back once.
my @rewinds = grep { $ids[$_] <= $ids[ $_ - 1 ] } 1 .. $#ids;
ok(@rewinds <= 1, 'repeats are at most one run resent from the confirmed position');
my $repeats = grep { $_ > 1 } values %count;
diag(sprintf('%d lines, %d changes sent twice across the restart (at least once)', scalar(@ids), $repeats));
if (@rewinds)
{
	my $at = $rewinds[0];
	is_deeply([ @ids[ $at .. $#ids ] ], [ $ids[$at] .. 700 ], 'after the resend point every change comes once, in order');
}

# (c) Invalidation: stop the analytics standby and drop every catalog_xmin
# holder on the primary, then a standby without feedback or physical slot.
$standby->stop;
$primary->safe_psql('postgres',
	"SELECT pg_drop_replication_slot('sb_physical'); SELECT pg_drop_replication_slot('sb_on_primary')");
my $bare = new_standby($primary, 'sb_bare', "hot_standby_feedback = off\n");
$create_standby_slot->($bare, 'sb_doomed');
like($audit->($bare, 'hot_standby_feedback'),
	qr/^warning: hot_standby_feedback is off while this standby holds 1 logical slot\(s\), so vacuum on the primary [^\n]*\z/,
	'config_audit warns, in one row: hot_standby_feedback off with a logical slot');
like($audit->($bare, 'primary_slot_name'), qr/^warning: primary_slot_name is empty while this standby holds 1 logical slot\(s\)[^\n]*\z/,
	'config_audit warns: primary_slot_name empty with a logical slot');

my $conflicting = sub {
	return $bare->safe_psql('postgres', "SELECT conflicting FROM readscale.slot_retention WHERE slot_name = 'sb_doomed'");
};
my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
until ($conflicting->() eq 't' || time > $deadline)
{
	# Catalog rows deleted by a committed transaction, removed by VACUUM: the
	# prune record's conflict horizon passes the slot's catalog_xmin.
	$primary->safe_psql('postgres', 'CREATE TABLE conflict_t (x int); DROP TABLE conflict_t; VACUUM pg_class');
	$primary->wait_for_catchup($bare, 'replay');
}
is($conflicting->(), 't', 'slot_retention on the standby shows the slot conflicting');
if ($major >= 17)
{
	my $row = $bare->safe_psql('postgres',
		"SELECT invalidation_reason || '|' || verdict || '|' || reason FROM readscale.slot_retention WHERE slot_name = 'sb_doomed'");
	is((split /\|/, $row)[0], 'rows_removed', 'invalidation_reason is rows_removed');
	is((split /\|/, $row)[1], 'critical', 'the verdict is critical');
	like((split /\|/, $row)[2], qr/^invalidated \(rows_removed\)/, 'the reason names the invalidation');
}
else
{
	SKIP: { skip "invalidation_reason needs PostgreSQL 17 (this is $major); slot_retention judges by it", 3; }
}
IPC::Run::run([ $recv->($bare, 'sb_doomed', $primary->basedir . '/doomed.ndjson', '--no-loop') ], '2>', \my $doomed_err);
like($doomed_err, qr/can no longer (get changes from|access) replication slot "sb_doomed"/,
	'pg_recvlogical is refused the invalidated slot');
note("pg_recvlogical: $doomed_err");

$bare->stop;
$primary->stop;

# 19: with wal_level = replica the primary's first logical slot turns logical
# decoding on (effective_wal_level), and dropping its last one turns it off,
# which invalidates the standby's slots (wal_level_insufficient).
my @nodes = ($standby, $bare, $primary);
if ($major >= 19)
{
	my $replica_primary = new_primary('sb_replica_level', "wal_level = replica\n");
	my $effective = sub { $replica_primary->safe_psql('postgres', 'SHOW effective_wal_level') };
	is($effective->(), 'replica', '19: effective_wal_level is replica before any logical slot');
	$replica_primary->safe_psql('postgres',
		"SELECT 'init' FROM pg_create_logical_replication_slot('sb_keeper', 'readscale_decoder');
		 SELECT 'init' FROM pg_create_physical_replication_slot('sb_physical19')");
	$replica_primary->poll_query_until('postgres', "SELECT current_setting('effective_wal_level') = 'logical'")
	  or diag('effective_wal_level stayed ' . $effective->());
	is($effective->(), 'logical', '19: the first logical slot turns logical decoding on');
	my $standby19 = new_standby($replica_primary, 'sb_standby19', "primary_slot_name = 'sb_physical19'\n");
	$create_standby_slot->($standby19, 'sb_level', $replica_primary);
	$replica_primary->safe_psql('postgres', "SELECT pg_drop_replication_slot('sb_keeper')");
	ok($standby19->poll_query_until('postgres',
			"SELECT invalidation_reason = 'wal_level_insufficient' FROM readscale.slot_retention WHERE slot_name = 'sb_level'"),
		"19: dropping the primary's last logical slot invalidates the standby's (wal_level_insufficient)");
	is($standby19->safe_psql('postgres',
			"SELECT conflicting::text || ' ' || verdict FROM readscale.slot_retention WHERE slot_name = 'sb_level'"),
		'true critical', '19: it is conflicting and critical');
	like($standby19->safe_psql('postgres', "SELECT reason FROM readscale.slot_retention WHERE slot_name = 'sb_level'"),
		qr/^invalidated \(wal_level_insufficient\)/, '19: the reason names the invalidation');
	$standby19->stop;
	$replica_primary->stop;
	push @nodes, $standby19, $replica_primary;
}
else
{
	SKIP: { skip "effective_wal_level needs PostgreSQL 19 (this is $major)", 5; }
}
for my $node (@nodes)
{
	unlike(slurp_file($node->logfile), qr/terminated by signal/, $node->name . ': no backend crashed');
}
done_testing();
