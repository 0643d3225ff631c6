#!/usr/bin/python3
"""tools/mutate.py: the mutation check (`make mutate`, not part of `make test`).

Each entry of MUTATIONS is a one-line change to security- or rule-critical code (parser
framing, path normalisation, routing, the reviewer/publisher check, every audit threshold,
form-token verification and expiry, reload refusal, message rate limits) and the tests that
must catch it. One at a time, each is applied to a copy of the tree (never the working
tree), the binaries it needs are rebuilt incrementally, its tests run under a time bound,
and the change is undone. A mutation whose tests still pass "survived": the suite would
let that regression through. The table at the end lists every mutation; the exit status
is 1 when one survived.

  tools/mutate.py                  every mutation
  tools/mutate.py --only ID,ID     some of them
  tools/mutate.py --list           the list, nothing run
  tools/mutate.py --tests-from REV the same code, the tests of another commit (to compare
                                   how strong the suite was before)

Tests are "unit:NAME" (tests/unit/NAME.c, built and run) or "e2e:ARGS" (pytest ARGS).
A test that does not exist in the tree (--tests-from an older commit) is left out; a
mutation with none left is reported "no test".
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTEST = ["/usr/bin/python3", "-m", "pytest", "-q", "-x"]
TEST_TIMEOUT = 240  # seconds for one mutation's tests; running out counts as caught
BUILD_TIMEOUT = 600

E_PATHS = "e2e:tests/e2e/test_paths.py"
E_ESCAPES = "e2e:tests/e2e/test_adversarial.py -k escape_encoding_refused or invalid_utf8 or raw_utf8"
E_FRAMING = "e2e:tests/e2e/test_framing.py"
E_ROUTING = "e2e:tests/e2e/test_routing.py"
E_AUDIT = "e2e:tests/e2e/test_audit.py"
E_TOKENS = "e2e:tests/e2e/test_interaction.py -k token"
E_RELOAD = "e2e:tests/e2e/test_reload.py -k keeps_old_config or reload_invalid"
E_LIMITS = "e2e:tests/e2e/test_interaction.py -k limit"
U_AUDIT = "unit:test_audit_limits"
AUDIT = [U_AUDIT, E_AUDIT]


def M(mid, path, find, repl, tests):
    return {"id": mid, "file": path, "find": find, "repl": repl, "tests": tests}


MUTATIONS = [
    # ---- parser framing (core/http1.c) ----
    M("http1-cl-and-te-accepted", "core/http1.c",
      'return *reason = "both Content-Length and Transfer-Encoding", 400;',
      'req->has_content_length = false;', [E_FRAMING]),
    M("http1-duplicate-cl-accepted", "core/http1.c",
      'return *reason = "duplicate Content-Length", 400;',
      'return *reason = "duplicate Content-Length", 0;', [E_FRAMING]),
    M("http1-chunked-not-last-accepted", "core/http1.c",
      "    if (f->te_final_chunked)\n        return 400;",
      "    if (0 && f->te_final_chunked)\n        return 400;", [E_FRAMING]),
    M("http1-te-in-http10-accepted", "core/http1.c",
      "        if (req->version_minor == 0)\n            return *reason = \"Transfer-Encoding",
      "        if (0)\n            return *reason = \"Transfer-Encoding", [E_FRAMING, "e2e:tests/e2e/test_http.py"]),
    M("http1-missing-host-accepted", "core/http1.c",
      "        if (!f->host_seen)", "        if (0 && !f->host_seen)", [E_FRAMING]),
    M("http1-duplicate-host-accepted", "core/http1.c",
      "        if (f->host_seen)", "        if (0 && f->host_seen)", [E_FRAMING]),
    M("http1-leading-crlf-refused", "core/http1.c",
      "    while (p < end && b[p] == '\\r') {", "    while (0 && p < end && b[p] == '\\r') {",
      [E_FRAMING]),
    M("http1-request-line-limit-off-by-one", "core/http1.c",
      "bool line_capped = end - p > lim->max_request_line;",
      "bool line_capped = end - p > lim->max_request_line + 1;",
      [E_FRAMING, "unit:test_http1"]),
    M("http1-head-limit-off-by-one", "core/http1.c",
      "    if (len >= max_head)\n        return fail(status, reason, 431",
      "    if (len > max_head)\n        return fail(status, reason, 431",
      [E_FRAMING, "unit:test_http1"]),
    M("http1-chunk-size-17-digits", "core/http1.c",
      "if (c->line_len >= 16)", "if (c->line_len >= 17)", [E_FRAMING, "unit:test_http1"]),
    # ---- path normalisation (core/path.c) ----
    M("path-dotdot-at-root-kept-as-name", "core/path.c",
      "} else if (seg_len == 2 && out[seg] == '.' && out[seg + 1] == '.') {",
      "} else if (seg_len == 2 && out[seg] == '.' && out[seg + 1] == '.' && seg != 1) {",
      [E_PATHS, E_ESCAPES]),
    M("path-encoded-slash-accepted", "core/path.c",
      "                if (c == '/')\n                    return PATH_BAD;",
      "                if (0 && c == '/')\n                    return PATH_BAD;", [E_PATHS, E_ESCAPES]),
    M("path-backslash-accepted", "core/path.c",
      "if (c < 0x20 || c == 0x7f || c == '\\\\')", "if (c < 0x20 || c == 0x7f)",
      [E_PATHS, E_ESCAPES]),
    M("path-control-accepted", "core/path.c",
      "if (c < 0x20 || c == 0x7f || c == '\\\\')", "if (c == 0x7f || c == '\\\\')",
      [E_PATHS, E_ESCAPES]),
    M("path-utf8-unchecked", "core/path.c",
      "if (high && !path_utf8_valid(", "if (0 && high && !path_utf8_valid(", [E_PATHS, E_ESCAPES]),
    M("path-overlong-e0-accepted", "core/path.c",
      "lo = 0xa0; /* overlong */", "lo = 0x80; /* overlong */", [E_PATHS, E_ESCAPES]),
    M("path-dot-kept-as-name", "core/path.c",
      "if (seg_len == 1 && out[seg] == '.') {", "if (seg_len == 1 && out[seg] == ',') {",
      [E_PATHS, E_ESCAPES]),
    M("path-dotdot-does-not-pop", "core/path.c",
      "w = seg - 1; /* the '/' ending the parent segment */", "w = seg; /* mutated */",
      [E_PATHS, E_ESCAPES]),
    # ---- routing (core/router.c) ----
    M("router-alias-served-as-site", "core/router.c",
      "    if (h->alias_of) {", "    if (0 && h->alias_of) {", [E_ROUTING]),
    M("router-host-case-sensitive", "core/router.c",
      "    util_lower(out, len);", "    (void)util_lower;", [E_ROUTING]),
    M("router-port-kept-in-host", "core/router.c",
      "            len = (size_t)(colon - host);", "            (void)colon;", [E_ROUTING]),
    M("router-trailing-dot-kept", "core/router.c",
      "    if (len > 0 && host[len - 1] == '.')", "    if (0 && len > 0 && host[len - 1] == '.')",
      [E_ROUTING, "e2e:tests/e2e/test_adversarial.py -k host"]),
    M("router-no-fallback-host", "core/router.c",
      "        h = r->fallback;", "        h = NULL;", [E_ROUTING]),
    M("router-shortest-mount-first", "core/router.c",
      "for (size_t end = path_len < h->longest ? path_len : h->longest; end > 0; end--) {",
      "for (size_t end = 1; end <= (path_len < h->longest ? path_len : h->longest); end++) {",
      [E_ROUTING]),
    # ---- the reviewer is not the publisher (modules/content/article.c) ----
    M("article-self-review-accepted", "modules/content/article.c",
      "    if (strcmp(m->reviewer, m->publisher) == 0)",
      "    if (0 && strcmp(m->reviewer, m->publisher) == 0)",
      ["e2e:tests/e2e/test_content.py -k refusals", "unit:test_article_trail"]),
    # ---- audit thresholds: the defaults (modules/audit/audit_conf.c, core/conf_priv.h) ----
    M("audit-homepage-14-to-28", "modules/audit/audit_conf.c", ".homepage_days = 14,", ".homepage_days = 28,", AUDIT),
    M("audit-homepage-14-to-15", "modules/audit/audit_conf.c", ".homepage_days = 14,", ".homepage_days = 15,", AUDIT),
    M("audit-dynamic-14-to-15", "modules/audit/audit_conf.c", ".dynamic_days = 14,", ".dynamic_days = 15,", AUDIT),
    M("audit-notice-183-to-184", "modules/audit/audit_conf.c", ".notice_days = 183,", ".notice_days = 184,", AUDIT),
    M("audit-policy-183-to-184", "modules/audit/audit_conf.c", ".policy_days = 183,", ".policy_days = 184,", AUDIT),
    M("audit-personnel-365-to-366", "modules/audit/audit_conf.c", ".personnel_days = 365,",
      ".personnel_days = 366,", AUDIT),
    M("audit-plan-365-to-366", "modules/audit/audit_conf.c", ".plan_days = 365,", ".plan_days = 366,", AUDIT),
    M("audit-stale-columns-5-to-6", "modules/audit/audit_conf.c", ".stale_columns_veto = 5,",
      ".stale_columns_veto = 6,", AUDIT),
    M("audit-blank-columns-5-to-6", "modules/audit/audit_conf.c", ".blank_columns_veto = 5,",
      ".blank_columns_veto = 6,", AUDIT),
    M("audit-unanswered-90-to-91", "modules/audit/audit_conf.c", ".unanswered_veto_days = 90,",
      ".unanswered_veto_days = 91,", AUDIT),
    M("audit-probe-percent-5-to-6", "modules/audit/audit_conf.c", ".probe_fail_percent = 5,",
      ".probe_fail_percent = 6,", AUDIT),
    M("audit-probe-days-7-to-8", "modules/audit/audit_conf.c", ".probe_days = 7,", ".probe_days = 8,", AUDIT),
    M("conf-suspension-183-to-184", "modules/lifecycle/lifecycle_conf.h", "#define LIFECYCLE_SUSPENSION_MAX_DAYS 183",
      "#define LIFECYCLE_SUSPENSION_MAX_DAYS 184", ["unit:test_conf"]),
    M("conf-suspension-limit-inclusive", "modules/lifecycle/lifecycle_conf.c",
      "else if (days > LIFECYCLE_SUSPENSION_MAX_DAYS)", "else if (days >= LIFECYCLE_SUSPENSION_MAX_DAYS)",
      ["unit:test_conf"]),
    # ---- audit thresholds: the comparisons (modules/audit/audit_limits.c) ----
    M("audit-days-limit-inclusive", "modules/audit/audit_limits.c",
      "return at - since > (int64_t)days * AUDIT_LIMITS_DAY;",
      "return at - since >= (int64_t)days * AUDIT_LIMITS_DAY;", AUDIT),
    M("audit-veto-count-exclusive", "modules/audit/audit_limits.c",
      "return n >= veto;", "return n > veto;", AUDIT),
    M("audit-probe-percent-inclusive", "modules/audit/audit_limits.c",
      "return (uint64_t)failed * 100 > (uint64_t)total * percent;",
      "return (uint64_t)failed * 100 >= (uint64_t)total * percent;", AUDIT),
    M("audit-year-366-days", "modules/audit/audit_limits.c",
      "#define YEAR_DAYS 365", "#define YEAR_DAYS 366", AUDIT),
    M("audit-year-exclusive", "modules/audit/audit_limits.c",
      "return created >= at - YEAR_DAYS", "return created > at - YEAR_DAYS", AUDIT),
    M("audit-notice-column-gets-dynamic-limit", "modules/audit/audit_limits.c",
      "case COLUMN_NOTICE: return au->notice_days;", "case COLUMN_NOTICE: return au->dynamic_days;",
      AUDIT),
    # ---- form tokens (modules/interaction/message_text.c, message.h) ----
    M("token-mac-unchecked", "modules/interaction/message_text.c",
      "    if (CRYPTO_memcmp(hex, dot + 1, 32) != 0)", "    if (0 && CRYPTO_memcmp(hex, dot + 1, 32) != 0)",
      ["unit:test_message", E_TOKENS]),
    M("token-future-accepted", "modules/interaction/message_text.c",
      "    if (t > now + MESSAGE_TOKEN_SKEW)", "    if (0 && t > now + MESSAGE_TOKEN_SKEW)",
      ["unit:test_message", E_TOKENS]),
    M("token-never-expires", "modules/interaction/message_text.c",
      "    if (now - t > MESSAGE_TOKEN_TTL)", "    if (0 && now - t > MESSAGE_TOKEN_TTL)",
      ["unit:test_message", E_TOKENS]),
    M("token-expiry-off-by-one", "modules/interaction/message_text.c",
      "    if (now - t > MESSAGE_TOKEN_TTL)", "    if (now - t > MESSAGE_TOKEN_TTL + 1)",
      ["unit:test_message", E_TOKENS]),
    M("token-without-cookie-nonce", "modules/interaction/message_text.c",
      "    if (!nonce || !message_nonce_ok(nonce, strlen(nonce)))", "    if (!nonce)",
      ["unit:test_message", E_TOKENS]),
    M("token-skew-300-to-3000", "modules/interaction/message_text.h", "#define MESSAGE_TOKEN_SKEW 300",
      "#define MESSAGE_TOKEN_SKEW 3000", ["unit:test_message", E_TOKENS]),
    # ---- reload refusal (core/conf.c) ----
    M("reload-one-error-tolerated", "core/conf.c",
      "    if (diag->errors > errors_before) {", "    if (diag->errors > errors_before + 1) {",
      [E_RELOAD]),
    # conf_load_opt: the server's load (flags 0) must still read certificates and themes
    M("load-opt-tls-always-skipped", "core/conf.c",
      "errors_before && !(flags & CONF_LOAD_NO_TLS))", "errors_before && 0)",
      ["unit:test_conf"]),
    M("load-opt-themes-always-skipped", "core/conf.c",
      "if (!(flags & CONF_LOAD_NO_THEMES))", "if (0)", ["unit:test_conf"]),
    # conf_load_sites (jiyuectl publish): a file stands for a site only when it declares the
    # id it is named by, and an id is a file name only when it is a slug
    M("load-sites-other-id-accepted", "core/conf.c",
      "    if (strcmp(s->id, id) != 0) {", "    if (0) {", ["unit:test_conf_sites"]),
    M("load-sites-id-as-path", "core/conf.c",
      "    if (!conf_is_slug(id)) {\n        conf_err_at(x, x->sites_pos",
      "    if (0) {\n        conf_err_at(x, x->sites_pos", ["unit:test_conf_sites"]),
    M("ctl-partial-conf-taken-whole", "tools/jiyuectl/main.c",
      "(!ctl->conf->partial || (site &&", "(1 || (site &&",
      ["e2e:tests/e2e/test_publish_sites.py"]),
    # search join: walk or seek per term; either way each candidate counts once
    M("search-join-choice-inverted", "modules/search/search_query.c",
      "    return (uint64_t)n * SEARCH_BLOCK_MAX * SEARCH_WALK_GAP >= df;",
      "    return (uint64_t)n * SEARCH_BLOCK_MAX * SEARCH_WALK_GAP < df;", ["unit:test_search_index"]),
    M("search-join-walk-counts-entries", "modules/search/search_query.c",
      "    if (r->join && r->want && !r->prefix && klen > 16) {",
      "    if (r->seek && r->want && !r->prefix && klen > 16) {", ["unit:test_search_index"]),
    # ---- message rate limits (modules/interaction/message_limit.c) ----
    M("limit-hourly-window-exclusive", "modules/common/rate_window.c",
      "        if (count >= limit) {", "        if (count > limit) {", ["unit:test_message", E_LIMITS]),
    M("limit-exact-window-exclusive", "modules/common/rate_window.c",
      "    if (n - first >= limit) {", "    if (n - first > limit) {", ["unit:test_message", E_LIMITS]),
    M("limit-site-day-exclusive", "modules/interaction/message_limit.c",
      "site_n >= l->per_site_day", "site_n > l->per_site_day", ["unit:test_message", E_LIMITS]),
    M("limit-byte-budget-ignored", "modules/interaction/message_limit.c",
      "if (rc == 0 && day_bytes + bytes > l->bytes_per_day) {",
      "if (0 && rc == 0 && day_bytes + bytes > l->bytes_per_day) {", ["unit:test_message", E_LIMITS]),
    M("limit-prefix-unchecked", "modules/interaction/message_limit.c",
      "    } else if (rc == 0 && have_prefix) {", "    } else if (0 && rc == 0 && have_prefix) {",
      ["unit:test_message", E_LIMITS]),
    # ---- store permissions, connections per address, preview tokens, attachments ----
    M("store-group-readable-accepted", "core/store.c",
      "    if (stat(dir, &st) == 0 && (st.st_mode & 077)) {",
      "    if (stat(dir, &st) == 0 && (st.st_mode & 007)) {",
      ["e2e:tests/e2e/test_operator_faults.py -k store_is_private"]),
    M("store-file-modes-unchecked", "core/store.c",
      "        if (stat(path, &st) == 0 && (st.st_mode & 077)) {",
      "        if (0 && stat(path, &st) == 0 && (st.st_mode & 077)) {",
      ["e2e:tests/e2e/test_operator_faults.py -k store_is_private"]),
    M("peer-cap-off-by-one", "core/peerlimit.c",
      "    if (e->count >= lim->max_connections_per_address)",
      "    if (e->count > lim->max_connections_per_address)",
      ["e2e:tests/e2e/test_limits.py -k per_address"]),
    M("preview-token-never-expires", "modules/lifecycle/lifecycle_token.c",
      "    if (exp <= now || exp > LIFECYCLE_EXPIRES_MAX ||",
      "    if (exp > LIFECYCLE_EXPIRES_MAX ||",
      ["unit:test_lifecycle", "e2e:tests/e2e/test_lifecycle.py -k token_expires"]),
    M("content-decline-never-stale", "modules/content/content.c",
      "    if (slot->hash == dh && slot->stamp == dstamp)", "    if (slot->hash == dh)",
      ["e2e:tests/e2e/test_content.py -k shows_at_next_request"]),
    M("attachment-dotdot-accepted", "core/beneath.c",
      "        if (n == 2 && p[0] == '.' && p[1] == '.')",
      "        if (0 && n == 2 && p[0] == '.' && p[1] == '.')",
      ["unit:test_beneath", "e2e:tests/e2e/test_ctl.py -k attachment"]),
    # ---- console accounts (modules/accounts/, jiyuectl user) ----
    M("account-disabled-allowed", "modules/accounts/accounts.c",
      "    if (a->disabled)\n        return false;", "    if (0 && a->disabled)\n        return false;",
      ["unit:test_accounts"]),
    M("account-subtree-one-level", "modules/accounts/account_role.c",
      "p && steps <= c->nsites; p = p->parent, steps++)", "p && steps <= c->nsites; p = NULL, steps++)",
      ["unit:test_accounts"]),
    M("account-throttle-one-more-try", "modules/accounts/account_throttle.c",
      "    if (!window_open(t, now) || t->failures < max)",
      "    if (!window_open(t, now) || t->failures <= max)", ["unit:test_accounts"]),
    M("account-role-site-unchecked", "tools/jiyuectl/cmd_user.c",
      "        if (!account_role_check(&roles[i], ctl->conf))",
      "        if (0 && !account_role_check(&roles[i], ctl->conf))",
      ["e2e:tests/e2e/test_accounts.py -k refused"]),
    # ---- the search index (modules/search/) ----
    M("search-unpublish-stays-indexed", "modules/content/article.c",
      "    if ((rc = search_unindex_article(w, site, column, id)) != 0)",
      "    if (0 && (rc = search_unindex_article(w, site, column, id)) != 0)",
      ["unit:test_search_index", "e2e:tests/e2e/test_search.py"]),
    M("policy-index-no-not-unique", "modules/content/article.c",
      "        if (rc == 0 && strcmp(holder, own) != 0) {",
      "        if (rc == 1 && strcmp(holder, own) != 0) {",
      ["e2e:tests/e2e/test_search_policy.py -k index_no_unique"]),
    M("policy-keys-outside-policy-column", "modules/content/article.c",
      "        if (!policy) {", "        if (0 && !policy) {",
      ["e2e:tests/e2e/test_search_policy.py -k policy_keys_refused"]),
    M("search-round-bracket-not-folded", "modules/search/search_text.c",
      "    case '(': case '[': case 0x3010: case 0x3016: case 0xFE5D:",
      "    case '[': case 0x3010: case 0x3016: case 0xFE5D:",
      ["unit:test_search_text", "e2e:tests/e2e/test_search_policy.py -k brackets"]),
    M("message-spam-stays-indexed", "modules/interaction/message.c",
      "        (rc = message_search_del(w, &c)) == 0 && (rc = put_record(w, &c)) == 0)",
      "        (rc = put_record(w, &c)) == 0)",
      ["e2e:tests/e2e/test_search_policy.py -k spam"]),
    M("message-spam-reply-indexed", "modules/interaction/message.c",
      "    if (rc == 0 && !c.spam_time)",
      "    if (rc == 0)",
      ["e2e:tests/e2e/test_search_policy.py -k spam"]),
    M("search-postings-seq-sign-off-by-one", "modules/search/search_block.c",
      "            int64_t ds = (zs[i - 1] & 1) ? -(int64_t)(zs[i - 1] >> 1) - 1 : (int64_t)(zs[i - 1] >> 1);",
      "            int64_t ds = (zs[i - 1] & 1) ? -(int64_t)(zs[i - 1] >> 1) : (int64_t)(zs[i - 1] >> 1);",
      ["unit:test_search_postings"]),
    M("search-postings-trailing-bytes-accepted", "modules/search/search_block.c",
      "    if (column_get(&b, extra, tt) || column_get(&b, n, lc) || b.p != end)",
      "    if (column_get(&b, extra, tt) || column_get(&b, n, lc))",
      ["unit:test_search_postings"]),
    M("search-phrase-not-verified", "modules/search/search_query.c",
      "    if (nphrases) {\n        size_t m = 0", "    if (0 && nphrases) {\n        size_t m = 0",
      ["unit:test_search_index"]),
    M("search-seek-charges-whole-blocks", "modules/search/search_query.c",
      "    if (r->join && r->want && !r->prefix && klen > 16) {",
      "    if (0 && r->join && r->want && !r->prefix && klen > 16) {",
      ["unit:test_search_index"]),
    M("search-seek-gives-up-at-a-gap", "modules/search/search_query.c",
      "        if (!r->reseek)\n            break; /* the term's",
      "        if (1)\n            break; /* the term's",
      ["unit:test_search_index"]),
    M("search-seek-skips-a-candidate-block", "modules/search/search_query.c",
      "        while (r->cursor < r->want->n && r->want->c[r->cursor].doc > first)",
      "        while (r->cursor < r->want->n && r->want->c[r->cursor].doc >= first)",
      ["unit:test_search_index"]),
    M("search-date-estimate-dropped", "modules/search/search_query.c",
      "        out->total = found.n + (uint64_t)((double)found.n * left / decoded + 0.5);",
      "        out->total = found.n;",
      ["unit:test_search_index"]),
    M("search-bulk-removal-dropped", "modules/search/search_bulk.c",
      "            if (d < bt->ndel && bt->del[d] == all[a].doc)",
      "            if (0 && d < bt->ndel && bt->del[d] == all[a].doc)",
      ["unit:test_search_index", "e2e:tests/e2e/test_search_page.py -k imported_pages"]),
    M("search-capped-not-in-json", "modules/search/search.c",
      '(unsigned long long)res->total, res->capped ? "true" : "false", q->page);',
      '(unsigned long long)res->total, "false", q->page);',
      ["e2e:tests/e2e/test_search.py -k stops_early"]),
    M("search-site-filter-ignored", "modules/search/search_query.c",
      "    return (!r->site || e->site == r->site)", "    return (1 || e->site == r->site)",
      ["unit:test_search_index", "e2e:tests/e2e/test_search.py -k site_scope"]),
    M("search-reindex-always-equal", "modules/search/search_reindex.c",
      "        rep->equal = memcmp(before, after, sizeof before) == 0;",
      "        rep->equal = true;", ["unit:test_search_index", "e2e:tests/e2e/test_search.py"]),
    M("search-rebuild-changes-not-queued", "modules/search/search_fam.c",
      "    out->queue = b.phase == SEARCH_BUILD_WALK;", "    out->queue = false;",
      ["unit:test_search_reindex"]),
    M("search-rebuild-in-step-writes-one-family", "modules/search/search_fam.c",
      "        out->f[out->n++] = search_fam_other(live);", "        (void)0;",
      ["unit:test_search_reindex"]),
    M("search-readers-ignore-live-family", "modules/search/search_fam.c",
      "        len == 1 && *(const char *)v == 'y')", "        len == 1 && *(const char *)v == 'z')",
      ["unit:test_search_reindex", "e2e:tests/e2e/test_search.py -k while_serving"]),
    M("search-rebuild-always-equal", "modules/search/search_reindex.c",
      "        b->rep->equal = memcmp(a, n, sizeof a) == 0;", "        b->rep->equal = true;",
      ["unit:test_search_reindex", "e2e:tests/e2e/test_search.py -k damage"]),
    M("search-snippet-unescaped", "modules/search/search_text.c",
      "        tpl_escape(out, s + offs[i], offs[j] - offs[i]);",
      "        util_buf_append(out, s + offs[i], offs[j] - offs[i]);",
      ["unit:test_search_text", "e2e:tests/e2e/test_search_page.py -k escaped"]),
    M("search-bad-utf8-shown", "modules/search/search_text.c",
      '            util_buf_appends(out, "\\xEF\\xBF\\xBD"); /* U+FFFD for each bad byte */',
      "            util_buf_append(out, s + i, len);",
      ["unit:test_search_text", "e2e:tests/e2e/test_search_page.py -k invalid_utf8"]),
    M("search-junk-counted-hot", "modules/search/search.c",
      "    if (res.total > 0 && q.page == 1)", "    if (q.page == 1)",
      ["e2e:tests/e2e/test_search_page.py -k hot_searches_counted"]),
    M("search-no-address-limit", "modules/search/search.c",
      "    if (!search_limit_take(r->peer, &c->limits, search_server_conf(c)->per_minute, now,",
      "    if (0 && !search_limit_take(r->peer, &c->limits, search_server_conf(c)->per_minute, now,",
      ["e2e:tests/e2e/test_search_page.py -k per_address"]),
    # ---- the publishing workflow (modules/workflow/) ----
    M("workflow-self-review", "modules/workflow/workflow.c",
      "    if (strcmp(a->acct.name, a->d.editor) == 0 || strcmp(a->acct.name, a->d.last_by) == 0)",
      "    if (strcmp(a->acct.name, a->d.last_by) == 0 && 0)",
      ["unit:test_workflow", "e2e:tests/e2e/test_console_offer.py -k self_acceptance"]),
    M("workflow-secrecy-unconfirmed", "modules/workflow/workflow.c",
      "    if (!how->secrecy_review)", "    if (0 && !how->secrecy_review)", ["unit:test_workflow"]),
    M("message-reply-id-taken", "modules/interaction/message_text.c",
      "    if (pii.ids)\n        return \"shows an unmasked", "    if (0 && pii.ids)\n        return \"shows an unmasked",
      ["unit:test_console_inbox", "e2e:tests/e2e/test_console_inbox.py -k reply_refusals"]),
    M("workflow-personal-data-unconfirmed", "modules/workflow/workflow.c",
      "    if (pii.ids && !how->personal_data)", "    if (0 && pii.ids && !how->personal_data)",
      ["unit:test_workflow", "e2e:tests/e2e/test_console_drafts.py -k unmasked"]),
    M("workflow-personal-body-unread", "modules/workflow/workflow_personal.c",
      "{d->title, d->body, d->source,", "{d->title, NULL, d->source,",
      ["unit:test_workflow", "e2e:tests/e2e/test_console_drafts.py -k unmasked"]),
    M("workflow-update-after-submit", "modules/workflow/workflow.c",
      "    if (a->d.state != WORKFLOW_DRAFT && a->d.state != WORKFLOW_REJECTED)\n        return refuse(e, WORKFLOW_ECONFLICT, NULL, \"draft %s is %s: only a draft or a rejected \"",
      "    if (0)\n        return refuse(e, WORKFLOW_ECONFLICT, NULL, \"draft %s is %s: only a draft or a rejected \"",
      ["unit:test_workflow"]),
    M("workflow-other-editor-writes", "modules/workflow/workflow.c",
      "    return (strcmp(a->acct.name, a->d.editor) == 0 &&\n",
      "    return (1 &&\n", ["unit:test_workflow"]),
    # ---- the management listener and the console (core/conn.c, modules/console/) ----
    M("admin-allow-list-skipped", "core/conn.c",
      "        if (!conf_nets_match(conf->admin_allow, conf->nadmin_allow, &c->peer.sa)) {",
      "        if (0 && !conf_nets_match(conf->admin_allow, conf->nadmin_allow, &c->peer.sa)) {",
      ["e2e:tests/e2e/test_console.py -k allow_list"]),
    M("console-csrf-prefix-accepted", "modules/console/console_guard.c",
      "    if (n == 0 || len != n)", "    if (n == 0 || len > n)",
      ["unit:test_console", "e2e:tests/e2e/test_console.py -k csrf"]),
    M("console-origin-unchecked", "modules/console/console_api.c",
      "    if (!origin || !console_origin_ok(origin->value.p, origin->value.len, r->tls, r->host,",
      "    if (0 && !console_origin_ok(origin->value.p, origin->value.len, r->tls, r->host,",
      ["e2e:tests/e2e/test_console.py -k csrf"]),
    M("console-disabled-session-kept", "modules/console/console_api.c",
      "    if (rc != STORE_OK || a->disabled)", "    if (rc != STORE_OK)",
      ["e2e:tests/e2e/test_console.py -k disabled"]),
    M("console-throttle-ignored", "modules/console/console_login.c",
      "    if (wait > 0) {\n        j->status = 429;", "    if (0) {\n        j->status = 429;",
      ["e2e:tests/e2e/test_console.py -k throttling"]),
    # ---- the drafts API, uploads, scheduled publication (modules/console/, workflow/) ----
    M("workflow-policy-key-unchecked", "modules/workflow/workflow.c",
      "        .doc_no = empty(f->doc_no) ? NULL : (char *)f->doc_no,",
      "        .doc_no = NULL,",
      ["unit:test_workflow", "e2e:tests/e2e/test_console_policy.py -k bad_keys"]),
    M("workflow-held-index-no-not-409", "modules/workflow/workflow.c",
      "    if (irc > 0)\n", "    if (0 && irc > 0)\n",
      ["unit:test_workflow", "e2e:tests/e2e/test_console_policy.py -k header_and_found"]),
    M("workflow-draft-v3-header-lost", "modules/workflow/workflow_draft.c",
      '        *pol[i] = version >= 3 ? get_heap(&r) : util_strdup("");',
      '        *pol[i] = version >= 4 ? get_heap(&r) : util_strdup("");',
      ["unit:test_workflow"]),
    M("admin-upload-cap-on-public", "core/conn.c",
      "    return c->admin && c->upload ? c->w->snap->conf->admin_max_upload : limits(c)->max_body_bytes;",
      "    return c->w->snap->conf->admin_max_upload;",
      ["e2e:tests/e2e/test_console_drafts.py -k max_upload"]),
    M("drafts-queue-of-another-site", "modules/workflow/workflow_list.c",
      "        if (site && !account_may(&acct, ACCOUNT_ROLE_REVIEWER, c, site))",
      "        if (0 && site && !account_may(&acct, ACCOUNT_ROLE_REVIEWER, c, site))",
      ["e2e:tests/e2e/test_console_drafts.py -k list_mine_and_queue"]),
    M("drafts-upload-half-kept", "modules/console/console_drafts.c",
      "    return j->wrc != WORKFLOW_OK && j->nfiles ? STORE_EIO : 0;", "    return 0;",
      ["e2e:tests/e2e/test_console_drafts.py -k too_many_files"]),
    M("workflow-scheduled-published-early", "modules/workflow/workflow.c",
      "    if (a.d.scheduled > x->now) {", "    if (0) {",
      ["unit:test_workflow", "e2e:tests/e2e/test_console_drafts.py -k scheduled_publication"]),
    # ---- the console's messages, history and audit API (modules/console/) ----
    M("console-reply-any-site", "modules/console/console_messages.c",
      "    if (!site || !account_may(&a, ACCOUNT_ROLE_REPLIER, c, m.site)) {",
      "    if (!site) {",
      ["e2e:tests/e2e/test_console_inbox.py -k health_replier"]),
    M("console-messages-any-site", "modules/console/console_messages.c",
      "    if (!account_may(&a, ACCOUNT_ROLE_REPLIER, c, site->id)) {",
      "    if (!account_may(&a, ACCOUNT_ROLE_EDITOR, c, site->id)) {",
      ["e2e:tests/e2e/test_console_inbox.py -k health_replier"]),
    M("console-history-spam-code-shown", "modules/console/console_history.c",
      '    set_text(o, "id", spam && !codes ? NULL : a->id);',
      '    set_text(o, "id", a->id);',
      ["e2e:tests/e2e/test_console_inbox.py -k history_of_a_site"]),
    M("console-audit-for-editors", "modules/console/console_audit.c",
      "        if ((!site || cs == site) && account_may(a, ACCOUNT_ROLE_SITE_ADMIN, c, cs->id))",
      "        if ((!site || cs == site) && account_may(a, ACCOUNT_ROLE_EDITOR, c, cs->id))",
      ["e2e:tests/e2e/test_console_inbox.py -k audit"]),
    # ---- the console's pages and the API's form mode (modules/console/console_page*.c) ----
    M("console-page-messages-any-role", "modules/console/console_page_inbox.c",
      "    if (!account_may(a, ACCOUNT_ROLE_REPLIER, c, site->id)) {",
      "    if (!account_may(a, ACCOUNT_ROLE_EDITOR, c, site->id)) {",
      ["e2e:tests/e2e/test_console_inbox_pages.py -k need_a_session_and_a_role"]),
    M("console-page-history-any-site", "modules/console/console_page_inbox.c",
      "    if (!console_history_may(a, c, site, &codes)) {",
      "    if (0 && !console_history_may(a, c, site, &codes)) {",
      ["e2e:tests/e2e/test_console_inbox_pages.py -k need_a_session_and_a_role"]),
    M("console-next-other-host", "core/url.c",
      "    if (n > 1 && (p[1] == '/' || p[1] == '\\\\'))", "    if (n > 1 && (p[1] == '\\\\'))",
      ["unit:test_console_pages", "unit:test_care",
       "e2e:tests/e2e/test_console_pages.py -k errors_are_pages"]),
    M("console-next-id-pasted", "modules/console/console_next.c",
      "            if (!id_ok(id))", "            if (!id || (0 && !id_ok(id)))", ["unit:test_console_pages"]),
    M("console-queue-lists-own-drafts", "modules/console/console_page_list.c",
      "        if (view == WORKFLOW_VIEW_QUEUE && strcmp(it->editor, p->a->name) == 0)",
      "        if (0 && view == WORKFLOW_VIEW_QUEUE && strcmp(it->editor, p->a->name) == 0)",
      ["e2e:tests/e2e/test_console_pages.py -k drafts_lists"]),
    M("console-preview-unsandboxed", "modules/console/console_page_review.c",
      "    \"sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \"        \\",
      "    \"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \"        \\",
      ["e2e:tests/e2e/test_console_pages.py -k preview"]),
    # ---- operations: visit statistics, the annual report, metrics (issue 17) ----
    M("stats-assets-counted", "modules/stats/stats.c",
      "    if (len == 0 || path[len - 1] == '/')\n        return true;",
      "    if (1)\n        return true;",
      ["unit:test_stats", "e2e:tests/e2e/test_stats.py -k views_visitors"]),
    M("stats-ua-cache-by-length", "modules/stats/stats.c",
      "    if (len == T.last_ua_len && !memcmp(T.last_ua, ua, len))",
      "    if (len == T.last_ua_len)",
      ["e2e:tests/e2e/test_stats.py -k switching"]),
    M("stats-bot-upper-m-missed", "modules/stats/stats.c",
      "    ['m'] = BM(11), ['M'] = BM(11),", "    ['m'] = BM(11),",
      ["unit:test_stats"]),
    M("tls-body-timeout-no-408", "core/conn.c",
      "        else if (c->tls_done && c->nwrites == 0)\n            tls_flush(c, &b, 1);",
      "        else if (0)\n            tls_flush(c, &b, 1);",
      ["e2e:tests/e2e/test_limits.py -k stalled_body"]),
    M("audit-backdated-run-recorded", "tools/jiyuectl/cmd_audit.c",
      "    if (rc == CTL_OK && !o->at)", "    if (rc == CTL_OK)",
      ["e2e:tests/e2e/test_report.py"]),
    M("metrics-admin-counted-as-none", "core/request.c",
      "    uint32_t slot = r->admin ? METRICS_SLOT_ADMIN", "    uint32_t slot = 0 ? METRICS_SLOT_ADMIN",
      ["e2e:tests/e2e/test_metrics.py -k requests_move"]),
    # ---- 报送 (issue 15): offers to a site above, listings that link to the original ----
    M("offer-any-target-site", "modules/workflow/workflow.c",
      "    if (!workflow_site_above(x->conf, to_site, site))",
      "    if (0 && !workflow_site_above(x->conf, to_site, site))",
      ["e2e:tests/e2e/test_console_offer.py -k attacks"]),
    M("offer-listing-indexed", "modules/content/article.c",
      "    if (strcmp(format, ARTICLE_FORMAT_LINK) != 0 &&",
      "    if (1 &&",
      ["e2e:tests/e2e/test_console_offer.py -k lists_a_link"]),
    M("offer-listing-outlives-original", "modules/content/article.c",
      "    } else if (article_link_unlist_txn(w, site, column, id, by, now, err, cap) != 0) {",
      "    } else if (0 && article_link_unlist_txn(w, site, column, id, by, now, err, cap) != 0) {",
      ["e2e:tests/e2e/test_console_offer.py -k unpublishing_the_original"]),
    # ---- HTTP/2 (issue 19) ----
    M("h2-rapid-reset-unlimited", "core/http2.c",
      "    if (frame->hd.type == NGHTTP2_RST_STREAM && !reset_allowed(h)) {",
      "    if (0 && frame->hd.type == NGHTTP2_RST_STREAM && !reset_allowed(h)) {",
      ["e2e:tests/e2e/test_http2.py -k rapid_reset"]),
    M("h2-hpack-bomb-unbounded", "core/http2.c",
      "    if (st->header_bytes > 4 * h->max_header_list) {",
      "    if (0 && st->header_bytes > 4 * h->max_header_list) {",
      ["e2e:tests/e2e/test_http2.py -k hpack_bomb"]),
    M("h2-authority-not-the-host", "core/http2.c",
      "            req.host = field_value(b, f);", "            (void)0;",
      ["e2e:tests/e2e/test_http2.py -k same_answer"]),
    M("h2-body-budget-per-stream", "core/http2.c",
      "    if (h->body_buffered + len > body_cap(h)) {", "    if (st->body.len + len > body_cap(h)) {",
      ["e2e:tests/e2e/test_http2.py -k body_cap or cannot_hold"]),
    M("h2-data-copy-flag-dropped", "core/http2.c",
      "    *flags |= NGHTTP2_DATA_FLAG_NO_COPY;", "    (void)0;",
      ["e2e:tests/e2e/test_http2.py -k data_bytes or small_window"]),
    M("h2-map-body-without-hold", "core/http2.c",
      "            (st->hold || (st->hold = worker_store_hold(w)))) {",
      "            (st->hold || 1)) {",
      ["e2e:tests/e2e/test_http2.py -k data_bytes"]),
    M("h2-body-timeout-ignored", "core/http2.c",
      "        if (st->body_open && !st->answered && !st->waiting && body_due(h, st) <= now) {",
      "        if (0 && st->body_open && !st->answered && !st->waiting && body_due(h, st) <= now) {",
      ["e2e:tests/e2e/test_http2.py -k stalled_body"]),
    M("h2-held-transactions-unbounded", "core/worker.c",
      "    if (w->nholds >= WORKER_HELD_TXNS)", "    if (0 && w->nholds >= WORKER_HELD_TXNS)",
      ["e2e:tests/e2e/test_http2.py -k held_transactions"]),
    M("h2-rfc7540-priorities", "core/http2.c",
      "        {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},",
      "        {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 0},",
      ["e2e:tests/e2e/test_http2.py -k rfc9218 or urgent"]),
    M("h2-priority-update-dropped", "core/http2.c",
      "    nghttp2_option_set_builtin_recv_extension_type(opt, NGHTTP2_PRIORITY_UPDATE);",
      "    (void)0;",
      ["e2e:tests/e2e/test_http2.py -k priority_update"]),
    M("listener-no-nodelay", "core/listener.c",
      "    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);",
      "    (void)0;",
      ["unit:test_listener"]),
    M("h2-waiting-oldest-first", "core/http2.c",
      "        if (st->waiting && (!best || st->urgency < best->urgency ||",
      "        if (st->waiting && (!best || st->urgency > 99 ||",
      ["e2e:tests/e2e/test_http2.py -k most_urgent_first"]),
    M("h2-priority-update-ignored-while-waiting", "core/http2.c",
      "    st->urgency = (uint8_t)u;\n    st->urgency_updated = true;",
      "    (void)u;",
      ["e2e:tests/e2e/test_http2.py -k reorders_waiting"]),
    M("h2-priority-urgency-over-7", "core/h2_priority.c",
      "item.n < 0 || item.n > 7)",
      "item.n < 0 || item.n > 8)",
      ["unit:test_h2_priority"]),
    # ---- accessibility and the 适老化 mode (issue 18) ----
    M("care-cache-key-without-mode", "modules/content/content.c",
      "    *k = q.care ? 'c' : 'n';", "    *k = 0 ? 'c' : 'n';",
      ["e2e:tests/e2e/test_a11y.py -k conditionals or cache_entry"]),
    M("care-no-vary-cookie", "core/serve.c",
      '        q = p->vary_cookie ? WORKER_PUT_LIT(q, "\\r\\nVary: Accept-Encoding, Cookie")',
      '        q = 0 ? WORKER_PUT_LIT(q, "\\r\\nVary: Accept-Encoding, Cookie")',
      ["e2e:tests/e2e/test_a11y.py -k conditionals or cache_entry"]),
    M("care-open-redirect", "core/url.c",
      "        if (c <= 0x20 || c == 0x7f || c == '\\\\')", "        if (c < 0x09 || c == 0x7f || c == '\\\\')",
      ["unit:test_care", "e2e:tests/e2e/test_a11y.py -k leaves_the_host"]),
    M("console-care-mode-ignored", "modules/console/console_page.c",
      '    care_tpl(p->d, p->root, p->care >= 0 ? p->care > 0 : care_mode(r), "/", to.data, to.len);',
      '    care_tpl(p->d, p->root, p->care >= 0 ? p->care > 0 : false, "/", to.data, to.len);',
      ["e2e:tests/e2e/test_a11y.py -k console_pages_in or console_signed"]),
    M("console-care-lost-on-the-pool", "modules/console/console_page_inbox.c",
      "    pg->care = care_mode(r);", "    pg->care = false;",
      ["e2e:tests/e2e/test_a11y.py -k console_signed"]),
    M("audit-empty-alt-accepted", "modules/audit/audit_rules.c",
      "        if (!has_alt)\n            missing++;", "        if (!has_alt && 0)\n            missing++;",
      ["unit:test_care", "e2e:tests/e2e/test_audit.py -k each_defect"]),
    # ---- personal data and hidden links (issue: personal-id, personal-phone, link-hidden) ----
    M("audit-id-check-digit-inverted", "modules/audit/audit_personal.c",
      '    return "10X98765432"[sum % 11] == check;', '    return "10X98765432"[sum % 11] != check;',
      ["unit:test_audit_personal", "e2e:tests/e2e/test_audit.py -k each_defect or personal"]),
    M("audit-phone-inside-longer-run", "modules/audit/audit_personal.c",
      "    if (k < 11 || (sep && j - i != 13) || (j < n && is_word(s[j])))",
      "    if (k < 11 || (sep && j - i != 13))",
      ["unit:test_audit_personal"]),
    M("audit-hidden-style-ignored", "modules/audit/audit_html.c",
      "            hides = audit_html_style_hides(a.val, a.vlen, marquee);", "            (void)0;",
      ["unit:test_audit_html", "e2e:tests/e2e/test_audit.py -k each_defect or personal"]),
    M("audit-style-block-ignored", "modules/audit/audit_html.c",
      "    return hides || (css->n &&", "    return hides || (0 && css->n &&",
      ["unit:test_audit_html", "e2e:tests/e2e/test_audit.py -k personal_data_and_hidden"]),
    M("audit-hidden-ancestor-forgotten", "modules/audit/audit_html.c",
      "            audit_html_ref_t r = {tag, name, a.val, a.vlen, hides || hidden_now(&w)};",
      "            audit_html_ref_t r = {tag, name, a.val, a.vlen, hides || (hidden_now(&w) && 0)};",
      ["unit:test_audit_html", "e2e:tests/e2e/test_audit.py -k each_defect or personal"]),
    M("tls-record-overtakes-buffer", "core/tls_out.c",
      "    if (o->sock >= 0 && o->len == 0) {", "    if (o->sock >= 0) {",
      ["unit:test_tls_out"]),
    M("tls-whole-records-before-staged-head", "core/tls_out.c",
      "            if (staged == 0 && len >= TLS_OUT_RECORD) {", "            if (len >= TLS_OUT_RECORD) {",
      ["unit:test_tls_out"]),
    M("tls-chain-rebuilt-per-handshake", "core/tls.c",
      "    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_NO_AUTO_CHAIN);",
      "    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);",
      ["unit:test_tls"]),
    M("tls-two-tickets", "core/tls.c",
      "    SSL_CTX_set_num_tickets(ctx, 1);", "    SSL_CTX_set_num_tickets(ctx, 2);",
      ["unit:test_tls"]),
    M("tls-close-notify-never-sent", "core/conn.c",
      "    if (!(SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN)) {",
      "    if (SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN) {",
      ["e2e:tests/e2e/test_tls.py -k connection_close_over_tls_ends_cleanly"]),
    M("tls-flat-records-straight-out", "core/tls_out.c",
      "    o->sock = n <= TLS_OUT_RECORD ? sock : -1;", "    o->sock = sock;",
      ["unit:test_tls_out"]),
    M("tls-in-leftover-not-kept", "core/tls_in.c",
      "    if (in->kept)\n        return;", "    if (1)\n        return;",
      ["unit:test_tls_in", "e2e:tests/e2e/test_tls.py -k pipelined_records_wait"]),
    M("tls-in-new-bytes-replace-kept", "core/tls_in.c",
      "    if (in->len == 0) { /* the usual case: read where they lie */",
      "    if (1) { /* the usual case: read where they lie */",
      ["unit:test_tls_in"]),
    M("tls-records-behind-deferred-stall", "core/conn.c",
      "    if (c->ssl && tls_readable(c))\n        tls_pump(c);",
      "    if (0 && c->ssl && tls_readable(c))\n        tls_pump(c);",
      ["e2e:tests/e2e/test_http2.py -k pipelined_behind_a_deferred"]),
    M("tls-session-dropped-on-unclean-close", "core/tls.c",
      "        SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_SENT_SHUTDOWN);",
      "        (void)0;",
      ["e2e:tests/e2e/test_tls.py -k resumption_across_workers"]),
    M("tls-stateless-tickets", "core/tls.c",
      "    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);", "    (void)0;",
      ["unit:test_tls", "e2e:tests/e2e/test_tls.py -k ticket_names_a_cached_session"]),
    M("tls-mem-class-cap-off-by-one", "core/tls_mem.c",
      "    if (cache.ended || cache.count[c] >= class_max_blocks[c]) {",
      "    if (cache.ended || cache.count[c] > class_max_blocks[c]) {",
      ["unit:test_tls_mem"]),
    M("tls-mem-small-class-too-small", "core/tls_mem.c",
      "            size = (c + 1) * 16;",
      "            size = c * 16 + 8;",
      ["unit:test_tls_mem"]),
    M("pid-kept-across-fork", "core/pid.c",
      "    if (madvise(p, (size_t)size, MADV_WIPEONFORK) != 0) {",
      "    if (madvise(p, (size_t)size, MADV_NORMAL) != 0) {",
      ["unit:test_pid"]),
    M("accept-burst-off-by-one", "core/worker.c",
      "    return w->stopping || w->accepted < w->snap->conf->limits.accept_burst;",
      "    return w->stopping || w->accepted <= w->snap->conf->limits.accept_burst;",
      ["unit:test_worker_accept"]),
]


def sh(cmd, cwd, timeout, env=None):
    """Runs cmd; returns (exit code or 'timeout', seconds, output tail)."""
    t0 = time.monotonic()
    try:
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=timeout, env=env)
        out = (r.stdout + r.stderr).decode(errors="replace")
        return r.returncode, time.monotonic() - t0, out[-3000:]
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - t0, ""


def make_copy(tests_from):
    """A copy of the working tree (tracked and untracked files, uncommitted changes
    included) with its build, so that builds in it are incremental."""
    dst = Path(tempfile.mkdtemp(prefix="jiyue-mutate-"))
    files = subprocess.run(["git", "ls-files", "-coz", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout.split(b"\0")
    for f in files:
        if not f:
            continue
        src = ROOT / f.decode()
        if src.is_file():
            (dst / f.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / f.decode())
    # the build (incremental rebuilds) and the demo certificates (make certs; test_conf loads
    # the demo cluster)
    for d in ("build", "bin", "var/tls"):
        if (ROOT / d).is_dir():
            shutil.copytree(ROOT / d, dst / d, symlinks=True)
    if tests_from:
        shutil.rmtree(dst / "tests")
        tar = subprocess.run(["git", "archive", tests_from, "tests"], cwd=ROOT, capture_output=True,
                             check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dst)], input=tar, check=True)
    return dst


def present(tree, test):
    kind, _, arg = test.partition(":")
    if kind == "unit":
        return (tree / "tests/unit" / f"{arg}.c").is_file()
    return (tree / shlex.split(arg)[0].split("::")[0]).is_file()


def build(tree, tests):
    targets = ["bin/jiyue", "bin/jiyuectl"]
    targets += [f"build/tests/{t.partition(':')[2]}" for t in tests if t.startswith("unit:")]
    return sh(["make", "-s", "-j2", *targets], tree, BUILD_TIMEOUT)


def pytest_argv(arg):
    # "-k EXPR" takes the rest of the spec as one expression
    head, sep, expr = arg.partition(" -k ")
    argv = PYTEST + shlex.split(head)
    return argv + ["-k", expr] if sep else argv


def run_tests(tree, tests):
    """(True if every test passed, 'timeout' if time ran out, output of the first failure)."""
    deadline = time.monotonic() + TEST_TIMEOUT
    env = dict(os.environ, JIYUE_BIN_DIR="bin")
    env.pop("JIYUE_SANITIZED", None)
    for t in tests:
        left = deadline - time.monotonic()
        if left <= 0:
            return "timeout", ""
        kind, _, arg = t.partition(":")
        argv = [f"./build/tests/{arg}"] if kind == "unit" else pytest_argv(arg)
        rc, _, out = sh(argv, tree, left, env)
        if rc == "timeout":
            return "timeout", t
        if rc != 0:
            return False, f"{t}: {out[-800:]}"
    return True, ""


def apply(tree, m):
    p = tree / m["file"]
    text = p.read_text()
    n = text.count(m["find"])
    if n != 1:
        return None, f"snippet found {n} times in {m['file']}"
    p.write_text(text.replace(m["find"], m["repl"], 1))
    os.utime(p)
    return text, ""


def restore(tree, m, text):
    p = tree / m["file"]
    p.write_text(text)
    os.utime(p)  # newer than the mutated objects: the next build recompiles it


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated mutation ids")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--tests-from", metavar="REV", help="use the tests/ folder of commit REV")
    ap.add_argument("--keep", action="store_true", help="keep the copy of the tree")
    a = ap.parse_args()
    muts = MUTATIONS
    if a.only:
        want = set(a.only.split(","))
        muts = [m for m in muts if m["id"] in want]
        if len(muts) != len(want):
            sys.exit(f"mutate: unknown ids: {sorted(want - {m['id'] for m in MUTATIONS})}")
    if a.list:
        for m in muts:
            print(f"{m['id']:42} {m['file']:32} {' | '.join(m['tests'])}")
        print(f"{len(muts)} mutations")
        return 0

    t_start = time.monotonic()
    tree = make_copy(a.tests_from)
    print(f"mutate: {len(muts)} mutations in a copy of the tree at {tree}"
          + (f" (tests of {a.tests_from})" if a.tests_from else ""), flush=True)
    rows = []
    try:
        # The unmutated tree must pass every test of the list, or a "kill" means nothing.
        every = sorted({t for m in muts for t in m["tests"] if present(tree, t)})
        rc, secs, out = build(tree, every)
        if rc != 0:
            print(f"mutate: the unmutated tree does not build:\n{out}")
            return 2
        ok, why = run_tests(tree, every)
        if ok is not True:
            print(f"mutate: the unmutated tree fails its tests ({why})")
            return 2
        for m in muts:
            tests = [t for t in m["tests"] if present(tree, t)]
            t0 = time.monotonic()
            text, err = apply(tree, m)
            if text is None:
                rows.append((m, "ERROR", 0.0, err))
            elif not tests:
                restore(tree, m, text)
                rows.append((m, "no test", 0.0, ""))
            else:
                rc, _, out = build(tree, tests)
                if rc != 0:
                    # it does not even compile: caught, but by the compiler, not the tests
                    rows.append((m, "ERROR", time.monotonic() - t0, "does not build: " + out[-300:]))
                else:
                    ok, why = run_tests(tree, tests)
                    res = "survived" if ok is True else ("killed (time)" if ok == "timeout" else "killed")
                    rows.append((m, res, time.monotonic() - t0, why if ok is not True else ""))
                restore(tree, m, text)
            r = rows[-1]
            print(f"  {r[1]:14} {m['id']:42} {r[2]:6.1f}s", flush=True)
    finally:
        if not a.keep:
            shutil.rmtree(tree, ignore_errors=True)

    print()
    print(f"{'mutation':42} {'file':30} result")
    print(f"{'-' * 42} {'-' * 30} {'-' * 14}")
    for m, res, secs, why in rows:
        print(f"{m['id']:42} {m['file']:30} {res}")
    survived = [r for r in rows if r[1] in ("survived", "no test", "ERROR")]
    killed = len(rows) - len(survived)
    print(f"\n{len(rows)} mutations: {killed} killed, {len(survived)} not "
          f"({time.monotonic() - t_start:.0f} s)")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
