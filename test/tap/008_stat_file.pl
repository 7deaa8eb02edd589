# The statistics file written at a clean shutdown is checked when it is read
# back: a truncated file, a flipped bit, counters no run could have written
# (with a valid checksum) or a file of another format are not used -- the
# statistics start empty, with a WARNING saying so -- and the server works
# on. A file read back after max_query_text was lowered keeps every text
# valid: cut at a character boundary.
use strict;
use warnings;
use Encode ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

$ENV{PGCLIENTENCODING} = 'UTF8';

my $node = PostgreSQL::Test::Cluster->new('stat_file');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->append_conf('postgresql.conf',
    "shared_preload_libraries = 'pothos_perf'\npothos_perf.max_query_text = 1024\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pothos_perf; CREATE TABLE sf (a int)');
my $file = $node->data_dir . '/pg_stat/pothos_perf.stat';

# 100 fingerprints (1 to 100 output columns), each text with a comment of
# two-, three- and four-byte characters starting at a different offset.
my $mb = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" x 40;    # e, euro, emoji (UTF-8 bytes)
my $sql = '';
for my $k (1 .. 100) {
    $sql .= 'SELECT a /* ' . ('x' x $k) . $mb . ' */' . (', a' x $k) . " FROM sf \\g /dev/null\n";
}
$node->safe_psql('postgres', "SELECT pothos_perf.reset();\n$sql");
my $count = "SELECT count(*) FROM pothos_perf.statements WHERE query LIKE 'SELECT a /* x%'";
is($node->safe_psql('postgres', $count), '100', '100 statements recorded');

# Every text of the statements like ours: valid UTF-8, at most $cap bytes.
sub texts_ok {
    my ($cap) = @_;
    my @hex = split /\n/, $node->safe_psql('postgres',
        "SELECT encode(textsend(query), 'hex') FROM pothos_perf.statements WHERE query LIKE 'SELECT a /* x%'");
    my ($valid, $short) = (0, 0);
    for my $h (@hex) {
        my $bytes = pack('H*', $h);
        $short++ if length($bytes) <= $cap;
        $valid++ if eval { Encode::decode('UTF-8', $bytes, Encode::FB_CROAK); 1 };
    }
    return (scalar(@hex), $valid, $short);
}

# Lower max_query_text: the texts read back are cut, each at a character
# boundary.
$node->stop;
ok(-e $file, 'the file is written at a clean shutdown');
$node->append_conf('postgresql.conf', "pothos_perf.max_query_text = 100\n");
$node->start;
my ($n, $valid, $short) = texts_ok(100);
is($n, 100, 'every entry read back');
is($valid, 100, 'every text cut at a character boundary (valid UTF-8)');
is($short, 100, 'every text within the new max_query_text');
is($node->safe_psql('postgres',
        "SELECT count(*) FROM pothos_perf.statements WHERE query LIKE 'SELECT a /* x%' AND calls = 1"),
    '100', 'their counters too');

# A sound file, to be damaged in several ways.
$node->stop;
my $sound = slurp_file($file);
my $bytes = length($sound);
cmp_ok($bytes, '>', 100 * 2000, 'a file with every entry');

# Starts the server on $content as the statistics file; returns the
# WARNING the server logged (or '') and whether our statements are gone.
sub start_with {
    my ($content) = @_;
    open my $fh, '>:raw', $file or die "cannot write $file: $!";
    print $fh $content;
    close $fh;
    my $offset = -s $node->logfile;
    $node->start;
    my $log = substr(slurp_file($node->logfile), $offset);
    my ($warning) = $log =~ /(WARNING:  pothos_perf: ignoring the statistics file[^\n]*)/;
    my $left = $node->safe_psql('postgres', $count);
    $node->safe_psql('postgres', 'SELECT 1 FROM sf');    # the server works
    $node->stop;
    return ($warning // '', $left);
}

# CRC-32C (Castagnoli, reflected), as PostgreSQL computes it.
my @crc_table = map {
    my $c = $_;
    $c = ($c & 1) ? (($c >> 1) ^ 0x82F63B78) : ($c >> 1) for 1 .. 8;
    $c;
} 0 .. 255;

sub crc32c {
    my $crc = 0xFFFFFFFF;
    $crc = $crc_table[ ($crc ^ $_) & 0xFF ] ^ ($crc >> 8) for unpack('C*', $_[0]);
    return $crc ^ 0xFFFFFFFF;
}

# The file with its checksum recomputed (native byte order: this machine's).
sub resealed {
    my ($body) = @_;
    return $body . pack('L', crc32c($body));
}

# The layout: a 40-byte header (sizes of the counters and the key at bytes
# 8 and 12), then per entry key, counters, encoding, length, text.
my ($counters_size, $key_size) = unpack('x8 L L', $sound);
my $header = 40;

my ($warning, $left);
($warning, $left) = start_with(substr($sound, 0, int($bytes / 2)));
like($warning, qr/truncated.*statement statistics start empty/, 'truncated file: WARNING');
is($left, '0', 'truncated file: nothing of it is used');

($warning, $left) = start_with(substr($sound, 0, $bytes - 4));
like($warning, qr/truncated \(no checksum\)/, 'file without its checksum: WARNING');
is($left, '0', 'file without its checksum: nothing used');

($warning, $left) = start_with('');
like($warning, qr/truncated/, 'empty file: WARNING');

# One bit flipped in the middle (inside some entry's counters or text).
my $flipped = $sound;
my $at = int($bytes / 2);
substr($flipped, $at, 1) = chr(ord(substr($flipped, $at, 1)) ^ 0x10);
($warning, $left) = start_with($flipped);
like($warning, qr/ignoring the statistics file .*statement statistics start empty/, 'flipped bit: WARNING');
is($left, '0', 'flipped bit: nothing of it is used');

# A flip that leaves every value plausible ('S' of the first text made
# 'R'): only the checksum tells.
$flipped = $sound;
$at = $header + $key_size + $counters_size + 8;
substr($flipped, $at, 1) = chr(ord(substr($flipped, $at, 1)) ^ 0x01);
($warning, $left) = start_with($flipped);
like($warning, qr/checksum mismatch; statement statistics start empty/, 'plausible flip: checksum mismatch');
is($left, '0', 'plausible flip: nothing of it is used');

# Counters no run could have written, under a valid checksum: the first
# entry's calls (the first field of its counters) set to 4.5e16.
my $body = substr($sound, 0, $bytes - 4);
substr($body, $header + $key_size, 8) = pack('q', 45035996273704960);
($warning, $left) = start_with(resealed($body));
like($warning, qr/entry 1 has impossible counters/, 'impossible counters: WARNING');
is($left, '0', 'impossible counters: nothing of the file is used');

# min > max (p50 > p99): the first entry's exec.min (after calls, rows,
# slow_calls, last_seen and exec.n, exec.total) made larger than its max.
$body = substr($sound, 0, $bytes - 4);
substr($body, $header + $key_size + 6 * 8, 8) = pack('d', 1e300);
($warning, $left) = start_with(resealed($body));
like($warning, qr/entry 1 has impossible counters/, 'min > max: WARNING');

# A text that is not valid in its encoding (the first entry's first text
# byte made 0xff), under a valid checksum.
$body = substr($sound, 0, $bytes - 4);
substr($body, $header + $key_size + $counters_size + 8, 1) = "\xff";
($warning, $left) = start_with(resealed($body));
like($warning, qr/text of entry 1 is not valid in its encoding/, 'invalid text: WARNING');

# Another format number.
$body = substr($sound, 0, $bytes - 4);
substr($body, 4, 4) = pack('L', 2);
($warning, $left) = start_with(resealed($body));
like($warning, qr/written by another version of pothos_perf \(format 2\)/, 'other format: WARNING');

# Bytes after the checksum.
($warning, $left) = start_with($sound . 'x');
like($warning, qr/bytes after its checksum/, 'trailing bytes: WARNING');

# The sound file itself is still read back whole, without a WARNING.
($warning, $left) = start_with($sound);
is($warning, '', 'sound file: no WARNING');
is($left, '100', 'sound file: every entry');

$node->start;
is($node->safe_psql('postgres', 'SELECT entries >= 0 FROM pothos_perf.statements_info'), 't', 'info works');
$node->stop;
done_testing();
