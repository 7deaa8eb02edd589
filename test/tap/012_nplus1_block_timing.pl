# An N+1 loop inside a transaction block over the extended protocol, whose
# parent runs longer than the whole loop. PostgreSQL ends an unnamed
# portal's executor only when the next statement is bound, so at
# ExecutorEnd statement_timestamp() is already the next statement's: a
# statement's start must be taken when its executor starts, or the parent
# seems to end after its lookups began and the loop is lost. Checked alone
# and next to pg_stat_statements loaded before and after pothos_perf (when
# it is loaded first, pg_stat_statements gives the executor its totaltime and
# pothos_perf keeps the start in a slot of its own).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('np_block');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pothos_perf'\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pothos_perf;
    CREATE TABLE blk_parent (id int PRIMARY KEY, name text NOT NULL);
    INSERT INTO blk_parent SELECT g, 'p' || g FROM generate_series(1, 50) g;
    CREATE TABLE blk_child (id int PRIMARY KEY, v text NOT NULL);
    INSERT INTO blk_child SELECT g, md5(g::text) FROM generate_series(1, 1000) g;
    VACUUM ANALYZE;
});

# One unit: the parent (8 rows, 20 ms of sleep per row), then one lookup per
# row with the row's id as a bound parameter.
my $script = $node->basedir . '/block.sql';
open my $fh, '>', $script or die "$script: $!";
print $fh "BEGIN;\n";
print $fh "SELECT id, pg_sleep(0.02) FROM blk_parent WHERE id <= 8 ORDER BY id;\n";
print $fh "\\set k $_\nSELECT v FROM blk_child WHERE id = :k;\n" for 1 .. 8;
print $fh "COMMIT;\n";
close $fh;

for my $libs ('pothos_perf', 'pg_stat_statements,pothos_perf', 'pothos_perf,pg_stat_statements') {
    $node->adjust_conf('postgresql.conf', 'shared_preload_libraries', "'$libs'");
    $node->restart;
    is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'), $libs, "$libs: loaded");
    $node->safe_psql('postgres', 'SELECT pothos_perf.reset(), pothos_perf.n_plus_one_reset()');
    command_ok(
        [ 'pgbench', '-n', '-M', 'extended', '-c', 1, '-t', 3, '-f', $script,
          '-d', $node->connstr('postgres') ],
        "$libs: three units over the extended protocol");
    # Every execution of the parent took its 160 ms of sleep: far longer than
    # eight lookups on a loopback connection (else this would test nothing).
    is($node->safe_psql('postgres', q{
        SELECT min_exec_time >= 160 FROM pothos_perf.statements WHERE query ~ 'pg_sleep' AND calls = 3}),
        't', "$libs: the parent outlasts its loop");
    is($node->safe_psql('postgres', q{
        SELECT kind || ' | ' || parent_query || ' | ' || total_repeats || ' | ' || occurrences
          FROM pothos_perf.n_plus_one WHERE query ~ 'FROM blk_child'}),
        'n_plus_one | SELECT id, pg_sleep($1) FROM blk_parent WHERE id <= $2 ORDER BY id | 24 | 3',
        "$libs: every lookup of the three units is an iteration of the parent");
}

$node->stop;
done_testing();
