/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "description.h"
#include "extract-word.h"
#include "string-util.h"
#include "unit-parser.h"

#define COMMENTS "#;"
#define UTF8_BYTE_ORDER_MARK "\xef\xbb\xbf"

typedef struct Parser {
        const char *filename;
        UnitSectionFunc section_func;
        UnitAssignmentFunc func;
        UnitErrorFunc error_func;
        void *userdata;
        char *section;
        bool skip; /* after a bad section header: its assignments are not anybody's */
} Parser;

static int parse_line(Parser *p, char *l, unsigned line, char **ret_error) {
        _cleanup_free_ char *error = NULL;
        char *eq, *key, *value;
        int r;

        l = strstrip(l);
        if (*l == '\0')
                return 0;

        if (*l == '[') {
                size_t n = strlen(l);
                char *name;

                p->section = mfree(p->section);
                p->skip = true;
                if (n < 3 || l[n - 1] != ']')
                        return error_set(ret_error, -EINVAL, "%s:%u: Invalid section header '%s'", p->filename, line, l);

                name = strndup(l + 1, n - 2);
                if (!name)
                        return -ENOMEM;
                if (strpbrk(name, "[]") || strpbrk(name, WHITESPACE) == name) {
                        free(name);
                        return error_set(ret_error, -EINVAL, "%s:%u: Invalid section header '%s'", p->filename, line, l);
                }
                p->section = name;
                p->skip = false;

                if (p->section_func) {
                        r = p->section_func(p->section, line, p->userdata, &error);
                        if (r < 0)
                                goto fail;
                }
                return 0;
        }

        if (p->skip)
                return 0;
        eq = strchr(l, '=');
        if (!eq)
                return error_set(ret_error, -EINVAL, "%s:%u: Missing '=' in line '%s'", p->filename, line, l);
        if (!p->section)
                return error_set(ret_error, -EINVAL, "%s:%u: Assignment outside of any section", p->filename, line);

        *eq = '\0';
        key = strstrip(l);
        value = strstrip(eq + 1);
        if (*key == '\0')
                return error_set(ret_error, -EINVAL, "%s:%u: Missing key name before '='", p->filename, line);

        r = p->func(p->section, key, value, line, p->userdata, &error);
        if (r >= 0)
                return 0;

fail:
        if (error)
                return error_set(ret_error, r, "%s:%u: %s", p->filename, line, error);
        return error_set(ret_error, r, "%s:%u: %s", p->filename, line, strerror(-r));
}

/* With an error_func, a bad line (-EINVAL) is handed to it and the parse goes on. */
static int line_failed(Parser *p, int r, unsigned line, char **error) {
        if (r != -EINVAL || !p->error_func || !*error)
                return r;
        r = p->error_func(*error, line, p->userdata);
        *error = mfree(*error);
        return r;
}

static int parse_text(
                const char *filename,
                const char *text,
                UnitSectionFunc section_func,
                UnitAssignmentFunc func,
                UnitErrorFunc error_func,
                void *userdata,
                char **ret_error) {

        _cleanup_free_ char *continuation = NULL, *error = NULL;
        Parser p = {
                .filename = filename,
                .section_func = section_func,
                .func = func,
                .error_func = error_func,
                .userdata = userdata,
        };
        size_t continuation_len = 0, continuation_size = 0;
        unsigned line = 0, continuation_line = 0;
        const char *s;
        int r = 0;

        if (!filename || !text || !func)
                return -EINVAL;

        if (strlen(text) > DESCRIPTION_SIZE_MAX)
                return error_set(ret_error, -E2BIG, "%s: File is larger than %u bytes", filename, DESCRIPTION_SIZE_MAX);

        s = startswith(text, UTF8_BYTE_ORDER_MARK) ?: text;

        while (*s != '\0' || continuation) {
                _cleanup_free_ char *buf = NULL;
                size_t n = 0;
                bool escaped = false;
                char *cur;
                size_t cur_len;

                if (*s == '\0') {
                        /* End of text in the middle of a continuation: use what we have, as systemd does. */
                        r = parse_line(&p, continuation, continuation_line, &error);
                        continuation = mfree(continuation);
                        r = line_failed(&p, r, continuation_line, &error);
                        if (r < 0)
                                goto finish;
                        break;
                }

                line++;
                n = strcspn(s, "\n");
                buf = strndup(s, n > 0 && s[n - 1] == '\r' ? n - 1 : n);
                s += n;
                if (*s == '\n')
                        s++;
                if (!buf) {
                        r = -ENOMEM;
                        goto finish;
                }
                if (n > UNIT_LINE_MAX) {
                        r = error_set(&error, -E2BIG, "%s:%u: Line is longer than %u bytes", filename, line, UNIT_LINE_MAX);
                        goto finish;
                }

                /* Comment lines are skipped, also in the middle of a continuation. */
                if (strchr(COMMENTS, buf[strspn(buf, WHITESPACE)]) && buf[strspn(buf, WHITESPACE)] != '\0')
                        continue;

                n = strlen(buf);
                if (continuation) {
                        if (continuation_len + n > UNIT_LINE_MAX) {
                                r = error_set(&error, -E2BIG, "%s:%u: Continued line is longer than %u bytes",
                                              filename, continuation_line, UNIT_LINE_MAX);
                                goto finish;
                        }
                        if (continuation_len + n + 1 > continuation_size) {
                                size_t size = (continuation_len + n + 1) * 2;
                                char *grown = realloc(continuation, size);

                                if (!grown) {
                                        r = -ENOMEM;
                                        goto finish;
                                }
                                continuation = grown;
                                continuation_size = size;
                        }
                        memcpy(continuation + continuation_len, buf, n + 1);
                        continuation_len += n;
                        cur = continuation;
                        cur_len = continuation_len;
                } else {
                        cur = buf;
                        cur_len = n;
                }

                /* An odd number of trailing backslashes continues the line; the backslash becomes a space. */
                for (size_t i = cur_len; i > 0 && cur[i - 1] == '\\'; i--)
                        escaped = !escaped;

                if (escaped) {
                        cur[cur_len - 1] = ' ';
                        if (!continuation) {
                                continuation_len = cur_len;
                                continuation_size = cur_len + 1;
                                continuation = TAKE_PTR(buf);
                                continuation_line = line;
                        }
                        continue;
                }

                r = parse_line(&p, cur, continuation ? continuation_line : line, &error);
                r = line_failed(&p, r, continuation ? continuation_line : line, &error);
                continuation = mfree(continuation);
                continuation_len = continuation_size = 0;
                if (r < 0)
                        goto finish;
        }
        r = 0;

finish:
        free(p.section);
        if (r < 0) {
                if (ret_error && error)
                        *ret_error = TAKE_PTR(error);
                return r;
        }
        return 0;
}

int unit_file_parse_full(
                const char *filename,
                const char *text,
                UnitSectionFunc section_func,
                UnitAssignmentFunc func,
                void *userdata,
                char **ret_error) {
        return parse_text(filename, text, section_func, func, NULL, userdata, ret_error);
}

int unit_file_parse_each(
                const char *filename,
                const char *text,
                UnitSectionFunc section_func,
                UnitAssignmentFunc func,
                UnitErrorFunc error_func,
                void *userdata,
                char **ret_error) {
        if (!error_func)
                return -EINVAL;
        return parse_text(filename, text, section_func, func, error_func, userdata, ret_error);
}

int unit_file_parse(const char *filename, const char *text, UnitAssignmentFunc func, void *userdata, char **ret_error) {
        return unit_file_parse_full(filename, text, NULL, func, userdata, ret_error);
}
