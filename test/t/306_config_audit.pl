# config_audit() findings that need restarts, standbys or slots in use:
# max_wal_senders against connected standbys, max_replication_slots against
# slots, wal_level minimal and max_wal_senders 0, synchronous_standby_names
# naming an absent standby (on a primary only), default_transaction_read_only
# and hot_standby_feedback on a standby, wal_sender_timeout.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary new_standby);

sub findings
{
	my ($node, $setting, $prefix) = @_;
	return $node->safe_psql('postgres',
		($prefix // '') . "SELECT string_agg(severity || ': ' || finding, E'\\n' ORDER BY finding) FROM readscale.config_audit() WHERE setting = '$setting'");
}

# Two WAL senders and two slots; the standby streams through one of each.
my $primary = new_primary('audit_primary', "max_wal_senders = 2\nmax_replication_slots = 2\n");
$primary->safe_psql('postgres', "SELECT pg_create_physical_replication_slot('audit_standby')");
my $standby = new_standby($primary, 'audit_standby', "primary_slot_name = 'audit_standby'\nhot_standby_feedback = off\n");
ok($primary->poll_query_until('postgres', "SELECT active FROM pg_replication_slots WHERE slot_name = 'audit_standby'"),
	'the standby streams through its slot');

is(findings($primary, 'max_wal_senders'),
	'warning: 1 of 2 WAL senders are in use, leaving 1 free (pg_basebackup -X stream needs 2)',
	'one of two senders in use: flagged');
is(findings($primary, 'max_replication_slots'), '', 'one of two slots in use: not flagged');
$primary->safe_psql('postgres', "SELECT pg_create_physical_replication_slot('audit_spare')");
is(findings($primary, 'max_replication_slots'), 'warning: 2 of 2 replication slots are in use',
	'every slot in use: flagged');
$primary->safe_psql('postgres', "SELECT pg_drop_replication_slot('audit_spare')");
is(findings($primary, 'wal_keep_size'), '', 'a slot exists: wal_keep_size 0 is not flagged');
# A standby needs at least the primary's max_wal_senders (else replay pauses): raise it there first.
$standby->append_conf('postgresql.conf', "max_wal_senders = 5\n");
$standby->restart;
$primary->append_conf('postgresql.conf', "max_wal_senders = 5\n");
$primary->restart;
$primary->wait_for_catchup($standby, 'replay');
is(findings($primary, 'max_wal_senders'), '', 'five senders, one in use: not flagged');

# synchronous_standby_names: an absent name is flagged on the primary; the standby ignores the setting.
for my $node ($primary, $standby)
{
	$node->safe_psql('postgres', "ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (audit_standby, \"Ghost\")'");
	$node->reload;
}
ok($primary->poll_query_until('postgres',
		"SELECT string_agg(finding, ';') = 'synchronous_standby_names names \"Ghost\", which is not connected' FROM readscale.config_audit() WHERE setting = 'synchronous_standby_names'"),
	'primary: the absent standby is flagged, the connected one is not');
ok($standby->poll_query_until('postgres', "SELECT current_setting('synchronous_standby_names') <> ''"),
	'standby: the setting is loaded');
is(findings($standby, 'synchronous_standby_names'), '', 'standby: synchronous_standby_names is not audited');
$primary->safe_psql('postgres', "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (AUDIT_STANDBY)'");
$primary->reload;
ok($primary->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM readscale.config_audit() WHERE setting = 'synchronous_standby_names'"),
	'names match application_name case-insensitively');
for my $node ($primary, $standby)
{
	$node->safe_psql('postgres', 'ALTER SYSTEM RESET synchronous_standby_names');
	$node->reload;
}

# Standby-only findings.
like(findings($standby, 'default_transaction_read_only'), qr/^info: default_transaction_read_only is off/,
	'standby: default_transaction_read_only off is flagged');
is(findings($standby, 'default_transaction_read_only', 'SET default_transaction_read_only = on; '), '',
	'standby: default_transaction_read_only on is not');
is(findings($primary, 'default_transaction_read_only'), '', 'primary: default_transaction_read_only is not audited');
like(findings($standby, 'hot_standby_feedback'), qr/^warning: hot_standby_feedback is off/,
	'standby: hot_standby_feedback off is flagged');
is(findings($primary, 'hot_standby_feedback'), '', 'primary: hot_standby_feedback is not audited');

# wal_sender_timeout 0, from the configuration file.
$primary->append_conf('postgresql.conf', "wal_sender_timeout = 0\n");
$primary->reload;
ok($primary->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM readscale.config_audit() WHERE setting = 'wal_sender_timeout' AND severity = 'warning'"),
	'wal_sender_timeout 0 is flagged');

# wal_level minimal and no WAL senders: both critical.
my $single = PostgreSQL::Test::Cluster->new('audit_minimal');
$single->init;    # wal_level = minimal, max_wal_senders = 0
$single->start;
$single->safe_psql('postgres', 'CREATE EXTENSION pg_readscale');
like(findings($single, 'wal_level'), qr/^critical: wal_level is minimal/, 'wal_level minimal is critical');
like(findings($single, 'max_wal_senders'), qr/^critical: max_wal_senders is 0/, 'max_wal_senders 0 is critical');

$single->stop;
$standby->stop;
$primary->stop;
done_testing();
