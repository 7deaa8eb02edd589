// advisor/collect.h -- the index advisor's collection: on a sampled share of
// executions (pothos_perf.advisor_sample_rate) its ExecutorStart hook asks
// the executor for per-node row counts; when the statement ends
// (events_statement_end) the plan is walked and each column use -- filter
// predicates of scans with rows returned and removed, join keys of hash,
// merge and nested-loop joins, columns of a Sort under a Limit -- is added to
// a bounded table in shared memory (advisor/shmem.h, CLOCK eviction), under
// one exclusive lock per sampled execution.
// Sampling is a Bernoulli process run as geometric skips: after each
// sampling candidate the number of executions to the next one is drawn, so
// an unsampled execution costs one decrement: no lock, no allocation, no
// random number.
#pragma once

#include "extension/common/pg.h"

#include "extension/hooks/events.h"

namespace pothos::ext {

// events.cpp calls these: before every executor starts (the executions to
// sample), and for every tracked statement that ended.
void advisor_executor_start(QueryDesc* qd, int eflags);
// pothos_perf.advisor_sample_rate changed (its assign hook): the next
// execution draws a skip for the new rate.
void advisor_sample_rate_changed();
void advisor_statement_end(const StmtEvent& ev);

// A statement seen for the first time: the hashes of the text constants a
// function of a column takes (date_trunc('day', created_at)) are recorded
// (UseKind::ConstHash), so that the advice can tell which unit an
// expression index needs from the normalized text, where it is a
// parameter. Hashes only: no value is stored.
void advisor_new_statement(Query* query);
// The hash recorded for a text constant (case-insensitive).
uint32 advisor_const_hash(const char* value);

}  // namespace pothos::ext
