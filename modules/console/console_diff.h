/* modules/console/console_diff.h: what changed between the published revision of an
 * article and the draft that revises it, as the review page shows it (console_diff.c): a
 * line diff (the longest common subsequence of lines, after the common head and tail are
 * set aside), over the text a reader sees (tags dropped from the HTML both sides are
 * rendered to, the usual entities decoded). Pure functions, unit-tested. Bounded: at most
 * CONSOLE_DIFF_LINES lines a side are compared, and when the changed middle is larger than
 * CONSOLE_DIFF_CELLS pairs of lines it is shown as all removed, then all added. */
#ifndef JIYUE_CONSOLE_DIFF_H
#define JIYUE_CONSOLE_DIFF_H

#include <stddef.h>

#define CONSOLE_DIFF_LINES 5000
#define CONSOLE_DIFF_CELLS (600u * 600u)

typedef enum { CONSOLE_DIFF_SAME, CONSOLE_DIFF_DEL, CONSOLE_DIFF_ADD } console_diff_op_t;
typedef void (*console_diff_fn)(void *ud, console_diff_op_t op, const char *line, size_t len);

/* Calls fn once per line of the diff of a and b, in order (lines without their '\n'; a
 * side's lines past CONSOLE_DIFF_LINES are one last line holding the rest). */
void console_diff_lines(const char *a, size_t alen, const char *b, size_t blen,
                        console_diff_fn fn, void *ud);

/* The text of an HTML fragment, one line per line of the source, tags dropped, &amp;
 * &lt; &gt; &quot; &#39; decoded, blank lines left out. Heap string. */
char *console_diff_text(const char *html, size_t len);

#endif
