/* modules/interaction/interaction.h: what the parts of the interaction module share
 * (interaction.c: URLs, methods, the writer jobs; interaction_conf.c: its configuration;
 * interaction_form.c: reading and checking a submitted form; interaction_guard.c: the
 * form cookie and the origin check; interaction_render.c: the pages, rendered in the
 * site's theme; each with its own header, included here). The records, limits and
 * statistics of citizens' messages are message*.h. Not an interface for other modules:
 * they and jiyuectl use interaction_conf.h and message*.h. */
#ifndef JIYUE_INTERACTION_H
#define JIYUE_INTERACTION_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "message.h"
#include "request.h"
#include "util.h"

#include "interaction_conf.h"  /* interaction_conf.c */
#include "interaction_form.h"  /* interaction_form.c */
#include "interaction_guard.h" /* interaction_guard.c */

#define INTERACTION_PER_PAGE 10
#define INTERACTION_HONEYPOT "website" /* a field people never see and bots fill in */
#define INTERACTION_COOKIE "jiyue_form" /* the form's nonce (double submit) */
#define INTERACTION_LOG_EVERY 60 /* seconds: at most one error-log line per limit */

#include "interaction_render.h" /* interaction_render.c */

#endif
