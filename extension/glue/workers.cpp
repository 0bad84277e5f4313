/* worker_errors.cpp: see worker_errors.hpp. C-shaped: plain locals only. */
#include "glue/worker_errors.hpp"

namespace readscale::pg {

void
report_and_roll_back(MemoryContext caller) {
	HOLD_INTERRUPTS();
	MemoryContextSwitchTo(caller);
	EmitErrorReport();
	AbortCurrentTransaction();
	FlushErrorState();
	pgstat_report_activity(STATE_IDLE, nullptr);
	RESUME_INTERRUPTS();
}

} // namespace readscale::pg
