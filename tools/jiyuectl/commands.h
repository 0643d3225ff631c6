/* tools/jiyuectl/commands.h: the list of subcommands, one line each. Adding a subcommand
 * is one file (cmd_NAME.c defining ctl_cmd_NAME) and one line here; ctl.h declares the
 * functions and main.c builds the dispatch table from this same list.
 *
 * CTL_COMMAND(name, "arguments", "one-line summary") */
CTL_COMMAND(check, "", "validate conf/jiyue.yaml and every site file in sites.d")
CTL_COMMAND(import, "[--generation GEN] SITE DIR",
            "replace a site's pages with the files under DIR (one transaction)")
CTL_COMMAND(ls, "[--generation GEN] SITE", "list a site's pages: path, type, size, gzip size, mtime")
CTL_COMMAND(rm, "[--generation GEN] SITE PATH", "remove one page from a site")
