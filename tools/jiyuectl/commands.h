/* tools/jiyuectl/commands.h: the list of subcommands, one line each. Adding a subcommand
 * is one file (cmd_NAME.c defining ctl_cmd_NAME) and one line here; ctl.h declares the
 * functions and main.c builds the dispatch table from this same list.
 *
 * CTL_COMMAND(name, "arguments", "one-line summary") */
CTL_COMMAND(check, "", "validate conf/jiyue.yaml and every site file in sites.d")
CTL_COMMAND(import, "[--generation GEN] [--mirror] [--map CSV] SITE DIR",
            "replace a site's pages with the files under DIR (one transaction)")
CTL_COMMAND(ls, "[--generation GEN] SITE", "list a site's pages: path, type, size, gzip size, mtime")
CTL_COMMAND(rm, "[--generation GEN] SITE PATH", "remove one page from a site")
CTL_COMMAND(promote, "SITE GEN", "serve generation GEN of a site from now on (one step; see rollback)")
CTL_COMMAND(rollback, "SITE", "serve the generation a site served before its last promote")
CTL_COMMAND(preview, "SITE [--days N] | SITE --revoke",
            "print a preview token of a redesign's new generation (good N days, default 7); "
            "--revoke ends every earlier one")
CTL_COMMAND(redirects, "SITE", "list a site's stored migration redirects: OLD -> NEW, one per line")
CTL_COMMAND(census, "sites|columns [--format csv|json] [--bom]",
            "the census tables (基本信息表, 栏目信息表) on stdout: CSV in Chinese, JSON ids and names")
CTL_COMMAND(publish, "[--dry-run] [--KEY VALUE]... FILE | --batch FILE.jsonl",
            "publish a Markdown/HTML article with YAML front matter; prints its URL path "
            "(a date more than 5 minutes ahead is refused: articles are not scheduled); --batch: "
            "one article a line as a JSON object of front-matter keys and \"body\"")
CTL_COMMAND(update, "[--KEY VALUE]... FILE", "publish a new revision of a published article")
CTL_COMMAND(unpublish, "--by NAME [--reason TEXT] SITE COLUMN ID | URL",
            "take an article down (recorded in the audit trail)")
CTL_COMMAND(history, "[SITE]", "list the audit trail: publish, update, unpublish, spam records")
CTL_COMMAND(drafts, "SITE [--queue]",
            "list a site's drafts of the publishing workflow (newest first), or those "
            "awaiting review (--queue, oldest first)")
CTL_COMMAND(purge, "[--yes] SITE",
            "delete what the store holds of a site removed from sites.d (the trail stays)")
CTL_COMMAND(reindex, "[--check] [SITE] | --size",
            "rebuild the search index of a site (or all, beside the live one while serving) from "
            "the published content and say whether it equals the maintained one (--check: "
            "compare only, exit 1 on a difference; --size: the index's entries and bytes by "
            "key family)")
CTL_COMMAND(messages, "SITE [--open|--overdue|--all] [--show CODE] | SITE --spam CODE... --by NAME",
            "list a site's citizen messages with their age and status, show one in full, or "
            "mark spam (out of every list and count; recorded in the audit trail)")
CTL_COMMAND(reply, "SITE CODE FILE --by NAME",
            "record and publish a reply to a message (a correction is a new reply)")
CTL_COMMAND(message_import, "FILE", "load messages and replies from a YAML list (demo data, old 信箱)")
CTL_COMMAND(stats, "SITE [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format csv|json]",
            "a site's visits per day (page views, unique visitors, bot views) and the range's totals")
CTL_COMMAND(report, "annual [--year YYYY] [SITE...] [--format csv|json|html] | annual [--year YYYY] SITE --publish COLUMN --by NAME --reviewer NAME",
            "the 政府网站工作年度报表 of each site (last year by default): what the platform knows "
            "filled in, the rest blank for the office")
CTL_COMMAND(logs, "SITE [--from YYYY-MM-DD] [--to YYYY-MM-DD]",
            "one site's lines of the access log and its rotated files (oldest first)")
CTL_COMMAND(audit, "[SITE...] [--at YYYY-MM-DD] [--format text|json|html] [--out FILE]",
            "self-inspection against the national spot-check rules; exit 1 on any veto")
CTL_COMMAND(probe, "[--address HOST:PORT] [SITE...]",
            "fetch each active site's home page through the server and log it (run from cron)")
CTL_COMMAND(user, "add NAME --role ROLE[:SITE|:SITE/*] [--role ...] [--password-stdin] | "
                  "passwd NAME [--password-stdin] | roles NAME ROLE[:SITE|:SITE/*]... | "
                  "disable NAME | enable NAME | ls",
            "web console accounts: add one (without --password-stdin a generated password is "
            "printed once), set its password or its roles, disable or enable it, list them "
            "(each change recorded in the audit trail)")
