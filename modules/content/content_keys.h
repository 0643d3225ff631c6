/* modules/content/content_keys.h: the content module's key families in the store's "content"
 * database and its attachments' namespace in "pages" (core/store_keys.h has the databases,
 * the "pages" layout and the page record). article.c builds these keys; `jiyuectl purge`
 * deletes a site's; the renderer and the audit read through article.h.
 *
 * "content" (site, column and article ids are slugs, so none contains '/' and every "<x>/"
 * prefix below is exact):
 *   a/<site>/<column>/<id>      article record (layout in article.c)
 *   i/<site>/<column>/<rank>    column index, value <id>
 *   g/<rank>                    the whole cluster's newest first, value <site>/<column>/<id>
 *   c/<site>/<column>           published articles in the column (u64)
 *   v/<site>, v/                content version of a site / of the cluster: u64 counter and
 *                               i64 time of the last change, bumped by every publish,
 *                               update and unpublish (what rendered-page caches key on)
 *   h/<seq>                     audit trail record, never rewritten
 *   l/<site>/<column>/<id>/<to_site>/<to_column>
 *                               a listing (报送, article_link.h) of article site/column/id
 *                               in to_site's column to_column; value: the listing's id
 *   n/seq                       the last article sequence number handed out (u64)
 *   ix/<site>/<index_no>        a policy document's 索引号, value <column>/<id>: one
 *                               article of a site per number
 *   n/index/<site>              the last serial of a site's generated 索引号 (u64)
 *   n/trail                     the last h/<seq> handed out (u64); absent in stores from
 *                               before the trail had its own counter (trail records then
 *                               took n/seq numbers): the first append starts it after the
 *                               last h/ key. `history` numbers records on read, densely.
 * <rank> is 16 hex digits of (INT64_MAX - publication time) then 16 of (UINT64_MAX -
 * sequence number), so a bytewise scan gives newest first and, for one publication time,
 * the last published first (stores written before kept the sequence number itself there:
 * update and unpublish delete both forms).
 * <seq> is 16 hex digits. Counters are little-endian.
 * Attachments are pages (the "pages" layout of store_keys.h) in the namespace "<site>#att"
 * at /<column>/<id>/<file name>: `jiyuectl import` replaces "<site>/" and leaves them alone.
 *
 * Every key family that belongs to one site is deleted by `jiyuectl purge SITE`
 * (tools/jiyuectl/cmd_purge.c lists them): a new one goes there too. The trail (h/) is
 * kept on purpose. */
#ifndef JIYUE_CONTENT_KEYS_H
#define JIYUE_CONTENT_KEYS_H

#define CONTENT_KEY_ARTICLE "a/"
#define CONTENT_KEY_INDEX "i/"
#define CONTENT_KEY_GLOBAL "g/"
#define CONTENT_KEY_COUNT "c/"
#define CONTENT_KEY_VERSION "v/"
#define CONTENT_KEY_TRAIL "h/"
#define CONTENT_KEY_LINK "l/"
#define CONTENT_KEY_SEQ "n/seq"
#define CONTENT_KEY_TRAIL_SEQ "n/trail"
#define CONTENT_KEY_INDEX_NO "ix/"
#define CONTENT_KEY_INDEX_SERIAL "n/index/"
/* The length of a family's prefix or of a fixed key (a string literal above). */
#define CONTENT_KEY_LEN(k) (sizeof(k) - 1)

/* "<site>" CONTENT_ATT_NS_SUFFIX is a site's attachment namespace in "pages". */
#define CONTENT_ATT_NS_SUFFIX "#att"

#endif
