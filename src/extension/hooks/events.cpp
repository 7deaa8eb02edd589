// events.cpp -- dispatches statement events to the feature modules that
// observe them (see events.h). One line per module.
#include "extension/hooks/events.h"
#include "core/common/hot.h"
#include "extension/advisor/collect.h"
#include "extension/nplus1/observe.h"
#include "extension/slow/capture.h"

namespace pothos::ext {

POTHOS_HOT void events_executor_start(QueryDesc* qd, int eflags) {
    advisor_executor_start(qd, eflags);
}

POTHOS_HOT void events_tracked_start(uint64 queryid) {
    nplus1_prefetch(queryid);
}

POTHOS_HOT void events_statement_end(const StmtEvent& ev) {
    nplus1_statement_end(ev);
    advisor_statement_end(ev);
    slow_statement_end(ev);
}

POTHOS_HOT void events_parsed(ParseState* pstate, Query* query, JumbleState* jstate) {
    nplus1_parsed(query, jstate, pstate->p_sourcetext);
}

void events_new_statement(Query* query) { advisor_new_statement(query); }

void events_parsed_untracked(Query* query) {
    nplus1_note_unsearched(query->queryId);
}

}  // namespace pothos::ext
