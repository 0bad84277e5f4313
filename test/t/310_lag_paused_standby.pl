# Issue 15 point 1: a stalled standby looks stale on the primary too. Commits
# flow, replay is paused on the standby, commits stop half a second later (so
# status replies stop and replay_lag freezes): from 1 s after the pause on,
# the primary's standby_lag.staleness is never more than 1 s below the
# standby's own local_lag.staleness (sampled a few times; both printed), the
# verdict follows, and once replay resumes and catches up the staleness is 0
# and stays 0 on the idle primary.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep time);
use ReadScale::Pair qw(new_primary new_standby);

# autovacuum off: its commits on an idle primary would make the idle check depend on timing.
my $primary = new_primary('paused_primary', "autovacuum = off\n");
my $standby = new_standby($primary, 'paused_standby');
my $name = 'paused_standby';

$primary->safe_psql('postgres', 'CREATE TABLE ticks (i int, at timestamptz DEFAULT clock_timestamp()); CREATE TABLE stop_flag (x int)');
$primary->wait_for_catchup($standby, 'replay');

# A commit every 50 ms until stop_flag has a row.
my $writer = $primary->background_psql('postgres');
$writer->query_until(qr/writing/, q{
\echo writing
DO $$
BEGIN
    FOR i IN 1..2000 LOOP
        EXIT WHEN EXISTS (SELECT 1 FROM stop_flag);
        INSERT INTO ticks (i) VALUES (i);
        COMMIT;
        PERFORM pg_sleep(0.05);
    END LOOP;
END
$$;
});
ok($standby->poll_query_until('postgres', 'SELECT count(*) > 5 FROM ticks'), 'the standby replays the steady commits');

$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
my $paused_at = time;
ok($standby->poll_query_until('postgres', "SELECT pg_get_wal_replay_pause_state() = 'paused'"), 'replay paused');
sleep(0.5);
$primary->safe_psql('postgres', 'INSERT INTO stop_flag VALUES (1)');
$writer->quit;
sleep(1.0 - (time - $paused_at)) if time - $paused_at < 1.0;

my $standby_sql = 'SELECT round(extract(epoch FROM staleness)::numeric, 3) FROM readscale.local_lag';
my $primary_sql = "SELECT round(extract(epoch FROM staleness)::numeric, 3), coalesce(round(extract(epoch FROM replay_lag)::numeric, 3)::text, 'NULL')"
  . " FROM readscale.standby_lag WHERE application_name = '$name'";
my ($worst, $seen, $replay_lag) = (0, 0, 0);
for my $sample (1 .. 5)
{
	# The standby first: the primary, read later, can only look staler.
	my $own = $standby->safe_psql('postgres', $standby_sql);
	($seen, $replay_lag) = split /\|/, $primary->safe_psql('postgres', $primary_sql);
	my $gap = $own - $seen;
	$worst = $gap if $gap > $worst;
	note(sprintf('%.1f s after the pause: standby says %.3f s, primary says %.3f s (replay_lag %s), standby minus primary %.3f s',
		time - $paused_at, $own, $seen, $replay_lag, $gap));
	cmp_ok($seen, '>=', $own - 1.0, "sample $sample: the primary's staleness is at most 1 s below the standby's own");
	sleep(0.5);
}
diag(sprintf('paused standby: largest shortfall of the primary figure %.3f s', $worst));
cmp_ok($seen, '>', $replay_lag, 'staleness grew past the replay_lag frozen since the last status reply');

# The verdict uses the staleness: with a 1 s warning threshold, warning (or worse) on the primary.
$primary->safe_psql('postgres', "ALTER SYSTEM SET readscale.lag_warning = '1s'; SELECT pg_reload_conf()");
ok($primary->poll_query_until('postgres',
		"SELECT verdict <> 'ok' AND reason LIKE 'replay lag %' FROM readscale.standby_lag WHERE application_name = '$name'"),
	'the primary judges the paused standby by its staleness');
is($primary->safe_psql('postgres', "SELECT verdict <> 'ok' FROM readscale.check_lag() WHERE application_name = '$name'"),
	't', 'check_lag agrees');
is($primary->safe_psql('postgres', "SELECT staleness > interval '1 s' FROM readscale.failover_candidates WHERE application_name = '$name'"),
	't', 'failover_candidates shows the staleness');
like($primary->safe_psql('postgres', 'SELECT readscale.metrics()'),
	qr/^readscale_standby_staleness_seconds\{application_name="$name"\} [1-9][0-9.]*$/m, 'metrics export it');

# Resume: caught up means 0, and 0 stays on the idle primary.
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
$primary->wait_for_catchup($standby, 'replay');
ok($primary->poll_query_until('postgres',
		"SELECT staleness = interval '0' AND verdict = 'ok' FROM readscale.standby_lag WHERE application_name = '$name'"),
	'caught up: staleness 0, verdict ok');
sleep(1.5);
is($primary->safe_psql('postgres', "SELECT staleness = interval '0' FROM readscale.standby_lag WHERE application_name = '$name'"),
	't', 'still 0 on the idle primary: no false alarm');

# One more commit, then idle: until the standby's next status reply (wal_receiver_status_interval,
# 10 s) the primary only has the reply that acknowledged receipt, sent before replay. Its figure must
# stay what that reply proves (milliseconds), not climb with the clock (it would be about 2 s here).
$primary->safe_psql('postgres', 'INSERT INTO ticks (i) VALUES (-1)');
sleep(2);
my $idle = $primary->safe_psql('postgres',
	"SELECT extract(epoch FROM staleness) FROM readscale.standby_lag WHERE application_name = '$name'");
diag(sprintf('a commit, then 2 s idle: the primary says %.3f s', $idle));
cmp_ok($idle, '<', 1.5, 'a commit then idle: no climb while the next status reply is pending');

$standby->stop;
$primary->stop;
for my $node ($primary, $standby)
{
	unlike(slurp_file($node->logfile), qr/terminated by signal/, $node->name . ' log shows no crash');
}
done_testing();
