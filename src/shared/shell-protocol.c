/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "init-protocol.h"
#include "macro.h"
#include "shell-protocol.h"
#include "strv.h"

/* A decimal u64 at p, without sign or leading space; *ret_end after it. */
static int parse_u64(const char *p, const char **ret_end, uint64_t *ret) {
        char *end;
        unsigned long long v;

        if (*p < '0' || *p > '9')
                return -EBADMSG;
        errno = 0;
        v = strtoull(p, &end, 10);
        if (errno != 0)
                return -EBADMSG;
        *ret_end = end;
        *ret = (uint64_t) v;
        return 0;
}

/* A positive errno, as the init sends it. */
static int parse_errno(const char *p, const char **ret_end, int *ret) {
        uint64_t v;
        int r;

        r = parse_u64(p, ret_end, &v);
        if (r < 0)
                return r;
        if (v >= 4096)
                return -EBADMSG;
        *ret = (int) v;
        return 0;
}

static int append(char **buf, size_t *size, const char *s, size_t k) {
        char *n;

        if (*size + k > INIT_SHELL_MESSAGE_MAX)
                return -E2BIG;
        n = realloc(*buf, *size + k + 1);
        if (!n)
                return -ENOMEM;
        memcpy(n + *size, s, k);
        n[*size + k] = 0;
        *buf = n;
        *size += k;
        return 0;
}

int shell_request_encode(uint64_t id, char *const *argv, char *const *env, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        char head[64];
        size_t size = 0;
        int r;

        snprintf(head, sizeof(head), "SHELL %" PRIu64 " %zu\n", id, strv_length(argv));
        r = append(&buf, &size, head, strlen(head));
        for (char *const *a = argv; r >= 0 && a && *a; a++)
                r = append(&buf, &size, *a, strlen(*a) + 1);
        for (char *const *e = env; r >= 0 && e && *e; e++)
                r = append(&buf, &size, *e, strlen(*e) + 1);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

int shell_request_id(const char *msg, uint64_t *ret_id) {
        const char *end;
        uint64_t id;

        if (strncmp(msg, "SHELL ", 6) != 0 || parse_u64(msg + 6, &end, &id) < 0 || *end != ' ')
                return -EBADMSG;
        *ret_id = id;
        return 0;
}

int shell_request_decode(const char *msg, size_t size, uint64_t *ret_id, char ***ret_argv, char **ret_term) {
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *term = NULL;
        const char *p, *end = msg + size;
        uint64_t id, n_args, i = 0;
        int r;

        r = shell_request_id(msg, &id);
        if (r < 0)
                return r;
        p = strchr(msg + 6, ' ') + 1;
        if (parse_u64(p, &p, &n_args) < 0 || *p != '\n')
                return -EBADMSG;
        p++;
        /* Every string ends within the datagram. */
        if (p > end || (p < end && end[-1] != 0))
                return -EBADMSG;
        for (; p < end; i++) {
                size_t k = strlen(p);

                if (i < n_args) {
                        r = strv_extend(&argv, p);
                        if (r < 0)
                                return r;
                } else if (strncmp(p, "TERM=", 5) == 0 && k - 5 < SHELL_TERM_MAX && !strchr(p + 5, '/')) {
                        free(term);
                        term = strdup(p + 5);
                        if (!term)
                                return -ENOMEM;
                }
                p += k + 1;
        }
        if (i < n_args)
                return -EBADMSG;
        if (!argv) {
                argv = calloc(1, sizeof(char *)); /* empty: the user's shell */
                if (!argv)
                        return -ENOMEM;
        }
        *ret_id = id;
        *ret_argv = TAKE_PTR(argv);
        *ret_term = TAKE_PTR(term);
        return 0;
}

int shell_simple_format(const char *verb, uint64_t id, char *buf, size_t size) {
        int n = snprintf(buf, size, "%s %" PRIu64, verb, id);

        return n < 0 || (size_t) n >= size ? -ENOBUFS : n;
}

int shell_simple_decode(const char *verb, const char *msg, uint64_t *ret_id) {
        size_t k = strlen(verb);
        const char *end;
        uint64_t id;

        if (strncmp(msg, verb, k) != 0 || msg[k] != ' ' || parse_u64(msg + k + 1, &end, &id) < 0 || *end != 0)
                return -EBADMSG;
        *ret_id = id;
        return 0;
}

const char *shell_exit_code_to_string(int code) {
        const char *s = exit_code_to_string(code); /* init-protocol.h's words */

        return *s ? s : NULL;
}

static int shell_exit_code_parse(const char *s, size_t n) {
        for (int code = CLD_EXITED; code <= CLD_DUMPED; code++) {
                const char *t = shell_exit_code_to_string(code);

                if (t && strlen(t) == n && strncmp(s, t, n) == 0)
                        return code;
        }
        return -EBADMSG;
}

static int written(int n, size_t size) {
        return n < 0 || (size_t) n >= size ? -ENOBUFS : n;
}

int shell_reply_format_exited(uint64_t id, int wait_status, char *buf, size_t size) {
        if (WIFEXITED(wait_status))
                return written(snprintf(buf, size, "SHELL-EXITED %" PRIu64 " exited %d", id, WEXITSTATUS(wait_status)),
                               size);
        return written(snprintf(buf, size, "SHELL-EXITED %" PRIu64 " %s %d", id,
                                WCOREDUMP(wait_status) ? "dumped" : "killed", WTERMSIG(wait_status)),
                       size);
}

int shell_reply_format_failed(uint64_t id, int error, const char *text, char *buf, size_t size) {
        const char *t = text ?: "";
        int e = error < 0 ? -error : error;
        size_t n = strcspn(t, "\n");

        if (n >= SHELL_TEXT_MAX)
                n = SHELL_TEXT_MAX - 1;
        return written(snprintf(buf, size, "SHELL-FAILED %" PRIu64 " %d\n%.*s", id, e > 0 && e < 4096 ? e : EIO,
                                (int) n, t),
                       size);
}

int shell_reply_format_pty(uint64_t id, int error, char *buf, size_t size) {
        int e = error < 0 ? -error : error;

        return written(snprintf(buf, size, "PTY %" PRIu64 " %d", id, e < 4096 ? e : EIO), size);
}

int shell_reply_decode(const char *msg, ShellReply *ret) {
        ShellReply r = {};
        const char *p, *end;

        if (strncmp(msg, "SHELL-EXITED ", 13) == 0) {
                uint64_t status;

                r.type = SHELL_REPLY_EXITED;
                if (parse_u64(msg + 13, &p, &r.id) < 0 || *p != ' ')
                        return -EBADMSG;
                end = strchr(++p, ' ');
                if (!end)
                        return -EBADMSG;
                r.code = shell_exit_code_parse(p, (size_t) (end - p));
                if (r.code < 0 || parse_u64(end + 1, &p, &status) < 0 || *p != 0 || status > 255)
                        return -EBADMSG;
                if (r.code != CLD_EXITED && (status == 0 || status >= _NSIG))
                        return -EBADMSG;
                r.status = (int) status;
        } else if (strncmp(msg, "SHELL-FAILED ", 13) == 0) {
                r.type = SHELL_REPLY_FAILED;
                if (parse_u64(msg + 13, &p, &r.id) < 0 || *p != ' ' || parse_errno(p + 1, &p, &r.error) < 0 ||
                    r.error == 0)
                        return -EBADMSG;
                if (*p == '\n')
                        snprintf(r.text, sizeof(r.text), "%.*s", (int) strcspn(p + 1, "\n"), p + 1);
                else if (*p != 0)
                        return -EBADMSG;
        } else if (strncmp(msg, "PTY ", 4) == 0) {
                r.type = SHELL_REPLY_PTY;
                if (parse_u64(msg + 4, &p, &r.id) < 0 || *p != ' ' || parse_errno(p + 1, &p, &r.error) < 0 ||
                    *p != 0)
                        return -EBADMSG;
        } else
                return -ENOMSG;

        *ret = r;
        return 0;
}
