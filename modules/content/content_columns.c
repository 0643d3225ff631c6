/* modules/content/content_columns.c: the column types' names, in English (the
 * configuration's and JSON's values) and in Chinese (what people read: the census, the
 * audit report; the portal's own labels). See content_columns.h. */
#include "content_columns.h"

#include "util.h"

const char *const content_column_types[] = {"dynamic", "notice", "policy", "personnel",
                                            "plan", "interaction", "static",
                                            "interpretation", "topic", NULL};

const char *content_column_type_name(content_column_type_t t)
{
    return (unsigned)t < UTIL_ARRAY_LEN(content_column_types) - 1 ? content_column_types[t] : "?";
}

const char *content_column_type_name_zh(content_column_type_t t)
{
    static const char *const names[] = {"工作动态", "通知公告", "政策文件", "人事信息",
                                        "规划计划", "互动交流", "概况信息", "政策解读",
                                        "专题专栏"};
    return (unsigned)t < UTIL_ARRAY_LEN(names) ? names[t] : "?";
}
