/* modules/audit/audit_personal.c: finds unmasked 居民身份证号码 and mobile numbers in text
 * (the rules personal-id and personal-phone; see audit_personal.h). National monitoring
 * of government sites checks published pages for them: a citizen's ID number on a public
 * page is a leak, a mobile number usually an official's contact (hence only info).
 *
 * The text is first folded to one byte per character that matters: full-width digits,
 * letters, '*', '+' and '-' become their ASCII forms (editors paste them from Word), any
 * other non-ASCII byte a neutral one. The scan then looks at runs of "word" characters
 * (digits, letters and the mask star '*'): an ID is a run of exactly 18, a mobile a run
 * of 11 (or 3-4-4 groups), so a longer order number or a masked "5301**********1234" is
 * never one. */
#include "audit_personal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h" /* ARTICLE_TZ_OFFSET: Beijing time */

#define OTHER '\x01' /* a folded character that is none of the below */

/* Folds text[0, len) into out (len bytes at most); returns its length. */
static size_t fold(const char *text, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            out[o++] = (char)c;
            i++;
            continue;
        }
        /* U+FF01..U+FF5E (full-width ASCII) are EF BC 81..BF and EF BD 80..9E: the ASCII
         * character 0x21..0x7E at the same offset. */
        if (c == 0xEF && i + 2 < len) {
            unsigned char b1 = (unsigned char)text[i + 1], b2 = (unsigned char)text[i + 2];
            int cp = -1;
            if (b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF)
                cp = 0x21 + (b2 - 0x81);
            else if (b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E)
                cp = 0x21 + 0x3F + (b2 - 0x80);
            if (cp > 0) {
                out[o++] = (char)cp;
                i += 3;
                continue;
            }
        }
        out[o++] = OTHER;
        i++;
    }
    return o;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Part of a run: a digit, a letter or the star that masks a digit. */
static bool is_word(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
}

static long num(const char *s, size_t n)
{
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static bool real_day(long y, long m, long d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

long audit_personal_day(int64_t t)
{
    time_t local = (time_t)(t + ARTICLE_TZ_OFFSET);
    struct tm tm;
    gmtime_r(&local, &tm);
    return (tm.tm_year + 1900L) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

bool audit_personal_id_valid(const char *id, long at_ymd)
{
    static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    if (id[0] < '1' || id[0] > '9')
        return false;
    int sum = 0;
    for (size_t i = 0; i < 17; i++) {
        if (!is_digit(id[i]))
            return false;
        sum += (id[i] - '0') * weight[i];
    }
    long ymd = num(id + 6, 8);
    if (ymd < 19000101 || ymd > at_ymd || !real_day(ymd / 10000, ymd / 100 % 100, ymd % 100))
        return false;
    char check = id[17] == 'x' ? 'X' : id[17];
    return "10X98765432"[sum % 11] == check;
}

/* The end of a mobile number whose first digit is at s[i] (11 digits, or 3-4-4 with the
 * same single space or hyphen twice), followed by no word character; 0 if none. */
static size_t mobile_at(const char *s, size_t n, size_t i, char *digits)
{
    if (i + 11 > n || s[i] != '1' || s[i + 1] < '3' || s[i + 1] > '9')
        return 0;
    size_t k = 0, j = i;
    char sep = 0;
    for (; j < n && k < 11; j++) {
        if (is_digit(s[j])) {
            digits[k++] = s[j];
            continue;
        }
        /* a separator only right after the 3rd and the 7th digit, always the same one */
        if ((k != 3 && k != 7) || (s[j] != ' ' && s[j] != '-') || (sep && s[j] != sep) ||
            (k == 7 && !sep) || !(j + 1 < n && is_digit(s[j + 1])))
            return 0;
        sep = s[j];
    }
    if (k < 11 || (sep && j - i != 13) || (j < n && is_word(s[j])))
        return 0;
    return j;
}

static void found_id(audit_personal_t *out, const char *id)
{
    if (out->ids++ == 0)
        snprintf(out->id_sample, sizeof out->id_sample, "%.6s********%.4s", id, id + 14);
}

static void found_phone(audit_personal_t *out, const char *d)
{
    if (out->phones++ == 0)
        snprintf(out->phone_sample, sizeof out->phone_sample, "%.3s****%.4s", d, d + 7);
}

void audit_personal_scan(audit_personal_t *out, const char *text, size_t len, long at_ymd)
{
    if (len == 0)
        return;
    char *s = malloc(len);
    if (!s)
        return;
    size_t n = fold(text, len, s);
    for (size_t i = 0; i < n;) {
        if (!is_word(s[i])) {
            i++;
            continue;
        }
        /* a run of word characters starts at i (its left neighbour is not one) */
        size_t end = i;
        while (end < n && is_word(s[end]))
            end++;
        char d[11];
        if (end - i == 18 && audit_personal_id_valid(s + i, at_ymd)) {
            found_id(out, s + i);
        } else {
            /* "+86 138...", "86-138...", "86138...": the country code, then the number */
            size_t e = 0;
            if (i + 2 < n && s[i] == '8' && s[i + 1] == '6') {
                size_t q = i + 2 + (s[i + 2] == ' ' || s[i + 2] == '-');
                e = mobile_at(s, n, q, d);
            }
            if (!e)
                e = mobile_at(s, n, i, d);
            if (e) {
                found_phone(out, d);
                end = e;
            }
        }
        i = end;
    }
    free(s);
}
