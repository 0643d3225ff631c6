/* core/version.h: the release, the one place it is written: both binaries' --version,
 * and the Makefile's package (make deb) read it from here. */
#ifndef JIYUE_VERSION_H
#define JIYUE_VERSION_H

#define JIYUE_VERSION "0.9.0"

/* The configuration read when -c is not given: the repository's for a build in place,
 * /etc/jiyue/jiyue.yaml for the installed binaries (make install and make deb build their
 * own main objects with -DJIYUE_CONF_DEFAULT=...). */
#ifndef JIYUE_CONF_DEFAULT
#define JIYUE_CONF_DEFAULT "conf/jiyue.yaml"
#endif

#endif
