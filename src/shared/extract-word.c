/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "extract-word.h"
#include "string-util.h"
#include "macro.h"

static bool unichar_is_valid(unsigned c) {
        return c > 0 && c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF);
}

int cunescape_one(const char *s, size_t len, unsigned *ret, bool *ret_eight_bit) {
        bool eight_bit = false;
        unsigned c;
        int r = 1;

        if (len < 1)
                return -EINVAL;

        switch (s[0]) {
        case 'a':
                c = '\a';
                break;
        case 'b':
                c = '\b';
                break;
        case 'f':
                c = '\f';
                break;
        case 'n':
                c = '\n';
                break;
        case 'r':
                c = '\r';
                break;
        case 't':
                c = '\t';
                break;
        case 'v':
                c = '\v';
                break;
        case '\\':
                c = '\\';
                break;
        case '"':
                c = '"';
                break;
        case '\'':
                c = '\'';
                break;
        case 's':
                c = ' ';
                break;
        case 'x': {
                int a, b;

                if (len < 3)
                        return -EINVAL;
                a = unhexchar(s[1]);
                b = unhexchar(s[2]);
                if (a < 0 || b < 0)
                        return -EINVAL;
                c = (unsigned) (a << 4 | b);
                if (c == 0)
                        return -EINVAL;
                eight_bit = true;
                r = 3;
                break;
        }
        case 'u':
        case 'U': {
                size_t n = s[0] == 'u' ? 4 : 8;

                if (len < n + 1)
                        return -EINVAL;
                c = 0;
                for (size_t i = 1; i <= n; i++) {
                        int d = unhexchar(s[i]);
                        if (d < 0)
                                return -EINVAL;
                        c = c << 4 | (unsigned) d;
                }
                if (!unichar_is_valid(c))
                        return -EINVAL;
                r = (int) n + 1;
                break;
        }
        case '0' ... '7': {
                if (len < 3)
                        return -EINVAL;
                c = 0;
                for (size_t i = 0; i < 3; i++) {
                        if (s[i] < '0' || s[i] > '7')
                                return -EINVAL;
                        c = c << 3 | (unsigned) (s[i] - '0');
                }
                if (c == 0 || c > 0xFF)
                        return -EINVAL;
                eight_bit = true;
                r = 3;
                break;
        }
        default:
                return -EINVAL;
        }

        *ret = c;
        *ret_eight_bit = eight_bit;
        return r;
}

size_t utf8_encode(unsigned c, char *buf) {
        if (c < 0x80) {
                buf[0] = (char) c;
                return 1;
        }
        if (c < 0x800) {
                buf[0] = (char) (0xC0 | (c >> 6));
                buf[1] = (char) (0x80 | (c & 0x3F));
                return 2;
        }
        if (c < 0x10000) {
                buf[0] = (char) (0xE0 | (c >> 12));
                buf[1] = (char) (0x80 | ((c >> 6) & 0x3F));
                buf[2] = (char) (0x80 | (c & 0x3F));
                return 3;
        }
        buf[0] = (char) (0xF0 | (c >> 18));
        buf[1] = (char) (0x80 | ((c >> 12) & 0x3F));
        buf[2] = (char) (0x80 | ((c >> 6) & 0x3F));
        buf[3] = (char) (0x80 | (c & 0x3F));
        return 4;
}

int extract_first_word(const char **p, char **ret, ExtractFlags flags, bool *ret_unknown_escape) {
        _cleanup_free_ char *word = NULL;
        const char *s = *p;
        size_t n = 0;
        char quote = 0;
        bool unknown = false;

        s += strspn(s, WHITESPACE);
        if (*s == '\0') {
                *p = s;
                *ret = NULL;
                return 0;
        }

        /* Every escape or quote shrinks the text, so the rest of the input bounds the word. */
        word = malloc(strlen(s) + 1);
        if (!word)
                return -ENOMEM;

        for (;;) {
                char c = *s;

                if (c == '\0') {
                        if (quote && !(flags & EXTRACT_RELAX))
                                return -EINVAL;
                        break;
                }

                if (!quote && strchr(WHITESPACE, c))
                        break;

                if (c == '\\') {
                        if (s[1] == '\0') {
                                if (!(flags & EXTRACT_RELAX))
                                        return -EINVAL;
                                word[n++] = '\\';
                                s++;
                                continue;
                        }

                        if (flags & EXTRACT_CUNESCAPE) {
                                bool eight_bit;
                                unsigned u;
                                int k;

                                k = cunescape_one(s + 1, strnlen(s + 1, 9), &u, &eight_bit);
                                if (k < 0) {
                                        if (!(flags & EXTRACT_CUNESCAPE_RELAX))
                                                return -EINVAL;
                                        /* Keep backslash and the character after it as they are. */
                                        word[n++] = '\\';
                                        word[n++] = s[1];
                                        unknown = true;
                                        s += 2;
                                        continue;
                                }
                                if (eight_bit)
                                        word[n++] = (char) u;
                                else
                                        n += utf8_encode(u, word + n);
                                s += 1 + k;
                                continue;
                        }

                        word[n++] = s[1];
                        s += 2;
                        continue;
                }

                if (flags & EXTRACT_UNQUOTE) {
                        if (quote && c == quote) {
                                quote = 0;
                                s++;
                                continue;
                        }
                        if (!quote && (c == '"' || c == '\'')) {
                                quote = c;
                                s++;
                                continue;
                        }
                }

                word[n++] = c;
                s++;
        }

        word[n] = '\0';
        *p = s;
        *ret = TAKE_PTR(word);
        if (ret_unknown_escape && unknown)
                *ret_unknown_escape = true;
        return 1;
}
