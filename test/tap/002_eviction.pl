# With a small store, ten times more distinct statements than it holds:
# entries stay within max_statements, dealloc counts the evictions, and a
# statement that keeps running is not evicted (CLOCK eviction).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('evict');
$node->init;
$node->append_conf('postgresql.conf',
    "shared_preload_libraries = 'pothos_perf'\npothos_perf.max_statements = 100\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pothos_perf; SELECT pothos_perf.reset()');

# 1000 distinct fingerprints (a different number of output columns each),
# with a hot statement between every ten of them. One session, one script.
my $sql = '';
for my $k (1 .. 1000) {
    $sql .= 'SELECT ' . join(',', ('1') x $k) . " \\g /dev/null\n";
    $sql .= "SELECT count(*) FROM pg_class \\g /dev/null\n" if $k % 10 == 0;
}
$node->safe_psql('postgres', $sql);

my ($max, $entries, $dealloc) = split /\|/,
  $node->safe_psql('postgres', 'SELECT max, entries, dealloc FROM pothos_perf.statements_info');
is($max, 100, 'max_statements');
cmp_ok($entries, '<=', 100, 'entries stay within max_statements');
cmp_ok($dealloc, '>=', 900, 'evictions are counted');
is($node->safe_psql('postgres',
    "SELECT calls FROM pothos_perf.statements WHERE query = 'SELECT count(*) FROM pg_class'"),
   '100', 'the hot statement survived all the churn with every call counted');

$node->stop;
done_testing();
