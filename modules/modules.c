/* modules/modules.c: the compiled-in modules, in the order core offers them a request.
 * Adding a module is one extern line and one entry here. */
#include "module.h"

extern module_t module_audit;
extern module_t module_care;
extern module_t module_lifecycle;
extern module_t module_interaction;
extern module_t module_content;
extern module_t module_search;
extern module_t module_static;
extern module_t module_registration;
extern module_t module_console;
extern module_t module_stats;

module_t *const modules_list[] = {
    &module_audit, /* answers no request; first, so its CSP line follows HSTS as before */
    &module_care, /* <mount>care only (the 适老化 switch), before the notices: it works on every site */
    &module_lifecycle, /* the first to answer: a suspended or closed site answers before anything else */
    &module_interaction, /* before content: an interaction column's board, form and receipts */
    &module_content, /* before static: articles and columns, declining anything else */
    &module_search, /* after content (a column named search stays the content's), before static */
    &module_static,
    &module_registration, /* no handler: the `registration:` key and its rules */
    &module_console, /* the management listener only (admin_handle): the console's API */
    &module_stats, /* no handler: counts page views after each request (request_done) */
    NULL,
};
