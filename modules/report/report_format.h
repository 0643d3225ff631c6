/* modules/report/report_format.h: the annual report's rows and their three renderings
 * (report_format.c): every field of the form in the form's order, with the section and
 * item names of 政府网站工作年度报表, a JSON key, and the value the platform knows or a
 * blank the web office fills in. JSON through jansson; CSV and HTML escaped. */
#ifndef JIYUE_REPORT_FORMAT_H
#define JIYUE_REPORT_FORMAT_H

#include <jansson.h>
#include <stdio.h>

#include "report_annual.h"

/* {"site","year", one key per known field, "blank": [the items left to the office]}. */
json_t *report_json(const report_annual_t *r);
/* "站点,栏目,项目,数值" rows (header written by the caller once: report_csv_header). */
void report_csv_header(FILE *out);
void report_csv(const report_annual_t *r, FILE *out);
/* One <section> with the form as a table (report_html_begin/end around all sites). */
void report_html_begin(FILE *out, int year);
void report_html(const report_annual_t *r, FILE *out);
void report_html_end(FILE *out);

#endif
