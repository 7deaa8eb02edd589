# The index advisor beside pg_stat_statements, auto_explain (logging every
# plan with ANALYZE) and pg_qualstats, loaded before and after them: the
# collection, the hypothetical indexes and the recommendations work the
# same. With a tiny collection table (advisor_max_predicates = 100), more
# column uses than it holds are evicted (CLOCK), and it stays full and usable.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('advisor');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_stat_statements,auto_explain,pg_qualstats,pothos_perf'
auto_explain.log_min_duration = 0
auto_explain.log_analyze = on
pg_qualstats.sample_rate = 1
pothos_perf.advisor_max_predicates = 100
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pg_stat_statements;
    CREATE EXTENSION pg_qualstats;
    CREATE EXTENSION pothos_perf;
    CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL, pad text);
    INSERT INTO t SELECT g, g % 1000, g % 7, 'x' FROM generate_series(1, 20000) g;
    ANALYZE t;
});

sub check_advisor {
    my ($label) = @_;
    $node->safe_psql('postgres', q{
        SELECT pothos_perf.advisor_reset();
        SELECT pothos_perf.reset();
        SET pothos_perf.advisor_sample_rate = 1;
        SELECT count(*) FROM t WHERE a = 42;
        SELECT count(*) FROM t WHERE a = 43;
    });
    my $rec = $node->safe_psql('postgres',
        'SELECT string_agg(index_ddl, \'|\') FROM pothos_perf.recommend_indexes()');
    is($rec, 'CREATE INDEX CONCURRENTLY ON public.t USING btree (a)', "$label: recommendation");
    my $plan = $node->safe_psql('postgres', q{
        SELECT string_agg("QUERY PLAN", ' ') FROM pothos_perf.hypothetical_explain(
            'SELECT * FROM t WHERE a = 42', ARRAY['CREATE INDEX ON t (a)'])});
    like($plan, qr/<hypothetical t_a>/, "$label: hypothetical_explain uses the pretended index");
    my $real = $node->safe_psql('postgres', q{SELECT count(*) FROM pg_indexes WHERE tablename = 't'});
    is($real, '1', "$label: nothing created");
}

check_advisor('loaded last');
my $qs = $node->safe_psql('postgres', 'SELECT count(*) > 0 FROM pg_qualstats');
is($qs, 't', 'pg_qualstats still collects');
ok($node->log_contains('Query Text: SELECT count\(\*\) FROM t WHERE a = 42'), 'auto_explain still logs');

# Eviction: 30 columns, 120 two-column filters -> 240 column uses for 100 slots.
$node->safe_psql('postgres', 'CREATE TABLE w (' . join(', ', map { "c$_ int" } 1 .. 30) . ')');
my $sql = "SET pothos_perf.advisor_sample_rate = 1;\n";
my $n = 0;
for my $x (1 .. 30) {
    for my $y ($x + 1 .. 30) {
        last if $n >= 120;
        $sql .= "SELECT count(*) FROM w WHERE c$x = 1 AND c$y = 2;\n";
        $n++;
    }
}
$node->safe_psql('postgres', $sql);
my $info = $node->safe_psql('postgres',
    'SELECT max, entries, evictions > 0 FROM pothos_perf.advisor_info()');
is($info, '100|100|t', 'table full, older uses evicted');
check_advisor('after eviction');

# The other load order.
$node->stop;
$node->adjust_conf('postgresql.conf', 'shared_preload_libraries',
    "'pothos_perf,pg_qualstats,auto_explain,pg_stat_statements'");
$node->start;
check_advisor('loaded first');

$node->stop;
done_testing();
