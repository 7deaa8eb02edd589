# The metrics endpoint: off by default (no worker); when pothos_perf.metrics_listen
# is set, a background worker serves pothos_perf.metrics() over HTTP on
# loopback, and both that body and metrics() pass `promtool check metrics`.
# Malformed, oversized and wrong-method requests get clear answers and the
# worker keeps serving. Slow executions are logged when log_slow_queries.
use strict;
use warnings;
use IO::Socket::INET;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

sub http_request {
    my ($port, $raw) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp', Timeout => 10)
      or return undef;
    print $sock $raw;
    local $/;
    my $resp = <$sock>;
    close $sock;
    return $resp;
}

sub status_of { my ($r) = @_; return defined $r && $r =~ m{^HTTP/1\.0 (\d+)} ? $1 : 'none'; }

sub promtool_ok {
    my ($text, $name) = @_;
  SKIP: {
        my $promtool = `command -v promtool 2>/dev/null`;
        chomp $promtool;
        skip 'promtool not installed', 1 unless $promtool;
        my $file = "$PostgreSQL::Test::Utils::tmp_check/metrics_$name.txt";
        open my $fh, '>', $file or die $!;
        print $fh $text;
        close $fh;
        my $out = `$promtool check metrics < '$file' 2>&1`;
        is($? >> 8, 0, "promtool check metrics: $name") or diag($out);
    }
}

# Off by default: no worker.
my $off = PostgreSQL::Test::Cluster->new('metrics_off');
$off->init;
$off->append_conf('postgresql.conf', "shared_preload_libraries = 'pothos_perf'\n");
$off->start;
is($off->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pothos_perf metrics'}),
   '0', 'no metrics worker unless metrics_listen is set');
$off->stop;

my $port = PostgreSQL::Test::Cluster::get_free_port();
my $node = PostgreSQL::Test::Cluster->new('metrics');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pothos_perf'
pothos_perf.metrics_listen = '$port'
pothos_perf.slow_query_threshold = 0
pothos_perf.log_slow_queries = on
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pothos_perf;
    CREATE TABLE m_t AS SELECT g AS id FROM generate_series(1, 20000) g;
    ANALYZE m_t;
});
$node->safe_psql('postgres', 'SELECT count(*) FROM m_t WHERE id = 5') for 1 .. 3;
$node->safe_psql('postgres', 'INSERT INTO m_t VALUES (0)');

# The worker is up and listens on loopback only.
$node->poll_query_until('postgres',
    q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pothos_perf metrics'})
  or die 'metrics worker did not start';
my $resp;
for (1 .. 50) {
    $resp = http_request($port, "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n");
    last if status_of($resp) eq '200';
    sleep 1;
}
is(status_of($resp), '200', 'GET /metrics answers 200');
my ($head, $body) = split /\r\n\r\n/, $resp, 2;
like($head, qr{Content-Type: text/plain; version=0\.0\.4}i, 'exposition content type');
like($body, qr/^# TYPE pothos_database_queries_total counter$/m, 'queries_total family');
like($body, qr/^pothos_database_queries_total\{operation="select",model="m_t",status="success"\} \d+$/m,
     'select on m_t counted');
like($body, qr/^pothos_database_query_duration_seconds_bucket\{operation="insert",model="m_t",le="\+Inf"\} 1$/m,
     'insert histogram');
like($body, qr/^pothos_database_slow_queries_total\{threshold="0"\} [1-9]\d*$/m, 'slow queries counter, with its threshold');
promtool_ok($body, 'http');
promtool_ok($node->safe_psql('postgres', 'SELECT pothos_perf.metrics()') . "\n", 'sql');

# Bad requests: clear answers, then the endpoint still serves.
is(status_of(http_request($port, "GET /nope HTTP/1.0\r\n\r\n")), '404', 'unknown path: 404');
is(status_of(http_request($port, "POST /metrics HTTP/1.0\r\n\r\n")), '405', 'POST: 405');
is(status_of(http_request($port, "\x01\x02garbage\r\n\r\n")), '400', 'garbage: 400');
is(status_of(http_request($port, "GET /metrics HTTP/1.0\r\nX-Big: " . ('a' x 20000) . "\r\n\r\n")),
   '431', 'oversized request: 431');
my $head_only = http_request($port, "HEAD /metrics HTTP/1.0\r\n\r\n");
is(status_of($head_only), '200', 'HEAD: 200');
unlike($head_only // '', qr/pothos_database/, 'HEAD has no body');
is(status_of(http_request($port, "GET /metrics?x=1 HTTP/1.0\r\n\r\n")), '200', 'query string ignored');

# A client that connects and sends nothing is dropped after the deadline.
my $idle = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp');
is(status_of(http_request($port, "GET /metrics HTTP/1.0\r\n\r\n")), '200', 'served after an idle client');
close $idle if $idle;

# Without the extension in the worker's database: 503 with the reason.
$node->safe_psql('postgres', 'DROP EXTENSION pothos_perf');
my $missing = http_request($port, "GET /metrics HTTP/1.0\r\n\r\n");
is(status_of($missing), '503', 'extension missing: 503');
like($missing // '', qr/pothos_perf metrics unavailable: .*does not exist/, '503 says why');
$node->safe_psql('postgres', 'CREATE EXTENSION pothos_perf');
is(status_of(http_request($port, "GET /metrics HTTP/1.0\r\n\r\n")), '200', 'served again');

# Loopback only: the socket is bound to 127.0.0.1.
my $ss = `ss -ltn 2>/dev/null`;
SKIP: {
    skip 'ss not available', 1 unless $ss;
    like($ss, qr/127\.0\.0\.1:$port\b/, 'listens on 127.0.0.1');
}

# One log line per slow execution, with the fingerprint and a recommendation.
my $log = slurp_file($node->logfile);
like($log, qr/pothos_perf: slow query \([0-9.]+ ms, queryid -?\d+, rows 1\): SELECT count\(\*\) FROM m_t WHERE id = \$1; recommendation: Sequential scan on public\.m_t/,
     'slow execution logged with its first recommendation');

# The worker survives a restart of the server.
$node->restart;
$node->poll_query_until('postgres',
    q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pothos_perf metrics'})
  or die 'metrics worker did not come back';
for (1 .. 50) {
    $resp = http_request($port, "GET /metrics HTTP/1.0\r\n\r\n");
    last if status_of($resp) eq '200';
    sleep 1;
}
is(status_of($resp), '200', 'served after a restart');

$node->stop;
done_testing();
