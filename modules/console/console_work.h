/* modules/console/console_work.h: API answers that take longer than a store lookup (the
 * audit trail walks the whole cluster's trail; the self-inspection reads every page and
 * article of a site and the theme's files) are built on libuv's thread pool, never on a
 * worker's event loop, with a read transaction of their own; the request waits
 * (request_defer) and is answered on its worker when the answer is ready.
 * console_work.c. */
#ifndef JIYUE_CONSOLE_WORK_H
#define JIYUE_CONSOLE_WORK_H

#include <stdatomic.h>
#include <stdbool.h>

#include <jansson.h>

#include "module.h"

/* Builds the answer on a pool thread: t is a read transaction of its own and snap the
 * request's snapshot (its configuration and router, pinned meanwhile: read only). Returns
 * the JSON body (consumed) and sets *status (200 unless it says otherwise); NULL with
 * *status 503 when the store fails. */
typedef json_t *(*console_work_fn)(store_txn_t *t, const snapshot_t *snap, void *ud,
                                   int *status);

/* Runs fn(ud) on the pool and answers r with its result; ud_free(ud) afterwards (also
 * when it cannot run). At most `max` of the jobs counted by *in_flight run or wait at
 * once: beyond that r gets 503 with Retry-After at once. Always answers (or defers) r. */
void console_work_submit(request_t *r, console_work_fn fn, void *ud, void (*ud_free)(void *),
                         atomic_int *in_flight, int max);

/* The same answer for a page instead of the API: render(r, status, answer, page) answers
 * r with HTML on the worker (answer NULL when the store failed or the pool was busy:
 * status says which). `page` is copied (the signed-in account's name and CSRF token and
 * the site the page is about, for the page's chrome). */
typedef struct console_work_page console_work_page_t;
typedef void (*console_work_render_fn)(request_t *r, int status, const json_t *answer,
                                       const console_work_page_t *page);
struct console_work_page {
    console_work_render_fn render;
    char user[72];
    char csrf[72];
    char site[64];
    bool care; /* the 适老化 mode (care_mode): the cookie is gone when the answer comes */
};
void console_work_submit_page(request_t *r, console_work_fn fn, void *ud,
                              void (*ud_free)(void *), atomic_int *in_flight, int max,
                              const console_work_page_t *page);

#endif
