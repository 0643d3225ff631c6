/* modules/console/console_schedule.h: the clock of scheduled publication
 * (console_schedule.c): one timer per server, on worker 0's loop, that every
 * `admin.publish_interval` (default 30s) hands the writer thread one job running
 * workflow_publish_due, so a draft approved ahead of its time goes live when it comes
 * (within one interval). The job is idempotent and the schedule lives in the store
 * (workflow_draft.h's wt/), so a reload keeps it and a restart catches up at once. */
#ifndef JIYUE_CONSOLE_SCHEDULE_H
#define JIYUE_CONSOLE_SCHEDULE_H

struct worker;

/* module_t.worker_init / worker_exit: only worker 0 keeps the timer. */
void console_schedule_start(struct worker *w);
void console_schedule_stop(struct worker *w);

#endif
