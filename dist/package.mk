# dist/package.mk: `make install` and `make deb` (included by the Makefile).
#
# The installed binaries read /etc/jiyue/jiyue.yaml when -c is not given: only their two
# main objects are compiled again (with JIYUE_CONF_DEFAULT); everything else is the build's.
# Layout (PREFIX=/usr for the package; /usr/local by default):
#   $(PREFIX)/sbin/jiyue, jiyuectl        the server and its administration tool
#   $(PREFIX)/share/jiyue/themes          the themes (the default one is also built in)
#   $(PREFIX)/share/man/man8              jiyue(8), jiyuectl(8), from the binaries' --help
#   $(PREFIX)/share/doc/jiyue             README.md, an example site file
#   /etc/jiyue/jiyue.yaml, sites.d        the configuration (and the demo's portal to edit):
#                                         installed once, never overwritten
#   /lib/systemd/system/jiyue.service     the unit (Type=notify)
#   /etc/logrotate.d/jiyue                400 days of compressed logs
#   /var/lib/jiyue (0700), /var/log/jiyue the store and the logs (owned by the jiyue user)

SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
SBINDIR    := $(PREFIX)/sbin
DATADIR    := $(PREFIX)/share
PKG        := $(BUILD)/pkg
VERSION    := $(shell sed -n 's/^\#define JIYUE_VERSION "\(.*\)"/\1/p' core/version.h)
PKG_DEFS   := -DJIYUE_CONF_DEFAULT='"$(SYSCONFDIR)/jiyue/jiyue.yaml"'
CTL_OBJS_NOMAIN := $(filter-out $(BUILD)/tools/jiyuectl/main.o,$(TOOL_OBJS))

.PHONY: install deb install-user

$(PKG)/jiyue.o: core/main.c core/version.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(INC_core) $(PKG_DEFS) $(CPPFLAGS) $(CFLAGS) $(WARN) -c $< -o $@
$(PKG)/jiyuectl.o: tools/jiyuectl/main.c core/version.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(INC_tools) $(PKG_DEFS) $(CPPFLAGS) $(CFLAGS) $(WARN) -c $< -o $@
$(PKG)/jiyue: $(PKG)/jiyue.o $(MODULE_OBJS) $(LIBCORE)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(MODULE_OBJS) $(LIBCORE) $(LDLIBS_ALL)
$(PKG)/jiyuectl: $(PKG)/jiyuectl.o $(CTL_OBJS_NOMAIN) $(MODULE_OBJS) $(LIBCORE)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(CTL_OBJS_NOMAIN) $(MODULE_OBJS) $(LIBCORE) $(LDLIBS_ALL)

# Man pages from the one source of the options: the binaries' own --help and --version.
$(PKG)/%.8: $(PKG)/%
	$(Q)help2man --no-info --section=8 --no-discard-stderr \
	  --name="$(if $(findstring ctl,$*),administer a jiyue site cluster,serve a cluster of government sites)" \
	  --output=$@ ./$<

install: $(PKG)/jiyue $(PKG)/jiyuectl $(PKG)/jiyue.8 $(PKG)/jiyuectl.8
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/jiyue $(DESTDIR)$(DATADIR)/man/man8 \
	  $(DESTDIR)$(DATADIR)/doc/jiyue/examples $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSCONFDIR)/logrotate.d $(DESTDIR)$(SYSCONFDIR)/jiyue/sites.d
	install -m 755 $(INSTALL_STRIP) $(PKG)/jiyue $(PKG)/jiyuectl $(DESTDIR)$(SBINDIR)/
	rm -rf $(DESTDIR)$(DATADIR)/jiyue/themes && cp -R conf/themes $(DESTDIR)$(DATADIR)/jiyue/
	chmod -R u=rwX,go=rX $(DESTDIR)$(DATADIR)/jiyue/themes
	gzip -9n < $(PKG)/jiyue.8 > $(DESTDIR)$(DATADIR)/man/man8/jiyue.8.gz
	gzip -9n < $(PKG)/jiyuectl.8 > $(DESTDIR)$(DATADIR)/man/man8/jiyuectl.8.gz
	chmod 644 $(DESTDIR)$(DATADIR)/man/man8/jiyue*.8.gz
	install -m 644 README.md $(DESTDIR)$(DATADIR)/doc/jiyue/
	install -m 644 sites.d/portal.yaml $(DESTDIR)$(DATADIR)/doc/jiyue/examples/portal.yaml
	install -m 644 dist/jiyue.service $(DESTDIR)$(UNITDIR)/jiyue.service
	install -m 644 dist/jiyue.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/jiyue
	@# The configuration is the office's once installed: never overwritten.
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/jiyue/jiyue.yaml ]; then \
	  echo "install: keeping $(DESTDIR)$(SYSCONFDIR)/jiyue/jiyue.yaml"; \
	else \
	  sed 's|@DATADIR@|$(DATADIR)|' dist/jiyue.yaml > $(DESTDIR)$(SYSCONFDIR)/jiyue/jiyue.yaml; \
	  chmod 644 $(DESTDIR)$(SYSCONFDIR)/jiyue/jiyue.yaml; \
	fi
	@# A cluster needs its portal: the demo's, to edit (name, hosts, registration).
	@if ! ls $(DESTDIR)$(SYSCONFDIR)/jiyue/sites.d/*.yaml >/dev/null 2>&1; then \
	  install -m 644 sites.d/portal.yaml $(DESTDIR)$(SYSCONFDIR)/jiyue/sites.d/portal.yaml; fi
	@# Without DESTDIR (a real install as root): the user and the folders it owns.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory install-user; \
	elif [ -z "$(DESTDIR)" ]; then echo "install: not root: create the jiyue user and /var/lib/jiyue, /var/log/jiyue yourself (make install-user)"; fi

install-user:
	getent passwd jiyue >/dev/null || useradd --system --user-group --home-dir /var/lib/jiyue \
	  --no-create-home --shell /usr/sbin/nologin jiyue
	install -d -o jiyue -g jiyue -m 0700 /var/lib/jiyue
	install -d -o jiyue -g adm -m 0750 /var/log/jiyue
	-systemctl daemon-reload 2>/dev/null

# The Debian package: the same layout under PREFIX=/usr, stripped, with the unit, the
# logrotate file and maintainer scripts (the user and the folders, in postinst).
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
DEB_ROOT := $(PKG)/deb/root
DEB_FILE := $(PKG)/jiyue_$(VERSION)_$(DEB_ARCH).deb
deb: $(PKG)/jiyue $(PKG)/jiyuectl
	rm -rf $(PKG)/deb && mkdir -p $(DEB_ROOT)/DEBIAN $(PKG)/deb/shlibs/debian
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(DEB_ROOT) PREFIX=/usr INSTALL_STRIP=-s
	install -d $(DEB_ROOT)/usr/share/doc/jiyue
	install -m 644 dist/deb/copyright $(DEB_ROOT)/usr/share/doc/jiyue/copyright
	sed 's|@VERSION@|$(VERSION)|' dist/deb/changelog | gzip -9n > $(DEB_ROOT)/usr/share/doc/jiyue/changelog.gz
	chmod 644 $(DEB_ROOT)/usr/share/doc/jiyue/changelog.gz
	install -m 755 dist/deb/postinst dist/deb/postrm dist/deb/prerm $(DEB_ROOT)/DEBIAN/
	printf '%s\n' /etc/jiyue/jiyue.yaml /etc/jiyue/sites.d/portal.yaml /etc/logrotate.d/jiyue > $(DEB_ROOT)/DEBIAN/conffiles
	printf 'Source: jiyue\n\nPackage: jiyue\nArchitecture: any\n' > $(PKG)/deb/shlibs/debian/control
	cd $(PKG)/deb/shlibs && dpkg-shlibdeps -O -e$(CURDIR)/$(DEB_ROOT)/usr/sbin/jiyue \
	  -e$(CURDIR)/$(DEB_ROOT)/usr/sbin/jiyuectl 2>/dev/null | sed -n 's/^shlibs:Depends=//p' > ../depends
	test -s $(PKG)/deb/depends
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@ARCH@|$(DEB_ARCH)|' \
	  -e "s|@DEPENDS@|$$(cat $(PKG)/deb/depends)|" \
	  -e "s|@SIZE@|$$(du -sk --exclude=DEBIAN $(DEB_ROOT) | cut -f1)|" \
	  dist/deb/control.in > $(DEB_ROOT)/DEBIAN/control
	cd $(DEB_ROOT) && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\0' | \
	  sort -z | xargs -0 md5sum > DEBIAN/md5sums
	chmod 644 $(DEB_ROOT)/DEBIAN/md5sums $(DEB_ROOT)/DEBIAN/control $(DEB_ROOT)/DEBIAN/conffiles
	dpkg-deb --root-owner-group -Zxz --build $(DEB_ROOT) $(DEB_FILE)
	@echo "deb: $(DEB_FILE)"
