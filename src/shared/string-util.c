/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "extract-word.h"
#include "string-util.h"

int error_set(char **ret_error, int error, const char *fmt, ...) {
        va_list ap;
        char *text;
        int k;

        if (!ret_error)
                return error;

        va_start(ap, fmt);
        k = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;

        free(*ret_error);
        *ret_error = text;
        return error;
}

char *strprintf(const char *fmt, ...) {
        va_list ap;
        char *text;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&text, fmt, ap);
        va_end(ap);
        return k < 0 ? NULL : text;
}

char *strstrip(char *s) {
        char *start = s + strspn(s, WHITESPACE);
        size_t n = strlen(start);

        while (n > 0 && strchr(WHITESPACE, start[n - 1]))
                n--;
        memmove(s, start, n);
        s[n] = '\0';
        return s;
}

const char *startswith(const char *s, const char *prefix) {
        size_t n = strlen(prefix);

        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

const char *endswith(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);

        if (b > a || strcmp(s + a - b, suffix) != 0)
                return NULL;
        return s + a - b;
}

int path_normalize_absolute(const char *path, char **ret) {
        _cleanup_free_ char *s = NULL;
        size_t n = 0;
        const char *p = path;

        if (isempty(path) || path[0] != '/' || strlen(path) >= PATH_MAX)
                return -EINVAL;

        s = malloc(strlen(path) + 2);
        if (!s)
                return -ENOMEM;

        while (*p) {
                size_t k;

                p += strspn(p, "/");
                k = strcspn(p, "/");
                if (k == 0)
                        break;
                if (k == 2 && p[0] == '.' && p[1] == '.')
                        return -EINVAL;
                if (!(k == 1 && p[0] == '.')) {
                        s[n++] = '/';
                        memcpy(s + n, p, k);
                        n += k;
                }
                p += k;
        }
        if (n == 0)
                s[n++] = '/';
        s[n] = '\0';

        *ret = TAKE_PTR(s);
        return 0;
}

int table_lookup(const char *const *table, int n, const char *s) {
        if (!s)
                return -EINVAL;
        for (int i = 0; i < n; i++)
                if (table[i] && strcmp(s, table[i]) == 0)
                        return i;
        return -EINVAL;
}

bool utf8_is_valid(const char *s) {
        const unsigned char *p = (const unsigned char *) s;

        while (*p) {
                unsigned c = *p, n, cp;

                if (c < 0x80) {
                        p++;
                        continue;
                }
                if (c >= 0xc2 && c <= 0xdf)
                        n = 1, cp = c & 0x1f;
                else if (c >= 0xe0 && c <= 0xef)
                        n = 2, cp = c & 0x0f;
                else if (c >= 0xf0 && c <= 0xf4)
                        n = 3, cp = c & 0x07;
                else
                        return false;
                for (unsigned i = 1; i <= n; i++) {
                        if ((p[i] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (p[i] & 0x3f);
                }
                if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
                        return false;
                p += n + 1;
        }
        return true;
}

int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}
