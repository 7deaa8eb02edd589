#!/usr/bin/env bash
# scripts/check-boundary.sh -- fails when the extension's code breaks the
# rules that keep C++ exceptions and PostgreSQL's longjmp apart
# (src/extension/common/guard.h explains them), as far as reading the source
# as text can tell. Run by `make` (the extension's default target) and by
# scripts/test.sh.
#
#   glue files    every src/extension/**/*.cpp but *_bridge.cpp: they call
#                 PostgreSQL, so no C++ object with a destructor may live in
#                 them. None may include, directly or through the project's
#                 headers, a standard header declaring strings, containers,
#                 smart pointers or other owning types, nor nlohmann/json
#                 (whose values own memory and whose calls throw); none may
#                 try, catch, throw, new, delete or call cpp_call.
#   SQL functions every function the install script binds to the library is
#                 defined with POTHOS_SQL_FUNCTION, and nothing else declares
#                 an entry point by hand.
#   bridge files  *_bridge.cpp: no call of the PostgreSQL functions that may
#                 raise an error (memory, errors, catalogs, result sets,
#                 locks), no PostgreSQL header of their own; every function a
#                 *_bridge.h declares is noexcept.
#
# Usage: check-boundary.sh [SRC_DIR]   (default: the src directory next to
# this script). Prints each violation; exits 1 if there is any.
set -euo pipefail
SRC=${1:-$(cd "$(dirname "$0")/../src" && pwd)}
exec perl -e '
use strict;
use warnings;
use File::Find;
use File::Basename qw(dirname);

my $src = shift;
my $ext = "$src/extension";
-d $ext or die "check-boundary: no $ext\n";

# Standard headers whose types own memory (or throw it about), and those of
# the JSON library (core code uses it below the cpp_call of a bridge only).
my $banned = qr/^(?:any|deque|forward_list|fstream|functional|future|iostream|istream|list|map|memory|mutex
    |optional|ostream|queue|regex|set|sstream|stack|stdexcept|string|thread|unordered_map|unordered_set
    |valarray|variant|vector|nlohmann\/.+)$/x;
# PostgreSQL calls a bridge must not make: each may raise an error.
my $pg_raising = qr/\b(?:ereport|elog|PG_TRY|PG_CATCH|PG_FINALLY|PG_RE_THROW|ReThrowError|palloc0?|repalloc
    |pstrdup|pnstrdup|psprintf|MemoryContextAlloc\w*|CStringGetTextDatum|cstring_to_text\w*|text_to_cstring
    |DirectFunctionCall\d|SPI_\w+|heap_form_tuple|tuplestore_\w+|LWLockAcquire|SpinLockAcquire
    |CHECK_FOR_INTERRUPTS|lappend\w*|lcons|list_make\w*|makeNode|appendStringInfo\w*|initStringInfo
    |construct_\w*array|deconstruct_array|SearchSysCache\w*|get_(?:attname|rel_name|namespace_name|opname))\s*\(/x;

my $fail = 0;
sub violation { print "check-boundary: @_\n"; $fail = 1; }
sub rel { my $f = shift; $f =~ s{^\Q$src\E/}{}; $f }

my %text;
sub slurp {
    my $f = shift;
    return $text{$f} //= do { local $/; open(my $h, "<", $f) or die "$f: $!"; <$h> };
}
# A file without comments and string or character literals (line numbers kept).
sub code_of {
    my $s = slurp(shift);
    $s =~ s{/\*.*?\*/}{ (my $c = $&) =~ s/[^\n]//g; $c }gse;
    $s =~ s{//[^\n]*}{}g;
    $s =~ s{"(?:\\.|[^"\\\n])*"}{""}g;
    $s =~ s{\x27(?:\\.|[^\x27\\\n])*\x27}{\x27\x27}g;
    return $s;
}
sub grep_lines {  # file, regex matched without comments and literals: "line: text" of each hit
    my ($f, $re) = @_;
    my @code = split /\n/, code_of($f), -1;
    my @raw = split /\n/, slurp($f), -1;
    my @out;
    for my $i (0 .. $#code) {
        next unless $code[$i] =~ $re;
        (my $line = $raw[$i]) =~ s/^\s+//;
        push @out, ($i + 1) . ": $line";
    }
    return @out;
}

# The includes of a file: [system?, name].
my %includes;
sub includes_of {
    my $f = shift;
    $includes{$f} //= do {
        my @m = slurp($f) =~ /^\s*#\s*include\s*([<"])([^>"]+)[>"]/mg;
        my @p;
        push @p, [ shift(@m) eq "<", shift(@m) ] while @m;
        \@p;
    };
    return @{ $includes{$f} };
}
sub resolve {
    my ($from, $name) = @_;
    return "$src/$name" if -f "$src/$name";
    my $d = dirname($from);
    return "$d/$name" if -f "$d/$name";
    return undef;
}
# Banned standard headers a file reaches through project headers:
# [header, chain of files].
sub reach {
    my ($f, $chain, $seen, $out) = @_;
    return if $seen->{$f}++;
    for my $inc (includes_of($f)) {
        my ($system, $name) = @$inc;
        if ($system) {
            push @$out, [ $name, $chain ] if $name =~ $banned;
        } elsif (my $h = resolve($f, $name)) {
            reach($h, "$chain -> " . rel($h), $seen, $out);
        }
    }
}

my (@glue, @bridges, @bridge_headers);
find({ no_chdir => 1, wanted => sub {
    return unless -f;
    if (/_bridge\.cpp$/) { push @bridges, $_ }
    elsif (/\.cpp$/) { push @glue, $_ }
    elsif (/_bridge\.h$/) { push @bridge_headers, $_ }
} }, $ext);
@$_ = sort @$_ for \@glue, \@bridges, \@bridge_headers;

# 1. Glue files reach no owning standard type.
for my $f (@glue) {
    my @hits;
    reach($f, rel($f), {}, \@hits);
    violation("glue file " . rel($f) . " includes <$_->[0]> (through $_->[1]): move the C++ work into a *_bridge.cpp")
        for @hits;
}

# 2. Glue files hold no C++ exception machinery and allocate no C++ objects.
for my $f (@glue) {
    violation("glue file " . rel($f) . ":$_ (C++ work belongs in a *_bridge.cpp)")
        for grep_lines($f, qr/\btry\s*\{|\bcatch\s*\(|\bthrow\b|\bcpp_call\b|\bnew\s+[A-Za-z_:(]|\bdelete\s+[A-Za-z_(]/);
}

# 3. SQL-callable functions: every one through POTHOS_SQL_FUNCTION.
my %defined;
for my $f (@glue, @bridges, @bridge_headers) {
    my $code = code_of($f);
    $defined{$1} = 1 while $code =~ /\bPOTHOS_SQL_FUNCTION\((\w+)\)/g;
}
find({ no_chdir => 1, wanted => sub {
    my $file = $_;
    return unless -f $file && $file =~ /\.(?:cpp|h)$/ && $file !~ m{/common/guard\.h$};
    violation(rel($file) . ":$_: define SQL-callable functions with POTHOS_SQL_FUNCTION (common/guard.h)")
        for grep_lines($file, qr/\bPG_FUNCTION_INFO_V1\b|extern\s+""\s+Datum\b/);
} }, $ext);
opendir(my $dh, "$ext/sql") or die "$ext/sql: $!";
for my $sql (sort grep { /\.sql$/ } readdir $dh) {
    my $s = slurp("$ext/sql/$sql");
    while ($s =~ /\x27MODULE_PATHNAME\x27\s*,\s*\x27(\w+)\x27/g) {
        violation("SQL function $1 ($sql) is not defined with POTHOS_SQL_FUNCTION") unless $defined{$1};
    }
}

# 4. Bridges raise no PostgreSQL error and offer only noexcept functions.
for my $f (@bridges) {
    my $code = code_of($f);
    violation("bridge " . rel($f) . ":$_ (may raise a PostgreSQL error across C++ frames)")
        for grep_lines($f, $pg_raising);
    violation("bridge " . rel($f) . " includes PostgreSQL headers itself (only through the plain project headers)")
        if $code =~ /extern\s+""\s*\{/;
}
for my $f (@bridge_headers) {
    my $code = code_of($f);
    $code =~ s/^[ \t]*#[^\n]*//mg;
    for my $st (split /;/, $code) {
        $st =~ s/\s+/ /g;
        $st =~ s/^.*[{}]\s*//;
        $st =~ s/^ //;
        next unless $st =~ /\)\s*(?:const\s*)?(?:noexcept\s*)?$/;
        next if $st =~ /^(?:POTHOS_[A-Z_]+|static_assert)\s*\(/ || $st =~ /\bnoexcept\s*$/;
        violation(rel($f) . ": a bridge function must be noexcept: $st");
    }
}

printf "check-boundary: %d glue files, %d bridge files: ok\n", scalar @glue, scalar @bridges unless $fail;
exit $fail;
' "$SRC"
