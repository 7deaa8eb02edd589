# Statement texts are kept with the encoding of the database they ran in
# and shown converted to the reader's: a LATIN1 database's statements read
# from a UTF8 database (statements, slow_queries with plans, n_plus_one,
# metrics labels) and the other way round, where a character LATIN1 lacks
# becomes '?'; a SQL_ASCII database's bytes that are not UTF-8 become '?'.
# The encoding survives a restart (the statistics file keeps it).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# Every literal below is UTF-8 bytes; psql talks UTF-8 with the server.
$ENV{PGCLIENTENCODING} = 'UTF8';

my $node = PostgreSQL::Test::Cluster->new('encodings');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->append_conf('postgresql.conf',
    "shared_preload_libraries = 'pothos_perf'\npothos_perf.slow_query_threshold = 0\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE DATABASE lat ENCODING 'LATIN1' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C';
    CREATE DATABASE asc_db ENCODING 'SQL_ASCII' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C';
    CREATE EXTENSION pothos_perf;
});
$node->safe_psql('lat', q{
    CREATE EXTENSION pothos_perf;
    CREATE TABLE "lïsts" (id int PRIMARY KEY, owner_id int);
    CREATE TABLE "üsers" (id int PRIMARY KEY, name text);
    INSERT INTO "lïsts" SELECT g, g FROM generate_series(1, 20) g;
    INSERT INTO "üsers" SELECT g, 'u' || g FROM generate_series(1, 20) g;
});
$node->safe_psql('postgres', 'SELECT pothos_perf.reset(), pothos_perf.slow_queries_reset()');

# In the LATIN1 database: a statement and an N+1 loop over non-ASCII names.
my $loop = "SET pothos_perf.request_id = 'loop';\n"
  . "SELECT id AS \"café\" FROM \"lïsts\" WHERE id <= 10 \\g /dev/null\n";
$loop .= "SELECT name FROM \"üsers\" WHERE id = $_ \\g /dev/null\n" for 1 .. 8;
$loop .= "RESET pothos_perf.request_id;\nSELECT 1 \\g /dev/null\n";
$node->safe_psql('lat', $loop);
# In the UTF8 database: one character LATIN1 has, one it has not.
$node->safe_psql('postgres', 'SELECT 1 AS "ünï €"');
# In the SQL_ASCII database, with no conversion: bytes that are UTF-8 and
# bytes that are not.
{
    local $ENV{PGCLIENTENCODING} = 'SQL_ASCII';
    $node->safe_psql('asc_db', "SELECT 1 AS \"caf\xc3\xa9\", 2 AS \"\xff\xfe!\"");
}

my $parent = 'SELECT id AS "café" FROM "lïsts" WHERE id <= $1';
my $child = 'SELECT name FROM "üsers" WHERE id = $1';

sub check_utf8_reader {
    my ($when) = @_;
    my $q = sub { $node->safe_psql('postgres', $_[0]) };
    is($q->("SELECT count(*) FROM pothos_perf.statements WHERE query = '$parent'"),
        '1', "$when: a LATIN1 statement read in UTF8");
    is($q->("SELECT count(*) FROM pothos_perf.statements WHERE query = '$child' AND calls = 8"),
        '1', "$when: its lookup too");
    is($q->(q{SELECT count(*) FROM pothos_perf.statements WHERE query = 'SELECT $1 AS "café", $2 AS "??!"'}),
        '1', "$when: SQL_ASCII bytes: UTF-8 kept, the others '?'");
    # Every text valid here: convert_to checks them all.
    is($q->("SELECT count(*) = count(convert_to(query, 'UTF8')) FROM pothos_perf.statements"),
        't', "$when: every text valid UTF-8");
}

check_utf8_reader('before a restart');
my $q = sub { $node->safe_psql('postgres', $_[0]) };
my ($slow_query, $plan) = split /\|/,
  $q->("SELECT query, plan LIKE '%\"lïsts\"%' FROM pothos_perf.slow_queries WHERE query = '$parent'");
is($slow_query, $parent, 'slow_queries: the text converted');
is($plan, 't', 'slow_queries: the plan converted');
is($q->("SELECT count(*) = count(convert_to(query || coalesce(plan, '') || array_to_string(recommendations, ''), 'UTF8'))"
          . ' FROM pothos_perf.slow_queries'),
    't', 'slow_queries: every text valid UTF-8');
is($q->("SET pothos_perf.n_plus_one_min_occurrences = 1;\n"
          . "SELECT parent_query = '$parent' AND query = '$child' FROM pothos_perf.n_plus_one"),
    't', 'n_plus_one: parent and child texts converted');
is($q->(q{SELECT pothos_perf.metrics() LIKE '%operation="select",model="üsers"%'}),
    't', 'metrics: the model label converted');

# The other way: read in the LATIN1 database (and shown in UTF-8 by psql).
is($node->safe_psql('lat', q{SELECT count(*) FROM pothos_perf.statements WHERE query = 'SELECT $1 AS "ünï ?"'}),
    '1', 'a UTF8 statement read in LATIN1: the character LATIN1 lacks is ?');
is($node->safe_psql('lat', "SELECT count(*) = count(convert_to(query, 'LATIN1')) FROM pothos_perf.statements"),
    't', 'every text valid LATIN1');

# The encodings are kept in the statistics file.
$node->restart;
check_utf8_reader('after a restart');
is($node->safe_psql('lat', "SELECT count(*) FROM pothos_perf.statements WHERE query = '$parent'"),
    '1', 'after a restart: the LATIN1 statement read in LATIN1');

$node->stop;
done_testing();
