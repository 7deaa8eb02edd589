# No value of a statement is stored unless pothos_perf.capture_params is on.
# Distinctive literals (simple protocol, utility statements, a DO block) and
# bound parameters (PREPARE/EXECUTE, the extended protocol through pgbench)
# run with every module capturing (slow-query threshold 0 with plans and the
# log line, advisor sampling every execution, N+1 units); then no view or
# function of the extension, no metrics page served over HTTP, no server log
# line pothos_perf writes and no statistics file written at shutdown holds
# any of them. With capture_params on, the same bound value is kept where
# asked for (the parameters and the custom plan of a slow execution), so the
# search itself is shown to find values.
use strict;
use warnings;
use IO::Socket::INET;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('values');
$node->init;
my $http = PostgreSQL::Test::Cluster::get_free_port();
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pothos_perf'
pothos_perf.slow_query_threshold = 0
pothos_perf.log_slow_queries = on
pothos_perf.track_utility = on
pothos_perf.metrics_listen = '$http'
plan_cache_mode = force_custom_plan
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pothos_perf;
    CREATE TABLE secret (id int PRIMARY KEY, name text NOT NULL, salary int NOT NULL);
    INSERT INTO secret SELECT g, 'n' || g, g FROM generate_series(1, 2000) g;
    ANALYZE secret;
});

# The values: none occurs in the data or in any name.
my @values = qw(424242 424243 515151 31337.5 zq-secret-77 zq-bound-text zq-ctas-4711 55667788 7000001 7000005);

$node->safe_psql('postgres', q{
    SET pothos_perf.advisor_sample_rate = 1;
    SELECT * FROM secret WHERE salary = 424242;
    SELECT * FROM secret WHERE name = 'zq-secret-77' OR salary > 31337.5;
    PREPARE p(int) AS SELECT * FROM secret WHERE salary = $1;
    EXECUTE p(424243);
    EXECUTE p(424243);
    CREATE TABLE zq AS SELECT 'zq-ctas-4711' AS v;
    DO $$BEGIN PERFORM 55667788; END$$;
    SET work_mem = '55667788kB';
    RESET work_mem;
});
# N+1 units: a list whose rows hold the keys (values in no row of the table),
# then one lookup per row with its key, in several transactions.
for my $unit (1 .. 4) {
    my $sql = "BEGIN; SELECT 7000000 + id AS k FROM secret WHERE id <= 6;\n";
    $sql .= "SELECT name FROM secret WHERE salary = 700000$_;\n" for 1 .. 6;
    $node->safe_psql('postgres', $sql . 'COMMIT;');
}

my $script = $node->basedir . '/extended.sql';
open my $fh, '>', $script or die $!;
print $fh "\\set v 515151\n";
print $fh "SELECT id FROM secret WHERE salary = :v;\n";
print $fh "SELECT id FROM secret WHERE name = :nm;\n";
close $fh;
command_ok([ 'pgbench', '-n', '-M', 'extended', '-t', 5, '-f', $script, '-D', 'nm=zq-bound-text',
             '-d', $node->connstr('postgres') ], 'extended protocol with bound parameters');

sub http_metrics {
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $http, Proto => 'tcp', Timeout => 10)
      or return '';
    print $sock "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
    local $/;
    my $body = <$sock>;
    close $sock;
    return $body // '';
}

# Everything the extension shows, as text.
my %shown = (
    statements => q{SELECT string_agg(s::text, E'\n') FROM pothos_perf.statements s},
    slow_queries => q{SELECT string_agg(s::text, E'\n') FROM pothos_perf.get_slow_queries(NULL, 1000, true) s},
    n_plus_one => q{SELECT string_agg(s::text, E'\n') FROM pothos_perf.n_plus_one s},
    index_recommendations => q{SELECT string_agg(s::text, E'\n') FROM pothos_perf.recommend_indexes(0) s},
    advisor_predicates => q{SELECT string_agg(s::text, E'\n') FROM pothos_perf.advisor_predicates s},
    health => q{SELECT pothos_perf.health()::text},
    metrics => q{SELECT pothos_perf.metrics()},
);
my $all = '';
for my $what (sort keys %shown) {
    my $text = $node->safe_psql('postgres', $shown{$what});
    $all .= $text;
    for my $v (@values) {
        unlike($text, qr/\Q$v\E/, "$what holds no $v");
    }
}
like($all, qr/secret/, 'the views do show the statements');
like($node->safe_psql('postgres', 'SELECT count(*) FROM pothos_perf.n_plus_one'), qr/^[1-9]/,
     'the lookups were found as an N+1');
like($node->safe_psql('postgres', q{SELECT count(*) FROM pothos_perf.get_slow_queries(NULL, 1000, true)
                                    WHERE query LIKE '%FROM secret WHERE salary = $1%' AND plan IS NOT NULL}),
     qr/^[1-9]/, 'slow executions of the bound statements were captured with plans');
my $page = http_metrics();
like($page, qr/pothos_database_queries_total/, 'the metrics page is served');
unlike($page, qr/SELECT |secret WHERE/, 'the metrics page holds no query text');
for my $v (@values) {
    unlike($page, qr/\Q$v\E/, "metrics page holds no $v");
}

# The log lines pothos_perf writes.
my $log = slurp_file($node->logfile);
my @ours = grep { /pothos_perf/ } split /\n/, $log;
ok(scalar(grep { /slow query/ } @ours) > 0, 'slow queries were logged');
for my $v (@values) {
    is(scalar(grep { /\Q$v\E/ } @ours), 0, "no pothos_perf log line holds $v");
}

# The statistics file written at shutdown.
$node->stop;
my $stat = slurp_file($node->data_dir . '/pg_stat/pothos_perf.stat');
like($stat, qr/FROM secret WHERE salary = \$1/, 'the statistics file holds the texts');
for my $v (@values) {
    unlike($stat, qr/\Q$v\E/, "statistics file holds no $v");
}

# capture_params on: the value is kept where asked for.
$node->start;
$node->safe_psql('postgres', q{
    SET pothos_perf.capture_params = on;
    PREPARE p(int) AS SELECT * FROM secret WHERE salary = $1;
    EXECUTE p(515151);
});
my $kept = $node->safe_psql('postgres', q{
    SELECT string_agg(coalesce(params, '') || ' ' || coalesce(plan, ''), E'\n')
      FROM pothos_perf.get_slow_queries(NULL, 1000, true) WHERE params IS NOT NULL});
like($kept, qr/515151/, 'with capture_params on, the bound value is kept');
$node->stop;
done_testing();
