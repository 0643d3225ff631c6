/* modules/search/search_text.h: what the search index sees of a text: its terms, and the
 * plain text of an article's HTML. Pure functions, no store, no allocation kept.
 *
 * Terms (the same rules for indexing and for queries, so a query finds what was indexed):
 *   - Chinese (and Japanese, Korean) characters have no spaces between words and no
 *     dictionary is used: each CJK character starts one term, the bigram of it and the
 *     next character of its run, or the character alone when it ends the run. 社保卡 gives
 *     社保 保卡 卡, so the query 社保 finds it; a lone 社 is a term of its own.
 *   - ASCII letters and digits form words, case-folded (ABC -> abc), at most
 *     SEARCH_WORD_MAX bytes (longer words are cut, in queries alike).
 *   - Full-width forms (U+FF01..U+FF5E) are folded to ASCII first (ＡＢＣ１２３ -> abc123),
 *     the ideographic space to a space, and the brackets a 文号's year is written in
 *     (〔〕 [] 【】 () （） ［］ 〖〗 ﹝﹞) to 〔〕: one form wherever text is folded.
 *   - Everything else (punctuation, spaces, other scripts, bytes that are not UTF-8)
 *     separates terms and is dropped.
 * Each term has a position: its number in the text's sequence of terms, so a quoted phrase
 * is matched as terms at consecutive positions.
 *
 * In a query (SEARCH_TEXT_QUERY) a run of two or more CJK characters gives only its
 * bigrams (the final lone character of the index form would ask for the run's end to be
 * the end of a word; its position is skipped, so positions stay the index's), and a run of one character gives that character as a prefix term:
 * it matches every term that starts with it, so a one-character query finds 社保卡. */
#ifndef JIYUE_SEARCH_TEXT_H
#define JIYUE_SEARCH_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define SEARCH_WORD_MAX 32
/* The longest term in bytes: an ASCII word, or two 4-byte UTF-8 characters. */
#define SEARCH_TERM_MAX SEARCH_WORD_MAX

typedef enum { SEARCH_TEXT_INDEX, SEARCH_TEXT_QUERY } search_text_mode_t;

/* One term: `term` (not NUL-terminated, len bytes) valid during the call; prefix only in
 * query mode. Returning non-zero stops the walk. */
typedef int (*search_term_fn)(void *ud, const char *term, size_t len, uint32_t pos,
                              bool prefix);

/* Walks the terms of s[0..n) in order, positions from *pos on (updated to the next free
 * position, so fields can share a numbering; NULL: from 0). Returns 0 or fn's value. */
int search_text_terms(const char *s, size_t n, search_text_mode_t mode, uint32_t *pos,
                      search_term_fn fn, void *ud);

/* The visible text of an HTML fragment: tags dropped (script and style with their content),
 * the common entities decoded, runs of white space made one space, leading and trailing
 * space removed. Appended to out (NUL-terminated). */
void search_text_from_html(const char *html, size_t n, util_buf_t *out);

/* A plain-text excerpt of text around the first place one of the query's terms occurs:
 * up to SEARCH_SNIPPET_BEFORE characters before it and SEARCH_SNIPPET_CHARS in all, "…"
 * where text was cut; the start of the text when no term occurs in it. Never cuts a
 * UTF-8 character. Appended to out (NUL-terminated). */
#define SEARCH_SNIPPET_CHARS 100
#define SEARCH_SNIPPET_BEFORE 30
void search_text_snippet(const char *text, size_t n, const char *query, util_buf_t *out);

/* s[0..n) as text a page or a JSON answer may show: each byte that is not part of valid
 * UTF-8 becomes U+FFFD, each control character a space. Appended to out (NUL-terminated). */
void search_text_clean(const char *s, size_t n, util_buf_t *out);

/* text[0..n) (a snippet) as HTML: cleaned as search_text_clean does, every character
 * escaped, and the places where one of the query's terms occurs (folded as the index folds
 * them; an ASCII word at word bounds only) inside <mark>...</mark>. Appended to out
 * (NUL-terminated). */
void search_text_highlight(const char *text, size_t n, const char *query, util_buf_t *out);

/* s[0..n) as the words the index sees, to show and to count: the characters of terms
 * (CJK, ASCII letters and digits) folded as terms are (full width to ASCII, ASCII lower
 * case), every run of other characters one space, no space at either end. Appended to
 * out (NUL-terminated); returns its length in characters. */
size_t search_text_fold(const char *s, size_t n, util_buf_t *out);

/* The folded brackets (search_text_fold and the tokenizer see every form as these). */
#define SEARCH_TEXT_OPEN 0x3014  /* 〔 */
#define SEARCH_TEXT_CLOSE 0x3015 /* 〕 */

/* s[0..n) as a 文号 or 索引号 compared whole: its term characters folded as terms are and
 * its brackets as 〔〕, everything else (spaces, quotes, dashes) left out, so
 * `云政发[2026]12号`, `云政发（2026）12号` and `云政发 〔2026〕 12号` are one text. Appended
 * to out (NUL-terminated); returns its length in bytes. */
size_t search_text_exact_fold(const char *s, size_t n, util_buf_t *out);
/* The index term standing for that whole text ("#" and 16 hex digits of a hash of it) into
 * out; returns its length, 0 when the text is no number (under 4 bytes folded, or no
 * digit). The same for indexing and for queries. */
size_t search_text_exact_term(const char *s, size_t n, char out[static SEARCH_TERM_MAX]);

/* Whether s[0..n) reads as a 文号: folded, it holds 〔, 〕 and a digit. A query that does is
 * taken as a phrase (its terms in order: search_query.h). */
bool search_text_is_doc_no(const char *s, size_t n);

/* Decodes one UTF-8 character at s (n bytes left): its code point, *len its length; for an
 * invalid or truncated sequence, -1 and *len 1. */
int32_t search_text_utf8(const unsigned char *s, size_t n, size_t *len);

#endif
