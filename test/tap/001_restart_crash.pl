# Statistics survive a clean restart; after a backend is killed with SIGKILL
# the server recovers (statistics since the last clean start are lost, as
# documented) and the extension works again.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

my $node = PostgreSQL::Test::Cluster->new('restart');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pothos_perf'\nrestart_after_crash = on\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pothos_perf');
$node->safe_psql('postgres', 'CREATE TABLE r (a int); SELECT pothos_perf.reset()');
$node->safe_psql('postgres', "INSERT INTO r VALUES ($_)") for 1 .. 7;

my $q = "SELECT calls || '/' || rows FROM pothos_perf.statements WHERE query = 'INSERT INTO r VALUES (\$1)'";
is($node->safe_psql('postgres', $q), '7/7', 'counted before restart');

$node->restart;
is($node->safe_psql('postgres', $q), '7/7', 'statistics survive a clean restart');
ok(!-e $node->data_dir . '/pg_stat/pothos_perf.stat', 'the file is removed once loaded');
$node->safe_psql('postgres', "INSERT INTO r VALUES (8)");
is($node->safe_psql('postgres', $q), '8/8', 'counting goes on after the restart');
my $hist = $node->safe_psql('postgres',
    "SELECT p50_exec_time > 0 AND p99_exec_time <= max_exec_time FROM pothos_perf.statements WHERE query = 'INSERT INTO r VALUES (\$1)'");
is($hist, 't', 'percentiles survive too');

# Kill a backend with SIGKILL: the postmaster restarts every process.
my ($stdin, $stdout, $stderr) = ('', '', '');
my $h = IPC::Run::start(
    [ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', 'SELECT pg_sleep(120)' ],
    '<', \$stdin, '>', \$stdout, '2>', \$stderr);
my $pid;
for (1 .. 100) {
    $pid = $node->safe_psql('postgres',
        "SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(120)' AND state = 'active'");
    last if $pid;
    Time::HiRes::usleep(100_000);
}
ok($pid, 'found the backend to kill');
kill 'KILL', $pid;
$h->finish;

my $up = 0;
for (1 .. 300) {
    my $ret = $node->psql('postgres', 'SELECT 1');
    if ($ret == 0) { $up = 1; last; }
    Time::HiRes::usleep(100_000);
}
ok($up, 'server is back after the crash');
like(slurp_file($node->logfile), qr/all server processes terminated; reinitializing/, 'it was a crash restart');

$node->safe_psql('postgres', "INSERT INTO r VALUES (9)");
is($node->safe_psql('postgres', $q), '1/1', 'the crash lost the old numbers and counting works again');
is($node->safe_psql('postgres', 'SELECT count(*) > 0 FROM pothos_perf.statements_info'), 't', 'info works');

$node->stop;
done_testing();
