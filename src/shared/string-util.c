/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
