/* core/conf_zh.c: the Chinese names of the configuration's enumerations, for what people
 * read (the census tables, the audit report); the English names in conf.c stay the
 * configuration's and JSON's values. The terms follow the portal's own labels
 * (modules/content/content_render.c). */
#include "conf_zh.h"

#include "conf.h"
#include "util.h"

const char *conf_kind_name_zh(conf_site_kind_t k)
{
    static const char *const names[] = {"门户", "部门", "县区", "乡镇", "村"};
    return (unsigned)k < UTIL_ARRAY_LEN(names) ? names[k] : "?";
}
