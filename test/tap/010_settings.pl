# Every pothos_perf setting can be written in postgresql.conf: a server whose
# configuration file holds each of them at a value other than its default
# starts and applies them all. The list comes from the server itself, so a
# setting added later is covered too.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('settings');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pothos_perf'\n");
$node->start;
my @rows = split /\n/, $node->safe_psql('postgres', q{
    SELECT name, vartype, coalesce(min_val, ''), coalesce(max_val, ''), boot_val,
           coalesce(array_to_string(enumvals, ','), '')
      FROM pg_settings WHERE name LIKE 'pothos\_perf.%' ORDER BY name});
$node->stop;
ok(@rows >= 20, scalar(@rows) . ' settings');

# A value other than the default, in the form pg_settings.setting shows it.
my $port = PostgreSQL::Test::Cluster::get_free_port();
my %special = (
    'pothos_perf.metrics_listen'   => "127.0.0.1:$port",
    'pothos_perf.metrics_database' => 'template1',
    'pothos_perf.request_id'       => 'conf-request',
);
my (%want, $conf);
for my $row (@rows) {
    my ($name, $type, $min, $max, $boot, $enums) = split /\|/, $row, -1;
    my $v;
    if (exists $special{$name}) { $v = $special{$name}; }
    elsif ($type eq 'bool') { $v = $boot eq 'on' ? 'off' : 'on'; }
    elsif ($type eq 'enum') { ($v) = grep { $_ ne $boot } split /,/, $enums; }
    elsif ($type eq 'integer') { $v = $boot == $min ? $min + 1 : $min; }
    elsif ($type eq 'real') { $v = $boot == $min ? ($min + ($max - $min) / 4) : $min; }
    else { $v = 'x'; }
    ok(defined $v && $v ne $boot, "$name: $boot -> $v");
    $want{$name} = $v;
    $conf .= "$name = '$v'\n";
}
$node->append_conf('postgresql.conf', $conf);
ok($node->start(fail_ok => 1), 'the server starts with every setting in postgresql.conf');
for my $name (sort keys %want) {
    my $got = $node->safe_psql('postgres', "SELECT setting FROM pg_settings WHERE name = '$name'");
    $got = $got + 0 if $want{$name} =~ /^-?[0-9.]+$/ && $got =~ /^-?[0-9.e+-]+$/;
    is($got, $want{$name} =~ /^-?[0-9.]+$/ ? $want{$name} + 0 : $want{$name}, "$name applied");
}
$node->stop;
done_testing();
