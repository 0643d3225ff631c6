/* core/httpdate.c: formats and parses HTTP dates without locale or timezone state. */
#include "httpdate.h"

#include <stdbool.h>
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

static int name_index(const char *p, const char (*names)[4], int n)
{
    for (int i = 0; i < n; i++)
        if (memcmp(p, names[i], 3) == 0)
            return i;
    return -1;
}

/* `n` digits at p (a leading space counts as a zero digit when `space_ok`), or -1. */
static int digits(const char *p, int n, bool space_ok)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (i == 0 && space_ok && p[i] == ' ')
            continue;
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* "HH:MM:SS" at p. */
static bool clock_at(const char *p, int *hh, int *mm, int *ss)
{
    if (p[2] != ':' || p[5] != ':')
        return false;
    *hh = digits(p, 2, false);
    *mm = digits(p + 3, 2, false);
    *ss = digits(p + 6, 2, false);
    return *hh >= 0 && *mm >= 0 && *ss >= 0;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The three forms of RFC 9110 section 5.6.7, byte for byte (case-sensitive names, fixed
 * widths, nothing before or after), so that a value never means something it does not
 * say: a five-digit year, a negative hour or 31 February is not a date, and If-Modified-
 * Since with it is ignored. */
int httpdate_parse(const char *s, size_t len, time_t *out)
{
    static const char longdays[7][10] = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};
    int day, mon, year, hh, mm, ss;
    if (len == 29 && s[3] == ',' && s[4] == ' ' && s[7] == ' ' && s[11] == ' ' &&
        s[16] == ' ' && memcmp(s + 25, " GMT", 4) == 0) {
        /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
        if (name_index(s, days, 7) < 0 || !clock_at(s + 17, &hh, &mm, &ss))
            return -1;
        day = digits(s + 5, 2, false);
        mon = name_index(s + 8, months, 12);
        year = digits(s + 12, 4, false);
    } else if (len == 24 && s[3] == ' ' && s[7] == ' ' && s[10] == ' ' && s[19] == ' ') {
        /* asctime: Sun Nov  6 08:49:37 1994 */
        if (name_index(s, days, 7) < 0 || !clock_at(s + 11, &hh, &mm, &ss))
            return -1;
        mon = name_index(s + 4, months, 12);
        day = digits(s + 8, 2, true);
        year = digits(s + 20, 4, false);
    } else {
        /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
        const char *comma = memchr(s, ',', len < 10 ? len : 10);
        if (!comma)
            return -1;
        size_t nl = (size_t)(comma - s);
        int wd = -1;
        for (int i = 0; i < 7; i++)
            if (strlen(longdays[i]) == nl && memcmp(s, longdays[i], nl) == 0)
                wd = i;
        const char *p = comma + 1;
        if (wd < 0 || len != nl + 24 || p[0] != ' ' || p[3] != '-' || p[7] != '-' ||
            p[10] != ' ' || memcmp(p + 19, " GMT", 4) != 0 || !clock_at(p + 11, &hh, &mm, &ss))
            return -1;
        day = digits(p + 1, 2, false);
        mon = name_index(p + 4, months, 12);
        year = digits(p + 8, 2, false);
        if (year >= 0)
            year += year < 70 ? 2000 : 1900; /* RFC 9110: 50 years ahead at most; close enough */
    }
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mon < 0 || year < 1970 || day < 1 ||
        day > mdays[mon] + (mon == 1 && leap(year) ? 1 : 0) || hh > 23 || mm > 59 || ss > 60)
        return -1;
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon;
    tm.tm_mday = day;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    time_t t = timegm(&tm);
    if (t > (time_t)253402300799) /* a leap second on 9999-12-31 would need a fifth digit */
        return -1;
    *out = t;
    return 0;
}
