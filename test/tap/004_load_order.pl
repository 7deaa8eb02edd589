# Loaded after pg_stat_statements in shared_preload_libraries (its hooks run
# before ours and clear utility query ids), pothos_perf still tracks utility
# statements under the same query id and agrees with it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('order');
$node->init;
$node->append_conf('postgresql.conf',
    "shared_preload_libraries = 'pothos_perf,pg_stat_statements'\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pg_stat_statements;
    CREATE EXTENSION pothos_perf;
    SELECT pg_stat_statements_reset();
    SELECT pothos_perf.reset();
});
$node->safe_psql('postgres', 'CREATE TABLE lo (a int)');
$node->safe_psql('postgres', 'INSERT INTO lo VALUES (1)') for 1 .. 3;
$node->safe_psql('postgres', 'VACUUM lo');
$node->safe_psql('postgres', 'SELECT count(*) FROM lo');

my $diff = $node->safe_psql('postgres', q{
    SELECT count(*) FROM pg_stat_statements s
      JOIN pothos_perf.statements p USING (userid, dbid, queryid, toplevel)
     WHERE s.query ~ '\mlo\M' AND (s.calls <> p.calls OR s.rows <> p.rows)});
is($diff, '0', 'same calls and rows');
my $both = $node->safe_psql('postgres', q{
    SELECT string_agg(s.query, '|' ORDER BY s.query COLLATE "C") FROM pg_stat_statements s
      JOIN pothos_perf.statements p USING (userid, dbid, queryid, toplevel)
     WHERE s.query ~ '\mlo\M'});
is($both, 'CREATE TABLE lo (a int)|INSERT INTO lo VALUES ($1)|SELECT count(*) FROM lo|VACUUM lo',
   'utility and plannable statements matched by query id');

$node->stop;
done_testing();
