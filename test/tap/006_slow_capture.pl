# Slow-query capture under concurrency and beside other plan-printing
# modules: with pg_stat_statements and auto_explain (logging every plan)
# loaded too, every slow execution of many concurrent sessions is counted
# (health()'s slowQueryCount), the ring keeps exactly max_slow_queries of
# them, each with its plan and parameters, and nothing else is disturbed.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('slow');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pothos_perf,pg_stat_statements,auto_explain'
max_connections = 40
pothos_perf.max_slow_queries = 100
pothos_perf.capture_params = on
auto_explain.log_min_duration = 0
auto_explain.log_analyze = on
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pothos_perf;
    CREATE EXTENSION pg_stat_statements;
    CREATE TABLE s (id int PRIMARY KEY, v bigint NOT NULL);
    INSERT INTO s SELECT g, 0 FROM generate_series(1, 50) g;
    CREATE ROLE bench LOGIN;
    GRANT SELECT, UPDATE ON s TO bench;
    -- Only bench's statements are slow (threshold 0); everything else keeps 1 s.
    ALTER ROLE bench SET pothos_perf.slow_query_threshold = 0;
    SELECT pothos_perf.slow_queries_reset();
});

my $script = $node->basedir . '/slow.sql';
open my $fh, '>', $script or die $!;
print $fh "\\set k random(1, 50)\n";
print $fh "SELECT v FROM s WHERE id = :k;\n";
print $fh "UPDATE s SET v = v + 1 WHERE id = :k;\n";
close $fh;

my ($clients, $tx) = (8, 125);
command_ok([ 'pgbench', '-n', '-M', 'prepared', '-c', $clients, '-j', 2, '-t', $tx, '-f', $script,
             '-d', $node->connstr('postgres') . ' user=bench' ], 'pgbench as bench');
my $want = 2 * $clients * $tx;

is($node->safe_psql('postgres', q{SELECT (pothos_perf.health() -> 'performance' ->> 'slowQueryCount')}),
   $want, "every slow execution counted ($want)");
is($node->safe_psql('postgres', q{
    SELECT sum(slow_calls) FROM pothos_perf.statements
     WHERE query LIKE 'SELECT v FROM s%' OR query LIKE 'UPDATE s SET%'}),
   $want, 'slow_calls agree');
is($node->safe_psql('postgres', 'SELECT sum(execution_count) FROM pothos_perf.slow_queries'),
   '100', 'the ring holds max_slow_queries executions');
is($node->safe_psql('postgres', q{
    SELECT count(*) FROM pothos_perf.get_slow_queries(include_params => true)
     WHERE plan IS NULL OR params !~ '^\$1 = ''[0-9]+''$'}),
   '0', 'each with its plan and parameters');
is($node->safe_psql('postgres', 'SELECT sum(v) FROM s'), $clients * $tx, 'the workload really ran');
is($node->safe_psql('postgres', q{
    SELECT sum(calls) FROM pg_stat_statements WHERE query LIKE 'UPDATE s SET%'}),
   $clients * $tx, 'pg_stat_statements undisturbed');
like(slurp_file($node->logfile), qr/duration: .* plan:/, 'auto_explain still logs plans');

$node->stop;
done_testing();
