/* modules/search/search_keys.h: the search index's key families in the store's "content"
 * database (core/store_keys.h has the databases). search_index.c writes them in the same
 * write transaction as the change they follow (an article's publish, update, unpublish:
 * modules/content/article.c calls search_index.h); search_query.c reads them; `jiyuectl
 * reindex` rebuilds them and `jiyuectl purge SITE` deletes a site's (search_index_purge_site).
 *
 *   xp/<term>/<~min>     a block of the term's postings: up to SEARCH_BLOCK_MAX entries,
 *                        newest document first; <~min> is 16 hex digits of (UINT64_MAX -
 *                        the smallest document number in the block), so a bytewise scan of
 *                        a term's blocks runs newest first and a date-sorted query reads
 *                        only the blocks it needs. A term holds no '/' (search_text.h), so
 *                        "xp/<term>/" is exact and "xp/<c>" lists every term starting with
 *                        the character c (a one-character query).
 *   xf/<term>            how many documents hold the term (u32): its IDF without reading
 *                        its postings
 *   xd/<doc>             the document record (layout below); <doc> is 16 hex digits
 *   xa/<site>/<type>/<ref>  the document number of a source (u64): type "a" with ref
 *                        <column>/<id> for an article, "p" with the page's path ("/news/
 *                        a.html") for a page of the live generation (search_pages.h),
 *                        "m" with <column>/<seq> for an answered message
 *   xs/<site>            the site's number in postings (u32), xc/<column> a column id's;
 *                        numbers are handed out once and kept (reindex keeps them)
 *   xh/<site>/<YYYYMMDD> the site's hot searches of that day (UTC+8; search_hot.c): "JYSH"
 *                        v1, a u16 count, then that many (u32 searches, string term), most
 *                        searched first, at most SEARCH_HOT_DAY_TERMS; written by the writer
 *                        thread from the workers' batches, days older than 8 dropped then
 *   xn                   counters: documents (u64), total length in terms (u64), the last
 *                        site number and the last column number handed out (u32 each);
 *                        the two numbers are shared by both families (always read and
 *                        written in "xn"), "yn" has the same layout, its numbers 0
 *   xl                   the live family: one byte, 'x' or 'y' ('x' when absent)
 *   xb                   a rebuild in progress: "JYSB" v1, its phase (u8: 1 the other
 *                        family being deleted, 2 being filled from the content, 3 complete
 *                        and kept in step) and the number of the run doing it (u64)
 *   xq/<site>/<type>/<ref>  a source changed while a rebuild fills the other family
 *                        (empty value): indexed again from the content before the switch
 * xs/, xc/, xh/ and the numbers in xn are not derived from the content: a rebuild keeps
 * them (it hands out a number only to a site or column that has none) and never copies
 * them.
 *
 * A document number is (publication time in seconds, clamped to 0..2^40-1) << 24 | (the
 * article's sequence number mod 2^24): numbers sort as dates do, so newest-first is the
 * postings' own order and a from/to filter needs no record. Two documents of the same
 * second whose sequence numbers agree mod 2^24 would collide: the later one takes the
 * next lower free number.
 *
 * A block value is a u16 header, the entry count in its low 14 bits and the form in its
 * top two (search_block.h), then the entries, newest first; the first entry's document
 * number always follows the header whole (a varint, LEB128), so a reader learns a block's
 * newest number without decoding it. Each entry holds the document number, site number,
 * column number, type (1 article, 2 page, 3 message), the term's count in the title, its
 * weight in the body in units (SEARCH_BODY_UNITS for each occurrence in the source or the
 * text, SEARCH_META_UNITS for each in a policy document's header: the header weighs half
 * the body), and the document's length in terms as a one-byte code
 * (exact below 16, else within 1/16: search_length_code). Writers choose, per block, the
 * shorter of:
 *   v2 (top bits 10): per entry varints: seconds back from the entry before and the zigzag
 *      difference of the 24-bit sequence part (both absent for the first entry), site,
 *      column << 2 | type, tf_body << 2 | min(tf_title, 3) (then tf_title - 3 when that
 *      is 3), the length code as a byte;
 *   v3 (top bits 11): the same values as seven columns (seconds back, sequence difference,
 *      site, column|type, tf, the tf_title rests, length codes), each a width byte, a
 *      varint base, and its values less the base in `width` bits, packed low bit first,
 *      padded to a byte (frame of reference: a block of one site's column costs 0 bits
 *      there).
 * v1 (top bits 00; written before v2, read still): seven varints an entry, the number as
 * the difference to the one before, the length whole.
 * A policy document's 发文字号 and 索引号 are terms whole too ("#" and a hash of the folded
 * form: search_text_exact_term), so that a query that is one of them finds its document
 * first.
 *
 * A document record: "JYSD" v2, publication time (i64), type (u8), length in terms (u32),
 * then the strings site, column, id, title, source, text (the plain text that was indexed,
 * at most SEARCH_TEXT_MAX bytes: a phrase is verified, and a snippet cut, from it), doc_no
 * and meta (a policy document's header; v1 records end after text).
 * A message (type 3) is indexed as: ref "<column>/<seq>", id its number <seq> (its public
 * page <column>/m/<seq>.html), title its title, source who answered, text the question and
 * the reply in force; dated by its first reply (when it became public). */
#ifndef JIYUE_SEARCH_KEYS_H
#define JIYUE_SEARCH_KEYS_H

/* the derived families' prefixes are in search_fam.h (search_fams[]): a key of one is
 * built from the family a reader resolved, never from a constant */
#define SEARCH_KEY_SITE "xs/"
#define SEARCH_KEY_COLUMN "xc/"
#define SEARCH_KEY_COUNTERS "xn"
#define SEARCH_KEY_HOT "xh/"
#define SEARCH_KEY_LIVE "xl"
#define SEARCH_KEY_BUILD "xb"
#define SEARCH_KEY_QUEUE "xq/"

#define SEARCH_BLOCK_MAX 128
#define SEARCH_BODY_UNITS 2
#define SEARCH_META_UNITS 1
#define SEARCH_TEXT_MAX (256 * 1024)

#endif
