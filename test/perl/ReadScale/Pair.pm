# ReadScale::Pair: a primary and a hot standby from a base backup, both with
# pg_readscale preloaded, the way src/test/recovery builds its nodes.
package ReadScale::Pair;

use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use Exporter 'import';

our @EXPORT_OK = qw(new_primary new_standby);

my $common_conf = <<'CONF';
shared_preload_libraries = 'pg_readscale'
output_plugin_libraries = 'pgoutput, test_decoding, readscale_decoder'
hot_standby_feedback = on
CONF

# A started primary with the extension created in database postgres.
sub new_primary
{
	my ($name, $extra_conf) = @_;
	my $primary = PostgreSQL::Test::Cluster->new($name);
	$primary->init(allows_streaming => 'logical');
	$primary->append_conf('postgresql.conf', $common_conf . ($extra_conf // ''));
	$primary->start;
	$primary->safe_psql('postgres', 'CREATE EXTENSION pg_readscale');
	return $primary;
}

# A started hot standby streaming from $primary, from a fresh base backup.
sub new_standby
{
	my ($primary, $name, $extra_conf) = @_;
	my $backup = "${name}_backup";
	$primary->backup($backup);
	my $standby = PostgreSQL::Test::Cluster->new($name);
	$standby->init_from_backup($primary, $backup, has_streaming => 1);
	$standby->append_conf('postgresql.conf', $extra_conf) if $extra_conf;
	$standby->start;
	$primary->wait_for_catchup($standby, 'replay');
	return $standby;
}

1;
