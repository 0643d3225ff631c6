/* core/pid.h: a getpid() that answers without a system call; see pid.c. */
#ifndef JIYUE_PID_H
#define JIYUE_PID_H

/* Sets up the page that keeps the process id (once, at start, before threads). */
void pid_cache_init(void);

#endif
