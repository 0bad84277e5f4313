# readscale_decoder in a LATIN1 database: names and values reach a real
# pg_recvlogical as UTF-8 JSON (RFC 8259), converted with pg_server_to_any.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use ReadScale::Pair qw(new_primary);

my $node = new_primary('decoder_latin1');
$node->safe_psql('postgres',
	"CREATE DATABASE latin TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'");
# Written from UTF-8 client text: the server stores LATIN1 bytes (é is 0xE9).
$node->safe_psql('latin', "SET client_encoding = 'UTF8'; CREATE TABLE caf\x{c3}\x{a9} (id int PRIMARY KEY, na\x{c3}\x{af}ve text)");
$node->safe_psql('latin',
	"SELECT 'init' FROM pg_create_logical_replication_slot('latin_slot', 'readscale_decoder')");
$node->safe_psql('latin', "SET client_encoding = 'UTF8'; INSERT INTO caf\x{c3}\x{a9} VALUES (1, 'cr\x{c3}\x{a8}me br\x{c3}\x{bb}l\x{c3}\x{a9}e')");
my $endpos = $node->safe_psql('latin', 'SELECT pg_current_wal_lsn()');

my ($out, $err);
IPC::Run::run(
	[
		'pg_recvlogical', '-d', $node->connstr('latin'), '-S', 'latin_slot', '--start',
		'--endpos', $endpos, '--no-loop', '-f', '-'
	],
	'>', \$out, '2>', \$err);
is($?, 0, 'pg_recvlogical ran') or diag($err);
# $out holds raw bytes: the UTF-8 encodings of é (C3 A9), ï (C3 AF), è (C3 A8), û (C3 BB).
is($out, qq({"op":"insert","schema":"public","table":"caf\x{c3}\x{a9}","new":{"id":1,"na\x{c3}\x{af}ve":"cr\x{c3}\x{a8}me br\x{c3}\x{bb}l\x{c3}\x{a9}e"}}\n),
	'table, column and value arrive as UTF-8');
unlike($out, qr/\x{e9}/, 'no raw LATIN1 byte in the stream');

$node->stop;
done_testing();
