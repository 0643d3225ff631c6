/* modules/interaction/message_search.h: answered messages in the search index
 * (modules/search, type message). A message whose reply is public (answered and not
 * marked spam: what the board's public list shows) is one document: its title, who
 * answered as its source, the question and the reply in force as its text (never the
 * citizen's name, phone, e-mail or address), dated by its first reply (when it became
 * public), found at its public page <column>/m/<seq>.html. It changes in the transaction
 * that changes the message: message_reply_add indexes it (the first reply and each
 * correction), message_mark_spam takes it out; `jiyuectl reindex` (search_reindex) indexes
 * every answered message again with message_search_reindex.
 *
 * The public page's number: "mp/<site>/<column>/<seq>" (16 hex digits) holds the receipt
 * code of the answered, not-spam message numbered <seq>, so the page can be found without
 * the code, which stays the citizen's only key. */
#ifndef JIYUE_MESSAGE_SEARCH_H
#define JIYUE_MESSAGE_SEARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "message.h"
#include "store.h"

/* Indexes m (answered, not spam) with its latest reply, and keeps its mp/ entry. */
int message_search_put(store_txn_t *w, const message_t *m);
/* Takes m out of the index and of mp/: 0 also when it was in neither. */
int message_search_del(store_txn_t *w, const message_t *m);
/* Indexes every answered message of site (NULL: of every site) again: what the ma/ lists
 * hold. *indexed: how many. Returns 0 or a STORE_E* code. */
int message_search_reindex(store_txn_t *w, const char *site, long *indexed);
/* Indexes the message with receipt code `code` when its reply is public (*indexed true),
 * else leaves the index alone: 0 or a STORE_E* code. */
int message_search_index_code(store_txn_t *w, const char *code, bool *indexed);
/* Makes the index hold what the message of site at ref ("<column>/<seq>") is now: indexed
 * when its reply is public, else out (a rebuild's catch-up). */
int message_search_refresh(store_txn_t *w, const char *site, const char *ref);
/* The receipt code of the public message numbered seq in site's column into
 * code[MESSAGE_CODE_LEN + 1]: 0, STORE_NOTFOUND, or another STORE_E* code. */
int message_public_code(store_txn_t *t, const char *site, const char *column, uint64_t seq,
                        char *code);

#endif
