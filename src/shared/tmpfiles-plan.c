/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "macro.h"
#include "tmpfiles-plan.h"

#define CAP(c) (UINT64_C(1) << (c))
#define PLAN_MAX(a, b) ((a) > (b) ? (a) : (b))
#define PLAN_MIN(a, b) ((a) < (b) ? (a) : (b))

void tmpfiles_exec_child(int output_fd) {
        /* Not /run/user: hidden as ProtectHome=yes hides it (a system daemon's is logind's work). Not
         * /run/isolated: the daemon's own, of which a service sees nothing, not even a lookalike. */
        static char *const argv[] = { (char *) "systemd-tmpfiles", (char *) "--create", (char *) "--prefix=/run",
                                      (char *) "--exclude-prefix=/run/user", (char *) "--exclude-prefix=/run/isolated",
                                      NULL };
        static char *const envp[] = { (char *) "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        const uint64_t keep = CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) | CAP(CAP_FOWNER) | CAP(CAP_FSETID);
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        sigset_t all;

        if (null < 0 || dup2(null, STDIN_FILENO) < 0)
                _exit(EXIT_FAILURE);
        if (output_fd >= 0 && (dup2(output_fd, STDOUT_FILENO) < 0 || dup2(output_fd, STDERR_FILENO) < 0))
                _exit(EXIT_FAILURE);
        /* Nothing of the caller's: the init's control socket, the host's mounts it still holds. */
        if (close_range(3, ~0U, 0) < 0)
                _exit(EXIT_FAILURE);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                _exit(EXIT_FAILURE);
        /* As root, the exec gives it its bounding set (no file capabilities, no_new_privs). */
        for (unsigned long c = 0; c < 64; c++)
                if (!(keep & (UINT64_C(1) << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                        _exit(EXIT_FAILURE);
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                _exit(EXIT_FAILURE);
        (void) signal(SIGPIPE, SIG_DFL);
        sigemptyset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, NULL);
        execve(TMPFILES_PATH, argv, envp);
        _exit(127);
}

/* A decimal or octal number of at most max, ending at the separator sep; *p moves past it. */
static int parse_number(const char **p, const char *end, unsigned base, uint64_t max, char sep, uint64_t *ret) {
        uint64_t v = 0;
        const char *q = *p;

        if (q >= end || *q < '0' || *q > (base == 8 ? '7' : '9'))
                return -EBADMSG;
        if (*q == '0' && q + 1 < end && q[1] != sep) /* one form per number: no leading zeros */
                return -EBADMSG;
        for (; q < end && *q != sep; q++) {
                if (*q < '0' || *q > (base == 8 ? '7' : '9'))
                        return -EBADMSG;
                v = v * base + (uint64_t) (*q - '0');
                if (v > max)
                        return -EBADMSG;
        }
        if (q >= end)
                return -EBADMSG;
        *p = q + 1;
        *ret = v;
        return 0;
}

static int expect(const char **p, const char *end, const char *word) {
        size_t n = strlen(word);

        if ((size_t) (end - *p) < n || memcmp(*p, word, n) != 0)
                return -EBADMSG;
        *p += n;
        return 0;
}

int tmpfiles_plan_reader_init(TmpfilesPlanReader *r, const char *buf, size_t size) {
        const char *p = buf, *end = buf + size;
        uint64_t status, n;

        if (size > TMPFILES_PLAN_SIZE_MAX || expect(&p, end, TMPFILES_PLAN_MAGIC) < 0 || expect(&p, end, "STATUS ") < 0 ||
            parse_number(&p, end, 10, 255, '\n', &status) < 0 || expect(&p, end, "MESSAGES ") < 0 ||
            parse_number(&p, end, 10, TMPFILES_PLAN_MESSAGES_MAX, '\n', &n) < 0 || (size_t) (end - p) < n)
                return -EBADMSG;
        *r = (TmpfilesPlanReader) {
                .buf = buf,
                .size = size,
                .offset = (size_t) (p - buf) + n,
                .status = (int) status,
                .messages = p,
                .messages_size = n,
        };
        return 0;
}

/* Relative, no empty, "." or ".." component, no NUL. */
static bool path_ok(const char *path, size_t n) {
        if (n == 0 || n > TMPFILES_PLAN_PATH_MAX || memchr(path, 0, n))
                return false;
        for (size_t i = 0; i <= n;) {
                size_t k = 0;

                while (i + k < n && path[i + k] != '/')
                        k++;
                if (k == 0 || (k == 1 && path[i] == '.') || (k == 2 && path[i] == '.' && path[i + 1] == '.'))
                        return false;
                i += k + 1;
        }
        return true;
}

int tmpfiles_plan_next(TmpfilesPlanReader *r, TmpfilesPlanEntry *ret) {
        const char *p = r->buf + r->offset, *end = r->buf + r->size;
        uint64_t mode, uid, gid, path_size, data_size;
        char type;

        if (p == end)
                return 0;
        if (end - p < 2 || !strchr("dflp", p[0]) || p[0] == 0 || p[1] != ' ')
                return -EBADMSG;
        type = p[0];
        p += 2;
        if (parse_number(&p, end, 8, 07777, ' ', &mode) < 0 || parse_number(&p, end, 10, UINT32_MAX - 1, ' ', &uid) < 0 ||
            parse_number(&p, end, 10, UINT32_MAX - 1, ' ', &gid) < 0 ||
            parse_number(&p, end, 10, TMPFILES_PLAN_PATH_MAX, ' ', &path_size) < 0 ||
            parse_number(&p, end, 10, TMPFILES_PLAN_FILE_MAX, '\n', &data_size) < 0)
                return -EBADMSG;
        if ((size_t) (end - p) < path_size || (size_t) (end - p) - path_size < data_size || !path_ok(p, path_size))
                return -EBADMSG;
        switch (type) {
        case 'l':
                if (data_size == 0 || data_size > TMPFILES_PLAN_PATH_MAX || memchr(p + path_size, 0, data_size))
                        return -EBADMSG;
                break;
        case 'd':
        case 'p':
                if (data_size != 0)
                        return -EBADMSG;
                break;
        }
        ret->type = type;
        ret->mode = (mode_t) mode;
        ret->uid = (uid_t) uid;
        ret->gid = (gid_t) gid;
        memcpy(ret->path, p, path_size);
        ret->path[path_size] = 0;
        ret->data = p + path_size;
        ret->data_size = data_size;
        ret->target[0] = 0;
        if (type == 'l') {
                memcpy(ret->target, ret->data, data_size);
                ret->target[data_size] = 0;
        }
        r->offset = (size_t) (p + path_size + data_size - r->buf);
        return 1;
}

int tmpfiles_plan_validate(const char *buf, size_t size, size_t *ret_n) {
        _cleanup_free_ TmpfilesPlanEntry *e = malloc(sizeof(TmpfilesPlanEntry));
        TmpfilesPlanReader r;
        size_t n = 0;
        int k;

        if (!e)
                return -ENOMEM;
        if (tmpfiles_plan_reader_init(&r, buf, size) < 0)
                return -EBADMSG;
        while ((k = tmpfiles_plan_next(&r, e)) > 0)
                n++;
        if (k < 0)
                return k;
        if (ret_n)
                *ret_n = n;
        return 0;
}

void tmpfiles_plan_writer_done(TmpfilesPlanWriter *w) {
        w->buf = mfree(w->buf);
        w->size = w->allocated = w->n_entries = 0;
}

static int append(TmpfilesPlanWriter *w, const void *data, size_t n) {
        if (n > TMPFILES_PLAN_SIZE_MAX || w->size + n > TMPFILES_PLAN_SIZE_MAX)
                return -E2BIG;
        if (w->size + n > w->allocated) {
                size_t a = PLAN_MAX(w->allocated * 2, w->size + n + 256);
                char *b = realloc(w->buf, a);

                if (!b)
                        return -ENOMEM;
                w->buf = b;
                w->allocated = a;
        }
        memcpy(w->buf + w->size, data, n);
        w->size += n;
        return 0;
}

int tmpfiles_plan_write_header(TmpfilesPlanWriter *w, int status, const char *messages, size_t messages_size) {
        char header[128];
        int n, r;

        if (status < 0 || status > 255 || w->size != 0)
                return -EINVAL;
        messages_size = PLAN_MIN(messages_size, (size_t) TMPFILES_PLAN_MESSAGES_MAX);
        n = snprintf(header, sizeof(header), TMPFILES_PLAN_MAGIC "STATUS %d\nMESSAGES %zu\n", status, messages_size);
        r = append(w, header, (size_t) n);
        if (r < 0)
                return r;
        return messages_size > 0 ? append(w, messages, messages_size) : 0;
}

int tmpfiles_plan_write_entry(TmpfilesPlanWriter *w, char type, mode_t mode, uid_t uid, gid_t gid, const char *path,
                              const char *data, size_t data_size) {
        size_t path_size = strlen(path), old_size = w->size;
        char header[128];
        int n, r;

        if (w->size == 0 || !strchr("dflp", type) || type == 0 || mode > 07777 || uid == (uid_t) -1 ||
            gid == (gid_t) -1 || !path_ok(path, path_size) || data_size > TMPFILES_PLAN_FILE_MAX ||
            ((type == 'd' || type == 'p') && data_size != 0) ||
            (type == 'l' && (data_size == 0 || data_size > TMPFILES_PLAN_PATH_MAX || memchr(data, 0, data_size))))
                return -EINVAL;
        n = snprintf(header, sizeof(header), "%c %o %u %u %zu %zu\n", type, (unsigned) mode, (unsigned) uid,
                     (unsigned) gid, path_size, data_size);
        r = append(w, header, (size_t) n);
        if (r >= 0)
                r = append(w, path, path_size);
        if (r >= 0 && data_size > 0)
                r = append(w, data, data_size);
        if (r < 0) {
                w->size = old_size; /* all of it or nothing */
                return r;
        }
        w->n_entries++;
        return 0;
}
