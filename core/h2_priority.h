/* core/h2_priority.h: the urgency in an RFC 9218 Priority field value (a request's
 * `priority` field, a PRIORITY_UPDATE frame's value), which http2.c keeps per stream to
 * answer the streams waiting for its response budget most urgent first. nghttp2 1.52
 * reads the same values for its own DATA schedule but has no call that tells the result;
 * see h2_priority.c for what is read and how strictly. */
#ifndef JIYUE_H2_PRIORITY_H
#define JIYUE_H2_PRIORITY_H

#include <stdbool.h>
#include <stddef.h>

#define H2_URGENCY_DEFAULT 3 /* RFC 9218 section 4.1: no urgency given, or none that parses */

/* Whether the `len` bytes at v are a Priority field value: true, with *urgency set when the
 * value names u (0 to 7, the last one if several) and left alone when it does not; false,
 * with *urgency left alone, for anything else (u not an integer from 0 to 7, i not a
 * boolean, a syntax error), which callers ignore, never an error. */
bool h2_priority_parse(const char *v, size_t len, unsigned *urgency);

#endif
