/* modules/content/content_columns.h: the column types (栏目类型) a site's `columns:` may
 * name, declared by the content module to core's loader (module_t.column_types; defined in
 * content_columns.c). A column's conf_column_t.type is one of these. The types carry the
 * inspection's rules: how often a column must be updated (modules/audit/audit_limits.c),
 * which columns the home page lists, which the interaction module serves. */
#ifndef JIYUE_CONTENT_COLUMNS_H
#define JIYUE_CONTENT_COLUMNS_H

typedef enum {
    COLUMN_DYNAMIC,     /* 工作动态 */
    COLUMN_NOTICE,      /* 通知公告 */
    COLUMN_POLICY,      /* 政策文件 */
    COLUMN_PERSONNEL,   /* 人事信息 */
    COLUMN_PLAN,        /* 规划计划 */
    COLUMN_INTERACTION, /* 互动交流: the interaction module's message board */
    COLUMN_STATIC,      /* 概况信息: imported pages */
    COLUMN_INTERPRETATION, /* 政策解读: the annual report's 解读信息 */
    COLUMN_TOPIC        /* 专题专栏: the annual report's 专栏专题 */
} content_column_type_t;

/* "dynamic", "notice", ... in the enumeration's order, NULL-terminated. */
extern const char *const content_column_types[];

const char *content_column_type_name(content_column_type_t t);    /* "dynamic", ...; "?" */
const char *content_column_type_name_zh(content_column_type_t t); /* "工作动态", ...; "?" */

#endif
