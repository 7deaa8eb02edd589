// events.cpp -- dispatches statement events to the feature modules that
// observe them (see events.h). One line per module.
#include "extension/events.h"
#include "core/hot.h"
#include "extension/advisor_collect.h"
#include "extension/nplus1_observe.h"
#include "extension/slow_capture.h"

namespace pothos::ext {

POTHOS_HOT void events_executor_start(QueryDesc* qd, int eflags) {
    advisor_executor_start(qd, eflags);
}

POTHOS_HOT void events_tracked_start(uint64 queryid) {
    np_prefetch(queryid);
}

POTHOS_HOT void events_statement_end(const StmtEvent& ev) {
    (void) ev;
    np_statement_end(ev);
    advisor_statement_end(ev);
    slow_statement_end(ev);
}

POTHOS_HOT void events_parsed(ParseState* pstate, Query* query, JumbleState* jstate, int nesting_level) {
    (void) nesting_level;
    np_parsed(query, jstate, pstate->p_sourcetext);
}

void events_parsed_untracked(Query* query) {
    np_note_unsearched(query->queryId);
}

}  // namespace pothos::ext
