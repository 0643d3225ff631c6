/* core/conf_zh.h: the configuration's values named in Chinese, for people (census, audit
 * report): 门户, 部门 ... (defined in core/conf_zh.c). Included by conf.h. The modules name
 * their own values (e.g. column types: content_column_type_name_zh). */
#ifndef JIYUE_CONF_ZH_H
#define JIYUE_CONF_ZH_H

#include "conf.h"

const char *conf_kind_name_zh(conf_site_kind_t k);

#endif
