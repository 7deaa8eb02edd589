# A primary and a streaming standby, both with pothos_perf preloaded. The
# extension is created on the primary and reaches the standby through
# replication. A read workload on the standby is recorded there: its
# statements, slow executions, N+1 findings and index advice (the advice
# says the index is to be created on the primary; hypothetical indexes work
# on the read-only standby). health() reports each server's role and its
# replication lag. The metrics endpoint serves on the standby. Statements the
# standby recorded survive its restart (the statistics file is written at its
# clean shutdown) and its promotion (with its slow executions).
use strict;
use warnings;
use IO::Socket::INET;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', "shared_preload_libraries = 'pothos_perf'\n");
$primary->start;
$primary->safe_psql('postgres', q{
    CREATE EXTENSION pothos_perf;
    CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL, pad text);
    INSERT INTO t SELECT g, g % 1000, 'x' FROM generate_series(1, 20000) g;
    CREATE TABLE sb_lists (id int PRIMARY KEY, owner_id int);
    CREATE TABLE sb_users (id int PRIMARY KEY, name text);
    INSERT INTO sb_lists SELECT g, g FROM generate_series(1, 20) g;
    INSERT INTO sb_users SELECT g, 'u' || g FROM generate_series(1, 20) g;
    ANALYZE;
});
$primary->backup('base');

my $metrics_port = PostgreSQL::Test::Cluster::get_free_port();
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->append_conf('postgresql.conf', "pothos_perf.metrics_listen = '$metrics_port'\n");
$standby->start;
$primary->wait_for_catchup($standby);

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');
is($standby->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'pothos_perf'}),
   '0.1', 'the extension replicated to the standby');

# The read workload, on the standby.
my $workload = q{
SET pothos_perf.advisor_sample_rate = 1;
SET pothos_perf.slow_query_threshold = 0;
SELECT count(*) FROM t WHERE a = 42 \g /dev/null
SELECT count(*) FROM t WHERE a = 43 \g /dev/null
RESET pothos_perf.slow_query_threshold;
SET pothos_perf.n_plus_one_min_occurrences = 1;
SET pothos_perf.request_id = 'standby-loop';
SELECT id, owner_id FROM sb_lists WHERE id <= 20 \g /dev/null
};
$workload .= "SELECT name FROM sb_users WHERE id = $_ \\g /dev/null\n" for 1 .. 20;
$workload .= "RESET pothos_perf.request_id;\nSELECT 1 \\g /dev/null\n";
$standby->safe_psql('postgres', $workload);

my $recorded = q{SELECT count(*) FROM pothos_perf.statements
                  WHERE query IN ('SELECT count(*) FROM t WHERE a = $1', 'SELECT name FROM sb_users WHERE id = $1')};
is($standby->safe_psql('postgres', $recorded), '2', 'standby: its statements are recorded');
is($standby->safe_psql('postgres', q{
    SELECT calls FROM pothos_perf.statements WHERE query = 'SELECT name FROM sb_users WHERE id = $1'}),
   '20', 'standby: with their calls');
is($primary->safe_psql('postgres', $recorded), '0', 'the primary did not record them');
is($standby->safe_psql('postgres', q{
    SELECT sum(execution_count) FROM pothos_perf.slow_queries WHERE query = 'SELECT count(*) FROM t WHERE a = $1'}),
   '2', 'standby: its slow executions are captured');
is($standby->safe_psql('postgres', q{
    SET pothos_perf.n_plus_one_min_occurrences = 1;
    SELECT kind || '|' || query || '|' || max_repeats FROM pothos_perf.n_plus_one
     WHERE parent_query LIKE '%FROM sb_lists%'}),
   'n_plus_one|SELECT name FROM sb_users WHERE id = $1|20', 'standby: the N+1 loop is found');

# Index advice on the standby: the index is for the primary.
my ($ddl, $note) = split /\|/, $standby->safe_psql('postgres',
    q{SELECT index_ddl || '|' || note FROM pothos_perf.recommend_indexes()});
is($ddl, 'CREATE INDEX CONCURRENTLY ON public.t USING btree (a)', 'standby: the index is recommended');
like($note, qr/standby.*primary/, 'standby: the advice says to create it on the primary');
is($standby->safe_psql('postgres', q{SELECT count(*) FROM pothos_perf.index_recommendations WHERE note IS NULL}),
   '0', 'standby: every recommendation carries the note');
like($standby->safe_psql('postgres', q{
    SELECT string_agg("QUERY PLAN", ' ') FROM pothos_perf.hypothetical_explain(
        'SELECT * FROM t WHERE a = 42', ARRAY['CREATE INDEX ON t (a)'])}),
     qr/<hypothetical t_a>/, 'standby: hypothetical_explain plans with the pretended index');
is($standby->safe_psql('postgres', q{SELECT count(*) FROM pothos_perf.redundant_indexes()}) >= 0 ? 1 : 0,
   1, 'standby: redundant_indexes() runs');
like($standby->safe_psql('postgres', q{
    SELECT pothos_perf.analyze_query('SELECT * FROM t WHERE a = 42')::text}),
     qr/\S/, 'standby: analyze_query() runs');

like($standby->safe_psql('postgres', q{
    SELECT is_optimized IS NOT NULL FROM pothos_perf.analyze_performance('SELECT * FROM t WHERE a = 42')}),
     qr/^t$/, 'standby: analyze_performance() runs a read');
my ($rc, $out, $err) = $standby->psql('postgres',
    q{SELECT * FROM pothos_perf.analyze_performance('INSERT INTO t VALUES (0, 0)', allow_writes => true)});
isnt($rc, 0, 'standby: analyze_performance() of a write fails');
like($err, qr/standby/, 'standby: saying it is a standby');

# The resets work on the standby (its own shared memory).
is($standby->safe_psql('postgres', q{
    SELECT pothos_perf.n_plus_one_reset() > 0;
    SELECT pothos_perf.slow_queries_reset() > 0;
    SELECT findings FROM pothos_perf.n_plus_one_info();
    SELECT count(*) FROM pothos_perf.slow_queries;
}), "t\nt\n0\n0", 'standby: its N+1 findings and slow executions can be reset');

# Advice on the primary carries no note. (Its own workload, without the
# rows loaded at the start, whose write cost outweighs the index.)
$primary->safe_psql('postgres', q{
    SELECT pothos_perf.reset();
    SELECT pothos_perf.advisor_reset();
    SET pothos_perf.advisor_sample_rate = 1;
    SELECT count(*) FROM t WHERE a = 42;
    SELECT count(*) FROM t WHERE a = 43;
});
is($primary->safe_psql('postgres',
        q{SELECT count(*) || '|' || count(note) FROM pothos_perf.recommend_indexes()}),
   '1|0', 'primary: the same advice, without the note');

# health(): role and replication lag.
is($standby->safe_psql('postgres', q{SELECT pothos_perf.health() #>> '{replication,role}'}),
   'standby', 'standby: health() says standby');
is($standby->safe_psql('postgres', q{
    SELECT concat_ws('|', jsonb_typeof(r -> 'replayLagBytes'), (r ->> 'replayLagBytes')::numeric >= 0,
                     jsonb_typeof(r -> 'replayLagSeconds'), (r ->> 'replayLagSeconds')::numeric >= 0,
                     jsonb_typeof(r -> 'receivedLsn'), jsonb_typeof(r -> 'standbys'))
      FROM (SELECT pothos_perf.health() -> 'replication' AS r) h}),
   'number|t|number|t|string|array', 'standby: replay lag in bytes and seconds');
is($primary->safe_psql('postgres', q{SELECT pothos_perf.health() #>> '{replication,role}'}),
   'primary', 'primary: health() says primary');
is($primary->safe_psql('postgres', q{
    SELECT concat_ws('|', jsonb_array_length(r -> 'standbys'), r #>> '{standbys,0,name}',
                     jsonb_typeof(r #> '{standbys,0,replayLagBytes}'), jsonb_typeof(r -> 'replayLagBytes'))
      FROM (SELECT pothos_perf.health() -> 'replication' AS r) h}),
   '1|standby|number|null', 'primary: one standby, with its lag');
is($primary->safe_psql('postgres', q{
    SET ROLE pg_monitor; SELECT jsonb_typeof(pothos_perf.health() #> '{replication,standbys,0,replayLagBytes}')}),
   'number', 'primary: pg_monitor sees its lag too');
$primary->safe_psql('postgres', 'CREATE ROLE sb_plain');
is($primary->safe_psql('postgres', q{
    SET ROLE sb_plain;
    SELECT concat_ws('|', jsonb_array_length(h #> '{replication,standbys}'),
                     h #>> '{replication,standbys,0,name}',
                     jsonb_typeof(h #> '{replication,standbys,0,state}'),
                     jsonb_typeof(h #> '{replication,standbys,0,replayLagBytes}'))
      FROM (SELECT pothos_perf.health() AS h) x}),
   '1|standby|null|null', 'primary: a plain role sees the standby\'s name, not its state or lag');

# The metrics endpoint serves on the standby.
$standby->poll_query_until('postgres',
    q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pothos_perf metrics'})
  or die 'no metrics worker on the standby';
my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $metrics_port, Proto => 'tcp',
                                 Timeout => 10);
ok($sock, 'standby: the metrics endpoint listens');
my $resp = '';
if ($sock) {
    print $sock "GET /metrics HTTP/1.0\r\n\r\n";
    local $/;
    $resp = <$sock> // '';
    close $sock;
}
like($resp, qr{^HTTP/1\.0 200}, 'standby: GET /metrics answers 200');
like($resp, qr/^pothos_database_queries_total\{operation="select",model="sb_users?",status="success"\} 20$/m,
     'standby: with the metrics of its own workload');

# A clean restart of the standby: the statistics file is written in its
# data directory at shutdown and read back.
my $file = $standby->data_dir . '/pg_stat/pothos_perf.stat';
$standby->stop;
ok(-e $file, 'standby: the statistics file is written at its clean shutdown');
$standby->start;
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is back in recovery');
is($standby->safe_psql('postgres', $recorded), '2', 'standby restart: its statements are still there');
is($standby->safe_psql('postgres', q{
    SELECT calls FROM pothos_perf.statements WHERE query = 'SELECT name FROM sb_users WHERE id = $1'}),
   '20', 'standby restart: with their calls');

# Promotion: the server keeps running, and so do its statistics and what
# lives in shared memory only (a slow execution captured just before).
$standby->safe_psql('postgres', q{
    SET pothos_perf.slow_query_threshold = 0;
    SELECT count(*) FROM t WHERE a = 44;
});
$standby->promote;
$standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()')
  or die 'the standby was not promoted';
is($standby->safe_psql('postgres', $recorded), '2', 'promotion: the statements are still there');
is($standby->safe_psql('postgres', q{
    SELECT sum(execution_count) FROM pothos_perf.slow_queries WHERE query = 'SELECT count(*) FROM t WHERE a = $1'}),
   '1', 'promotion: the slow execution captured as a standby is still there');
is($standby->safe_psql('postgres', q{SELECT pothos_perf.health() #>> '{replication,role}'}),
   'primary', 'promotion: health() says primary');
is($standby->safe_psql('postgres', q{SELECT count(note) FROM pothos_perf.recommend_indexes()}),
   '0', 'promotion: the advice has no standby note any more');
# Written as the new primary, read back after its restart.
$standby->safe_psql('postgres', 'SELECT count(*) FROM t WHERE a = 7');
$standby->restart;
is($standby->safe_psql('postgres', $recorded), '2', 'promoted, restarted: the statements are still there');
is($standby->safe_psql('postgres', q{
    SELECT count(*) || '|' || sum(calls) FROM pothos_perf.statements WHERE query = 'SELECT count(*) FROM t WHERE a = $1'}),
   '1|4', 'promoted, restarted: one entry for the filter, its executions as standby and as primary together');

$standby->stop;
$primary->stop;
done_testing();
