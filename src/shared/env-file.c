/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env-file.h"
#include "string-util.h"
#include "strv.h"

#define NEWLINE "\n\r"
#define SPACES " \t"
#define SHELL_NEED_ESCAPE "\"\\`$"

typedef struct Buffer {
        char *s;
        size_t n, size;
} Buffer;

static int buffer_add(Buffer *b, char c) {
        if (b->n + 2 > b->size) {
                size_t size = b->size ? b->size * 2 : 64;
                char *grown = realloc(b->s, size);

                if (!grown)
                        return -ENOMEM;
                b->s = grown;
                b->size = size;
        }
        b->s[b->n++] = c;
        b->s[b->n] = '\0';
        return 0;
}

static bool env_name_is_valid(const char *s) {
        if (isempty(s) || (s[0] >= '0' && s[0] <= '9'))
                return false;
        return s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")] == '\0';
}

static bool env_matches(const char *assignment, const char *pattern) {
        size_t n;

        if (strchr(pattern, '='))
                return strcmp(assignment, pattern) == 0;
        n = strlen(pattern);
        return strncmp(assignment, pattern, n) == 0 && assignment[n] == '=';
}

void environment_unset(char **env, char *const *patterns) {
        size_t kept = 0;

        if (!env)
                return;
        for (size_t i = 0; env[i]; i++) {
                bool drop = false;

                for (char *const *p = patterns; !drop && p && *p; p++)
                        drop = env_matches(env[i], *p);
                if (drop)
                        free(env[i]);
                else
                        env[kept++] = env[i];
        }
        env[kept] = NULL;
}

static int env_replace_consume(char ***env, char *assignment) {
        size_t k = (size_t) (strchr(assignment, '=') - assignment) + 1;

        for (char **i = *env; i && *i; i++)
                if (strncmp(*i, assignment, k) == 0) {
                        free(*i);
                        *i = assignment;
                        return 0;
                }
        return strv_consume(env, assignment);
}

static int push(char ***env, Buffer *key, Buffer *value, ssize_t last_key_ws, ssize_t last_value_ws, unsigned line,
                char **ret_error) {
        const char *k = key->s ?: "", *v = value->s ?: "";

        if (last_key_ws >= 0)
                key->s[last_key_ws] = '\0';
        if (last_value_ws >= 0 && value->s)
                value->s[last_value_ws] = '\0';

        if (!env_name_is_valid(k))
                return error_set(ret_error, -EINVAL, "%u: Invalid variable name '%s'", line, k);
        if (!utf8_is_valid(v))
                return error_set(ret_error, -EINVAL, "%u: Invalid UTF-8 in the value of %s", line, k);

        return env_replace_consume(env, strprintf("%s=%s", k, v));
}

int environment_file_parse(const char *text, char ***env, char **ret_error) {
        enum {
                PRE_KEY,
                KEY,
                PRE_VALUE,
                VALUE,
                VALUE_ESCAPE,
                SINGLE_QUOTE_VALUE,
                DOUBLE_QUOTE_VALUE,
                DOUBLE_QUOTE_VALUE_ESCAPE,
                COMMENT,
                COMMENT_ESCAPE,
        } state = PRE_KEY;
        _cleanup_strv_free_ char **result = NULL;
        Buffer key = {}, value = {};
        ssize_t last_key_ws = -1, last_value_ws = -1;
        unsigned line = 1, key_line = 1;
        int r = 0;

        if (!text || !env)
                return -EINVAL;

        result = strv_copy(*env);
        if (!result)
                return -ENOMEM;

        for (const char *p = text; *p && r >= 0; p++) {
                char c = *p;

                switch (state) {

                case PRE_KEY:
                        if (strchr("#;", c))
                                state = COMMENT;
                        else if (!strchr(SPACES NEWLINE, c)) {
                                state = KEY;
                                key.n = 0;
                                last_key_ws = -1;
                                key_line = line;
                                r = buffer_add(&key, c);
                        }
                        break;

                case KEY:
                        if (strchr(NEWLINE, c))
                                state = PRE_KEY; /* a line without "=" is ignored */
                        else if (c == '=') {
                                state = PRE_VALUE;
                                value.n = 0;
                                if (value.s)
                                        value.s[0] = '\0';
                                last_value_ws = -1;
                        } else {
                                if (!strchr(SPACES, c))
                                        last_key_ws = -1;
                                else if (last_key_ws < 0)
                                        last_key_ws = (ssize_t) key.n;
                                r = buffer_add(&key, c);
                        }
                        break;

                case PRE_VALUE:
                        if (strchr(NEWLINE, c)) {
                                state = PRE_KEY;
                                r = push(&result, &key, &value, last_key_ws, -1, key_line, ret_error);
                        } else if (c == '\'')
                                state = SINGLE_QUOTE_VALUE;
                        else if (c == '"')
                                state = DOUBLE_QUOTE_VALUE;
                        else if (c == '\\')
                                state = VALUE_ESCAPE;
                        else if (!strchr(SPACES, c)) {
                                state = VALUE;
                                r = buffer_add(&value, c);
                        }
                        break;

                case VALUE:
                        if (strchr(NEWLINE, c)) {
                                state = PRE_KEY;
                                r = push(&result, &key, &value, last_key_ws, last_value_ws, key_line, ret_error);
                        } else if (c == '\\') {
                                state = VALUE_ESCAPE;
                                last_value_ws = -1;
                        } else {
                                if (!strchr(SPACES, c))
                                        last_value_ws = -1;
                                else if (last_value_ws < 0)
                                        last_value_ws = (ssize_t) value.n;
                                r = buffer_add(&value, c);
                        }
                        break;

                case VALUE_ESCAPE:
                        state = VALUE;
                        if (!strchr(NEWLINE, c)) /* backslash-newline continues the value */
                                r = buffer_add(&value, c);
                        break;

                case SINGLE_QUOTE_VALUE:
                        if (c == '\'')
                                state = PRE_VALUE;
                        else
                                r = buffer_add(&value, c);
                        break;

                case DOUBLE_QUOTE_VALUE:
                        if (c == '"')
                                state = PRE_VALUE;
                        else if (c == '\\')
                                state = DOUBLE_QUOTE_VALUE_ESCAPE;
                        else
                                r = buffer_add(&value, c);
                        break;

                case DOUBLE_QUOTE_VALUE_ESCAPE:
                        state = DOUBLE_QUOTE_VALUE;
                        if (strchr(SHELL_NEED_ESCAPE, c))
                                r = buffer_add(&value, c);
                        else if (c != '\n') {
                                r = buffer_add(&value, '\\');
                                if (r >= 0)
                                        r = buffer_add(&value, c);
                        }
                        break;

                case COMMENT:
                        if (c == '\\')
                                state = COMMENT_ESCAPE;
                        else if (strchr(NEWLINE, c))
                                state = PRE_KEY;
                        break;

                case COMMENT_ESCAPE:
                        state = COMMENT;
                        break;
                }

                if (c == '\n')
                        line++;
        }

        if (r >= 0 && (state == PRE_VALUE || state == VALUE || state == VALUE_ESCAPE || state == SINGLE_QUOTE_VALUE ||
                       state == DOUBLE_QUOTE_VALUE || state == DOUBLE_QUOTE_VALUE_ESCAPE))
                r = push(&result, &key, &value, last_key_ws, state == VALUE ? last_value_ws : -1, key_line, ret_error);

        free(key.s);
        free(value.s);
        if (r < 0)
                return r;

        strv_free(*env);
        *env = TAKE_PTR(result);
        return 0;
}

/* Reads a whole regular file of at most ENVIRONMENT_FILE_SIZE_MAX bytes, no NUL in it. */
static int read_text_file(const char *path, char **ret) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        struct stat st;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;

        buf = malloc(ENVIRONMENT_FILE_SIZE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(fd, buf + n, ENVIRONMENT_FILE_SIZE_MAX + 1 - n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > ENVIRONMENT_FILE_SIZE_MAX)
                        return -E2BIG;
        }
        if (memchr(buf, 0, n))
                return -EBADMSG;
        buf[n] = '\0';

        *ret = TAKE_PTR(buf);
        return 0;
}

/* The text of path among preloaded "PATH\0TEXT\0..." (size bytes), or NULL. */
static const char *preloaded_text(const char *preloaded, size_t size, const char *path) {
        for (size_t i = 0; i < size;) {
                const char *p = preloaded + i, *t = memchr(p, 0, size - i);

                if (!t || (size_t) (t + 1 - preloaded) >= size)
                        return NULL;
                t++;
                if (!memchr(t, 0, size - (size_t) (t - preloaded)))
                        return NULL;
                if (strcmp(p, path) == 0)
                        return t;
                i = (size_t) (t - preloaded) + strlen(t) + 1;
        }
        return NULL;
}

int environment_files_apply_preloaded(char *const *files, const char *preloaded, size_t preloaded_size, char ***env,
                                      char **ret_error) {
        int r;

        if (!env)
                return -EINVAL;

        for (char *const *i = files; i && *i; i++) {
                _cleanup_free_ char *text = NULL, *error = NULL;
                const char *path = *i, *given;
                bool optional = false;

                if (path[0] == '-') {
                        optional = true;
                        path++;
                }

                given = preloaded ? preloaded_text(preloaded, preloaded_size, path) : NULL;
                if (given) {
                        text = strdup(given);
                        r = text ? 0 : -ENOMEM;
                } else
                        r = read_text_file(path, &text);
                if (r == -ENOENT && optional)
                        continue;
                if (r == -ENOMEM)
                        return r;
                if (r == -E2BIG)
                        return error_set(ret_error, r, "EnvironmentFile=%s: larger than %u bytes", path,
                                         ENVIRONMENT_FILE_SIZE_MAX);
                if (r == -EBADMSG)
                        return error_set(ret_error, r, "EnvironmentFile=%s: contains a NUL byte", path);
                if (r < 0)
                        return error_set(ret_error, r, "Failed to load environment file %s: %s", path, strerror(-r));

                r = environment_file_parse(text, env, &error);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return error_set(ret_error, r, "%s:%s", path, error ?: strerror(-r));
        }
        return 0;
}

int environment_files_apply(char *const *files, char ***env, char **ret_error) {
        return environment_files_apply_preloaded(files, NULL, 0, env, ret_error);
}

int environment_files_preload(char *const *files, const char *const *dirs, const char *except, char **ret,
                              size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;

        for (char *const *i = files; i && *i; i++) {
                _cleanup_free_ char *text = NULL;
                const char *path = **i == '-' ? *i + 1 : *i;
                bool under = false;
                char *n;

                for (const char *const *d = dirs; d && *d && !under; d++) {
                        size_t k = strlen(*d);
                        under = strncmp(path, *d, k) == 0 && path[k] == '/';
                }
                /* Only what the description's own directories hold; a read error is the init's to report. */
                if (except && strncmp(path, except, strlen(except)) == 0 && path[strlen(except)] == '/')
                        under = false;
                if (!under || strstr(path, "/../") || read_text_file(path, &text) < 0)
                        continue;
                n = realloc(buf, size + strlen(path) + strlen(text) + 2);
                if (!n)
                        return -ENOMEM;
                buf = n;
                memcpy(buf + size, path, strlen(path) + 1);
                size += strlen(path) + 1;
                memcpy(buf + size, text, strlen(text) + 1);
                size += strlen(text) + 1;
        }
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}
