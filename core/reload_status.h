/* core/reload_status.h: the reload status file, `<pid_file>.reload`: the server writes the
 * outcome of every reload it handles there (and a first record at start), and
 * `jiyue -s reload` reads it to tell the operator what the server did with the signal, so
 * that the command need not load the whole configuration a second time itself.
 *
 * The file is replaced whole (temporary file + rename), so a reader sees one record or
 * the next, never a mix; mode 0644, and it holds nothing but the record and the
 * diagnostics (file names, lines, messages), the same as the error log. Format, one
 * `key value` per line, a blank line, then the diagnostics verbatim:
 *
 *     jiyue-reload-status 1
 *     pid 4242
 *     seq 3                      reloads handled since the server started (0: none yet)
 *     started_ns 812345678901    CLOCK_MONOTONIC when that reload began (0 at start)
 *     result accepted            started | accepted | rejected | adopting
 *     generation 4               the configuration generation serving now (adopting: the
 *                                one the workers are taking up)
 *     sites 120                  how many sites that generation has
 *     errors 0
 *     warnings 1
 *
 *     sites.d/a.yaml:3:1: warning: suspension overdue since 2027-01-05 */
#ifndef JIYUE_RELOAD_STATUS_H
#define JIYUE_RELOAD_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ADOPTING: the configuration was accepted and is on its way to the workers
 * (core/handoff.c); ACCEPTED follows once every worker serves it. Written first, so that
 * whoever is answered by the new generation finds it in the record too. */
typedef enum { RELOAD_STARTED, RELOAD_ACCEPTED, RELOAD_REJECTED, RELOAD_ADOPTING } reload_result_t;

typedef struct reload_status {
    long pid;
    uint64_t seq;
    uint64_t started_ns;
    reload_result_t result;
    uint64_t generation;
    uint64_t sites;
    uint64_t errors, warnings;
    char *text; /* the diagnostics, one per line; "" when none (owned) */
} reload_status_t;

/* "<pid_file>.reload" (malloc'd). */
char *reload_status_path(const char *pid_file);
/* CLOCK_MONOTONIC in nanoseconds: the same clock in every process of the machine, so the
 * command can tell a reload that began after its signal from one already running. */
uint64_t reload_status_now_ns(void);
/* Replaces the file atomically. Returns 0, or -1 with *err set (malloc'd). */
int reload_status_write(const char *path, const reload_status_t *st, char **err);
/* Reads the file into *st (free with reload_status_free). Returns 0; -1 when it cannot be
 * read (errno set: ENOENT when there is none); -2 when it is not a status record. */
int reload_status_read(const char *path, reload_status_t *st);
void reload_status_free(reload_status_t *st);

#endif
