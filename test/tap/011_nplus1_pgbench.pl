# N+1 findings on untagged traffic of real concurrency: pgbench clients of
# one client group (one database, user and host) send independent requests
# back to back, each with its own random keys, with the detector's default
# settings.
#  1. a mix of a list query, primary-key lookups and small writes: no
#     finding of any kind;
#  2. the same mix plus one request type that runs a lookup per row its list
#     query returned, with the row's key: exactly that finding, with its
#     parent;
#  3. the same mix plus a lookup per row of keys that repeat (each todo's
#     owner, three owners per list): n_plus_one, not a cacheable duplicate;
#  4. the mix, the N+1 request and a request that looks up one user six
#     times, every request tagged as a tracing library does (a sqlcommenter
#     comment on each statement, simple protocol: keys are constants): the
#     N+1 and the duplicate, each counting no more repeats than ran.
# No finding counts more repeats than its statement ran. Each phase runs
# POTHOS_PGBENCH_SECONDS (180 by default: several minutes in all) scaled
# 1, 1/3, 1/4, 1/4, with 8 clients.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $seconds = $ENV{POTHOS_PGBENCH_SECONDS} // 180;
my $clients = 8;

my $node = PostgreSQL::Test::Cluster->new('np_pgbench');
$node->init;
$node->append_conf('postgresql.conf',
    "shared_preload_libraries = 'pothos_perf'\nmax_connections = 40\nlog_statement = none\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pothos_perf;
    CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);
    INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 100000) g;
    -- 20 todos per list: list l holds todos (l - 1) * 20 + 1 .. l * 20; their
    -- owners are three users per list
    CREATE TABLE todos (id int PRIMARY KEY, list_id int NOT NULL, owner_id int NOT NULL, title text,
                        done bool NOT NULL DEFAULT false);
    INSERT INTO todos SELECT g, (g - 1) / 20 + 1, ((g - 1) / 20 * 7 + g % 3) % 100000 + 1, 'todo ' || g
      FROM generate_series(1, 200000) g;
    CREATE INDEX ON todos (list_id);
    CREATE TABLE todo_notes (todo_id int PRIMARY KEY, note text NOT NULL);
    INSERT INTO todo_notes SELECT g, 'note ' || g FROM generate_series(1, 200000) g;
    CREATE TABLE events (id bigserial PRIMARY KEY, user_id int NOT NULL, note text);
    VACUUM ANALYZE;
});

# The mix of independent requests (every one with random keys of its own).
my $dir = $node->basedir;
sub script {
    my ($name, $text) = @_;
    my $file = "$dir/$name.sql";
    open my $fh, '>', $file or die "$file: $!";
    print $fh $text;
    close $fh;
    return $file;
}
my $list = script('list', <<'SQL');
\set lid random(1, 10000)
\set u1 random(1, 100000)
\set u2 random(1, 100000)
\set tid random(1, 200000)
SELECT id, owner_id, title FROM todos WHERE list_id = :lid ORDER BY id;
SELECT name FROM users WHERE id = :u1;
SELECT name FROM users WHERE id = :u2;
UPDATE todos SET done = NOT done WHERE id = :tid;
SQL
my $lookups = script('lookups', <<'SQL');
\set u1 random(1, 100000)
\set u2 random(1, 100000)
\set u3 random(1, 100000)
\set t1 random(1, 200000)
SELECT name FROM users WHERE id = :u1;
SELECT note FROM todo_notes WHERE todo_id = :t1;
SELECT name FROM users WHERE id = :u2;
SELECT name FROM users WHERE id = :u3;
SQL
my $write = script('write', <<'SQL');
\set u1 random(1, 100000)
SELECT name FROM users WHERE id = :u1;
INSERT INTO events (user_id, note) VALUES (:u1, 'seen');
SQL

# A request with a real N+1: its list, then the note of every todo it
# returned (the keys are the rows' ids: list l holds (l - 1) * 20 + 1 ..).
my $nplus1_text = "\\set lid random(1, 10000)\n"
  . "SELECT id, list_id FROM todos WHERE list_id = :lid ORDER BY id;\n";
$nplus1_text .= "\\set t (:lid - 1) * 20 + $_\nSELECT note FROM todo_notes WHERE todo_id = :t;\n" for 1 .. 20;
my $nplus1 = script('nplus1', $nplus1_text);

# A request that looks up the owner of every todo of its list: the keys come
# from the rows and repeat (three owners per list, in turn).
my $owners_text = "\\set lid random(1, 10000)\n"
  . "SELECT id, owner_id FROM todos WHERE list_id = :lid ORDER BY id;\n";
for my $k (1 .. 20) {
    # todo g = (lid - 1) * 20 + k has owner ((lid - 1) * 7 + g % 3) % 100000 + 1
    $owners_text .= "\\set o ((:lid - 1) * 7 + ((:lid - 1) * 20 + $k) % 3) % 100000 + 1\n"
      . "SELECT name FROM users WHERE id = :o;\n";
}
my $owners = script('owners', $owners_text);

sub run_mix {
    my ($secs, @extra) = @_;
    command_ok(
        [ 'pgbench', '-n', '-M', 'prepared', '-c', $clients, '-j', 2, '-T', $secs,
          '-f', "$list\@2", '-f', "$lookups\@3", '-f', "$write\@1", @extra,
          '-d', $node->connstr('postgres') ],
        "pgbench: $clients clients for $secs s");
}

# The same scripts with every statement tagged by its request (a random
# request id per transaction in a sqlcommenter comment).
sub tagged {
    my ($file) = @_;
    open my $in, '<', $file or die "$file: $!";
    my $text = "\\set rid random(1, 2000000000)\n";
    while (my $line = <$in>) {
        $line =~ s/;$/ \/*request_id=':rid'*\/;/ unless $line =~ /^\\/;
        $text .= $line;
    }
    close $in;
    (my $name = $file) =~ s{.*/|\.sql$}{}g;
    return script("tagged_$name", $text);
}

sub findings {
    return $node->safe_psql('postgres', q{
        SELECT kind || ' | ' || coalesce(parent_query, '-') || ' | ' || query
          FROM pothos_perf.n_plus_one ORDER BY kind COLLATE "C", query COLLATE "C"});
}

# Every finding counts at most the executions of its statements.
sub counted_within_calls {
    my ($phase) = @_;
    is($node->safe_psql('postgres', q{
        SELECT count(*) FROM pothos_perf.n_plus_one n
          CROSS JOIN LATERAL unnest(n.child_queryids, n.child_total_repeats) AS c(queryid, repeats)
          JOIN (SELECT userid, dbid, queryid, sum(calls) AS calls FROM pothos_perf.statements GROUP BY 1, 2, 3) s
            ON s.userid = n.userid AND s.dbid = n.dbid AND s.queryid = c.queryid
         WHERE c.repeats > s.calls}), '0', "$phase: no finding counts more repeats than its statement ran");
}

sub reset_all { $node->safe_psql('postgres', 'SELECT pothos_perf.reset(), pothos_perf.n_plus_one_reset()'); }

# 1. Independent requests only.
reset_all();
run_mix($seconds);
is(findings(), '', 'independent requests with random keys: no finding');
ok($node->safe_psql('postgres', q{
    SELECT sum(calls) FROM pothos_perf.statements WHERE query LIKE 'SELECT name FROM users WHERE id = %'}) > 10000,
   'the lookups ran (many thousands)');

# 2. One request type with a real N+1 among them.
reset_all();
run_mix(int($seconds / 3) || 1, '-f', "$nplus1\@1");
is(findings(),
   'n_plus_one | SELECT id, list_id FROM todos WHERE list_id = $1 ORDER BY id'
     . ' | SELECT note FROM todo_notes WHERE todo_id = $1',
   'one real N+1 among independent requests: exactly that finding, with its parent');
counted_within_calls('one N+1');
my ($occurrences, $requests, $per_row) = split /\|/, $node->safe_psql('postgres', q{
    SELECT n.occurrences, s.calls, round(n.repeats_per_parent_row::numeric, 2)
      FROM pothos_perf.n_plus_one n JOIN pothos_perf.statements s ON s.queryid = n.parent_queryid AND s.toplevel});
cmp_ok($occurrences, '>=', 0.95 * $requests, "found in (almost) every request that looped ($occurrences of $requests)");
ok($per_row >= 0.95 && $per_row <= 1.05, "one lookup per row of the parent ($per_row)");

# 3. Per-row lookups whose keys repeat.
reset_all();
run_mix(int($seconds / 4) || 1, '-f', "$owners\@1");
is(findings(),
   'n_plus_one | SELECT id, owner_id FROM todos WHERE list_id = $1 ORDER BY id'
     . ' | SELECT name FROM users WHERE id = $1',
   'a lookup per row of keys that repeat: n_plus_one, not a duplicate');
counted_within_calls('repeating keys');
ok($node->safe_psql('postgres', q{SELECT distinct_params < max_repeats FROM pothos_perf.n_plus_one}) eq 't',
   'the keys of an occurrence repeat');
like($node->safe_psql('postgres', q{SELECT suggestion FROM pothos_perf.n_plus_one}),
     qr/keys repeat/, 'the advice says to pass the distinct keys');

# 4. Tagged requests, simple protocol.
my $dup = script('dup', <<'SQL');
\set u1 random(1, 100000)
SELECT name FROM users WHERE id = :u1;
SELECT name FROM users WHERE id = :u1;
SELECT name FROM users WHERE id = :u1;
SELECT name FROM users WHERE id = :u1;
SELECT name FROM users WHERE id = :u1;
SELECT name FROM users WHERE id = :u1;
SQL
reset_all();
my $tagged_secs = int($seconds / 4) || 1;
command_ok(
    [ 'pgbench', '-n', '-M', 'simple', '-c', $clients, '-j', 2, '-T', $tagged_secs,
      '-f', tagged($list) . '@2', '-f', tagged($lookups) . '@3', '-f', tagged($write) . '@1',
      '-f', tagged($nplus1) . '@1', '-f', tagged($dup) . '@1', '-d', $node->connstr('postgres') ],
    "pgbench, tagged requests: $clients clients for $tagged_secs s");
is($node->safe_psql('postgres', q{
    SELECT string_agg(kind || ' ' || coalesce((parent_query LIKE 'SELECT id, list_id FROM todos WHERE list_id = %')::text, '')
                      || ' ' || split_part(query, ' /*', 1), ', ' ORDER BY kind COLLATE "C")
      FROM pothos_perf.n_plus_one}),
   'duplicate_query  SELECT name FROM users WHERE id = $1, '
     . 'n_plus_one true SELECT note FROM todo_notes WHERE todo_id = $1',
   'tagged: the N+1 with its parent and the duplicate, nothing else');
counted_within_calls('tagged');
is($node->safe_psql('postgres', q{
    SELECT max_repeats = 6 AND distinct_params = 1 FROM pothos_perf.n_plus_one WHERE kind = 'duplicate_query'}),
   't', 'tagged: a duplicate of six executions with one parameter set');

$node->stop;
done_testing();
