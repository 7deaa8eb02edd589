# Many sessions at once: the final counts equal the statements run. Nothing
# is lost, in simple and extended protocol.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('conc');
$node->init;
$node->append_conf('postgresql.conf',
    "shared_preload_libraries = 'pothos_perf'\nmax_connections = 40\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pothos_perf;
    CREATE TABLE c (id int PRIMARY KEY, v bigint NOT NULL);
    INSERT INTO c SELECT g, 0 FROM generate_series(1, 50) g;
});

my $script = $node->basedir . '/conc.sql';
open my $fh, '>', $script or die $!;
print $fh "\\set k random(1, 50)\n";
print $fh "SELECT v FROM c WHERE id = :k;\n";
print $fh "UPDATE c SET v = v + 1 WHERE id = :k;\n";
print $fh "SELECT count(*) FROM c WHERE id <= :k;\n";
close $fh;

for my $mode ('simple', 'prepared') {
    $node->safe_psql('postgres', 'UPDATE c SET v = 0; SELECT pothos_perf.reset()');
    my ($clients, $tx) = (8, 250);
    command_ok([ 'pgbench', '-n', '-M', $mode, '-c', $clients, '-j', 2, '-t', $tx, '-f', $script,
                 '-d', $node->connstr('postgres') ], "pgbench $mode");
    my $want = $clients * $tx;
    my $got = $node->safe_psql('postgres', q{
        SELECT string_agg(calls::text, ',' ORDER BY query COLLATE "C") FROM pothos_perf.statements
         WHERE query LIKE '%FROM c WHERE%' OR query LIKE 'UPDATE c SET%'});
    is($got, "$want,$want,$want", "$mode: every statement counted once ($want each)");
    is($node->safe_psql('postgres', 'SELECT sum(v) FROM c'), $want, "$mode: the workload really ran");
    is($node->safe_psql('postgres', q{
        SELECT sum(errors) FROM pothos_perf.statements WHERE query LIKE 'UPDATE c SET%'}),
       '0', "$mode: no errors");
}

$node->stop;
done_testing();
