/* core/httpdate.c: formats and parses HTTP dates without locale or timezone state. */
#include "httpdate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static char *two(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

void httpdate_format(time_t t, char *out)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    int year = tm.tm_year + 1900;
    char *p = out;
    memcpy(p, days[tm.tm_wday], 3);
    p += 3;
    *p++ = ',';
    *p++ = ' ';
    p = two(p, tm.tm_mday);
    *p++ = ' ';
    memcpy(p, months[tm.tm_mon], 3);
    p += 3;
    *p++ = ' ';
    p = two(p, year / 100);
    p = two(p, year % 100);
    *p++ = ' ';
    p = two(p, tm.tm_hour);
    *p++ = ':';
    p = two(p, tm.tm_min);
    *p++ = ':';
    p = two(p, tm.tm_sec);
    memcpy(p, " GMT", 5);
}

static int month_index(const char *m)
{
    for (int i = 0; i < 12; i++)
        if (strncasecmp(m, months[i], 3) == 0)
            return i;
    return -1;
}

int httpdate_parse(const char *s, size_t len, time_t *out)
{
    char buf[64], mon[4] = {0};
    if (len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    struct tm tm = {0};
    int day, year, hh, mm, ss, n = 0;
    const char *comma = strchr(buf, ',');
    if (comma && sscanf(comma + 1, " %d %3s %d %d:%d:%d GMT%n", &day, mon, &year, &hh, &mm, &ss,
                        &n) == 6 && n > 0) {
        /* IMF-fixdate */
    } else if (comma && sscanf(comma + 1, " %d-%3s-%d %d:%d:%d GMT%n", &day, mon, &year, &hh,
                               &mm, &ss, &n) == 6 && n > 0) {
        year += year < 70 ? 2000 : (year < 100 ? 1900 : 0); /* RFC 850 */
    } else if (!comma && sscanf(buf, "%*3s %3s %d %d:%d:%d %d%n", mon, &day, &hh, &mm, &ss,
                                &year, &n) == 6 && n > 0) {
        /* asctime */
    } else {
        return -1;
    }
    int m = month_index(mon);
    if (m < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || year < 1970)
        return -1;
    tm.tm_year = year - 1900;
    tm.tm_mon = m;
    tm.tm_mday = day;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    *out = timegm(&tm);
    return 0;
}
