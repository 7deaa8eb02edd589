# The N+1 window is one ring per backend. With a small ring (64 statements),
# a loop of 200 lookups on one connection overwrites its own parent long
# before the loop ends: the backend analyses its unit when the ring has come
# half round since the trigger, so the loop is still found. Other backends'
# statements do not take room in this backend's ring.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('np_window');
$node->init;
$node->append_conf('postgresql.conf',
    "shared_preload_libraries = 'pothos_perf'\npothos_perf.n_plus_one_window_size = 64\nmax_connections = 20\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pothos_perf;
    CREATE TABLE w_lists (id int PRIMARY KEY, owner_id int);
    CREATE TABLE w_users (id int PRIMARY KEY, name text);
    INSERT INTO w_lists SELECT g, g FROM generate_series(1, 300) g;
    INSERT INTO w_users SELECT g, 'u' || g FROM generate_series(1, 300) g;
    SELECT pothos_perf.n_plus_one_reset();
});

my ($rings_x_slots, $max_backends) = split /\|/, $node->safe_psql('postgres',
    "SELECT window_size, current_setting('max_connections')::int FROM pothos_perf.n_plus_one_info()");
is($rings_x_slots % 64, 0, 'the window is whole rings of 64 slots');
cmp_ok($rings_x_slots / 64, '>', $max_backends, 'one ring per backend (connections plus workers)');

# Statements of other sessions meanwhile: they go to their own rings.
my $busy = $node->background_psql('postgres');
$busy->query_safe('SELECT count(*) FROM w_users WHERE id < ' . $_) for 1 .. 100;

my $loop = "SET pothos_perf.n_plus_one_min_occurrences = 1;\n"
  . "SET pothos_perf.request_id = 'long-loop';\n"
  . "SELECT id, owner_id FROM w_lists WHERE id <= 200 \\g /dev/null\n";
$loop .= "SELECT name FROM w_users WHERE id = $_ \\g /dev/null\n" for 1 .. 200;
$loop .= "RESET pothos_perf.request_id;\nSELECT 1 \\g /dev/null\n";
$node->safe_psql('postgres', $loop);
$busy->query_safe('SELECT count(*) FROM w_users WHERE id < ' . $_) for 1 .. 100;
$busy->quit;

my ($kind, $query, $max_repeats, $distinct) = split /\|/, $node->safe_psql('postgres', q{
    SET pothos_perf.n_plus_one_min_occurrences = 1;
    SELECT kind, query, max_repeats, distinct_params FROM pothos_perf.n_plus_one
     WHERE parent_query LIKE '%FROM w_lists%'});
is($kind, 'n_plus_one', 'a loop longer than the ring is found');
is($query, 'SELECT name FROM w_users WHERE id = $1', 'the lookup is the child');
# The analysis ran when the ring had come half round (32 statements) after the
# parent: the occurrence counts the lookups the ring still held with their
# parent, not all 200.
cmp_ok($max_repeats, '>=', 30, 'the lookups seen with their parent are counted');
cmp_ok($max_repeats, '<=', 64, 'no more than the ring held');
is($distinct, $max_repeats, 'every lookup had its own key');

$node->stop;
done_testing();
