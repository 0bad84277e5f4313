# deploy/prometheus: the alert rules load in promtool and their unit tests pass
# (series named as readscale.metrics() and the health endpoint's /metrics emit them).
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = "$ENV{READSCALE_SOURCE}/deploy/prometheus";
ok(-f "$dir/readscale_alerts.yml", 'alert rules present');
my ($out, $err);
ok(IPC::Run::run([ 'promtool', 'check', 'rules', "$dir/readscale_alerts.yml" ], '>', \$out, '2>', \$err),
	'promtool check rules') or diag("$out$err");
like($out, qr/SUCCESS: 8 rules found/, 'all eight rules load');
ok(IPC::Run::run([ 'promtool', 'test', 'rules', "$dir/readscale_alerts_test.yml" ], '>', \$out, '2>', \$err),
	'promtool test rules') or diag("$out$err");

# Every metric the rules use is one readscale.metrics() emits (the installed
# full script of the default version).
my $sharedir = `pg_config --sharedir`;
chomp $sharedir;
my ($default) = slurp_file("$sharedir/extension/pg_readscale.control") =~ /^default_version\s*=\s*'([^']+)'/m;
my $script = slurp_file("$sharedir/extension/pg_readscale--$default.sql");
my $rules = slurp_file("$dir/readscale_alerts.yml");
my %used = map { $_ => 1 } map { /\b(readscale_[a-z_]+)\b/g } $rules =~ /expr:(.*?)\n\s*for:/sg;
ok(scalar(keys %used) >= 8, 'rules use readscale metrics');
for my $metric (sort keys %used)
{
	my $type = $metric =~ /_total$/ ? 'counter' : 'gauge';
	like($script, qr/# TYPE \Q$metric\E $type/, "$metric is emitted by readscale.metrics() as a $type");
}

done_testing();
