/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "description.h"
#include "init-control.h"
#include "init-protocol.h"

/* One datagram, and up to max_fds fds that came with it (O_CLOEXEC). */
static int receive_datagram(int fd, size_t max, char **ret, size_t *ret_size, int *fds, size_t max_fds,
                            size_t *ret_n_fds) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_free_ void *control = NULL;
        struct iovec iov;
        struct msghdr mh = {};
        size_t n_fds = 0;
        ssize_t n;

        /* One byte more than allowed, so MSG_TRUNC tells an oversized datagram apart. */
        buf = malloc(max + 2);
        if (!buf)
                return -ENOMEM;
        iov = (struct iovec) { .iov_base = buf, .iov_len = max + 1 };
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        if (max_fds > 0) {
                control = calloc(1, CMSG_SPACE(max_fds * sizeof(int)));
                if (!control)
                        return -ENOMEM;
                mh.msg_control = control;
                mh.msg_controllen = CMSG_SPACE(max_fds * sizeof(int));
        }

        do
                n = recvmsg(fd, &mh, MSG_TRUNC | MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return negative_errno();

        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

                        /* CMSG_SPACE() rounds up: the kernel may fit one fd more than max_fds. */
                        for (size_t j = 0; j < k; j++) {
                                int f;

                                memcpy(&f, CMSG_DATA(c) + j * sizeof(int), sizeof(int));
                                if (n_fds < max_fds)
                                        fds[n_fds++] = f;
                                else {
                                        safe_close(f);
                                        mh.msg_flags |= MSG_CTRUNC;
                                }
                        }
                }
        if (ret_n_fds)
                *ret_n_fds = n_fds;
        /* Cut short: some fds were dropped by the kernel, the rest we do not want either. */
        if (mh.msg_flags & MSG_CTRUNC) {
                for (size_t i = 0; i < n_fds; i++)
                        safe_close(fds[i]);
                if (ret_n_fds)
                        *ret_n_fds = 0;
                return -EBADMSG;
        }
        if (n == 0)
                return 0; /* a SOCK_SEQPACKET peer that closed reads as zero bytes */
        if ((size_t) n > max)
                return -EMSGSIZE;

        buf[n] = 0;
        if (ret_size)
                *ret_size = (size_t) n;
        *ret = TAKE_PTR(buf);
        return 1;
}

int control_receive(int fd, size_t max, char **ret, size_t *ret_size) {
        return receive_datagram(fd, max, ret, ret_size, NULL, 0, NULL);
}

int control_receive_fds(int fd, size_t max, char **ret, size_t *ret_size, int *fds, size_t max_fds, size_t *ret_n_fds) {
        return receive_datagram(fd, max, ret, ret_size, fds, max_fds, ret_n_fds);
}

static void close_fds(int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                fds[i] = safe_close(fds[i]);
}

/* Splits "START VERSION\nNAME\nINVOCATION_ID\nFDS ROLE...\nSOURCES" in place. */
static int parse_start(char *msg, size_t size, char **ret_name, char **ret_invocation_id, char **ret_roles,
                       char **ret_text) {
        char *version, *name, *invocation_id, *roles, *text, *end;
        unsigned long v;

        if (strlen(msg) != size) /* embedded NUL */
                return -EBADMSG;

        if (strncmp(msg, "START ", 6) != 0)
                return -EBADMSG;
        version = msg + 6;
        name = strchr(version, '\n');
        if (!name)
                return -EBADMSG;
        *name++ = 0;
        invocation_id = strchr(name, '\n');
        if (!invocation_id)
                return -EBADMSG;
        *invocation_id++ = 0;
        roles = strchr(invocation_id, '\n');
        if (!roles)
                return -EBADMSG;
        *roles++ = 0;
        text = strchr(roles, '\n');
        if (!text)
                return -EBADMSG;
        *text++ = 0;
        if (strncmp(roles, "FDS", 3) != 0 || (roles[3] != 0 && roles[3] != ' '))
                return -EBADMSG;
        roles += 3;

        errno = 0;
        v = strtoul(version, &end, 10);
        if (errno != 0 || end == version || *end != 0)
                return -EBADMSG;
        if (v != INIT_PROTOCOL_VERSION)
                return -EPROTONOSUPPORT;
        if (!service_name_is_valid(name))
                return -EBADMSG;
        /* 32 hex digits, or empty when the daemon could not learn it. */
        if (*invocation_id && (strlen(invocation_id) != 32 || strspn(invocation_id, "0123456789abcdef") != 32))
                return -EBADMSG;

        *ret_name = name;
        *ret_invocation_id = invocation_id;
        *ret_roles = roles;
        *ret_text = text;
        return 0;
}

static const char *const start_fd_role_table[_START_FD_ROLE_MAX] = {
        [START_FD_READOPT] = "readopt",
        [START_FD_EXIT] = "exit",
        [START_FD_SECCOMP] = "seccomp",
        [START_FD_ENV] = "env",
        [START_FD_LEARN] = "learn",
        [START_FD_TMPFILES] = "tmpfiles",
};

/* The extra fds are the last ones, in the order the roles line names them; each role once. */
static int assign_roles(InitStart *st, const char *roles) {
        int role_of[_START_FD_ROLE_MAX];
        size_t n_roles = 0;

        for (const char *p = roles; *p;) {
                size_t k;
                int role = -1;

                p += strspn(p, " ");
                k = strcspn(p, " ");
                if (k == 0)
                        break;
                for (int i = 0; i < _START_FD_ROLE_MAX; i++)
                        if (strlen(start_fd_role_table[i]) == k && strncmp(p, start_fd_role_table[i], k) == 0)
                                role = i;
                if (role < 0 || n_roles >= _START_FD_ROLE_MAX)
                        return -EBADMSG;
                for (size_t j = 0; j < n_roles; j++)
                        if (role_of[j] == role)
                                return -EBADMSG;
                role_of[n_roles++] = role;
                p += k;
        }
        if (n_roles > st->n_fds)
                return -EBADMSG;
        for (size_t j = 0; j < n_roles; j++)
                st->role_fds[role_of[j]] = st->fds[st->n_fds - n_roles + j];
        st->n_fds -= n_roles;
        return 0;
}

/* "MOUNTS\nPATH\n..." with one detached mount per path. */
static int parse_mounts(InitStart *st, char *msg, size_t size, int *fds, size_t n_fds) {
        size_t n = 0;

        if (strlen(msg) != size || strncmp(msg, "MOUNTS\n", 7) != 0)
                return -EBADMSG;
        for (char *p = msg + 7; *p;) {
                char *nl = strchr(p, '\n');

                if (!nl || *p != '/' || n >= n_fds)
                        return -EBADMSG;
                *nl = 0;
                n++;
                p = nl + 1;
        }
        if (n != n_fds)
                return -EBADMSG;
        st->mount_paths = calloc(n + 1, sizeof(char *));
        st->mount_fds = calloc(n + 1, sizeof(int));
        if (!st->mount_paths || !st->mount_fds)
                return -ENOMEM;
        n = 0;
        for (char *p = msg + 7; n < n_fds; p += strlen(p) + 1) {
                st->mount_paths[n] = strdup(p);
                if (!st->mount_paths[n])
                        return -ENOMEM;
                st->mount_fds[n] = fds[n];
                fds[n] = -EBADF;
                st->n_mounts = ++n;
        }
        return 0;
}

void init_start_done(InitStart *st) {
        free(st->name);
        free(st->invocation_id);
        free(st->text);
        close_fds(st->fds, st->n_fds);
        for (int i = 0; i < _START_FD_ROLE_MAX; i++)
                st->role_fds[i] = safe_close(st->role_fds[i]);
        for (size_t i = 0; i < st->n_mounts; i++) {
                free(st->mount_paths[i]);
                safe_close(st->mount_fds[i]);
        }
        free(st->mount_paths);
        free(st->mount_fds);
        *st = INIT_START_NULL;
}

int control_receive_start(int fd, InitStart *ret) {
        _cleanup_(init_start_done) InitStart st = INIT_START_NULL;
        _cleanup_free_ char *msg = NULL;
        char *name, *invocation_id, *roles, *text;
        size_t size;
        int r;

        int first_fds[INIT_MOUNTS_MAX];
        size_t n_first = 0;

        r = receive_datagram(fd, INIT_MESSAGE_MAX, &msg, &size, first_fds, INIT_MOUNTS_MAX, &n_first);
        if (r <= 0)
                return r < 0 ? r : -ECONNRESET;
        if (strncmp(msg, "MOUNTS\n", 7) == 0) {
                /* The detached copies of the host's mounts, then START. */
                r = parse_mounts(&st, msg, size, first_fds, n_first);
                close_fds(first_fds, n_first);
                if (r < 0)
                        return r;
                msg = mfree(msg);
                r = receive_datagram(fd, INIT_MESSAGE_MAX, &msg, &size, st.fds, INIT_START_FDS_MAX, &st.n_fds);
                if (r <= 0)
                        return r < 0 ? r : -ECONNRESET;
        } else {
                if (n_first > INIT_START_FDS_MAX) {
                        close_fds(first_fds, n_first);
                        return -EBADMSG;
                }
                memcpy(st.fds, first_fds, n_first * sizeof(int));
                st.n_fds = n_first;
        }
        r = parse_start(msg, size, &name, &invocation_id, &roles, &text);
        if (r < 0)
                return r;
        r = assign_roles(&st, roles);
        if (r < 0)
                return r;
        st.name = strdup(name);
        st.text = strdup(text);
        st.invocation_id = strdup(invocation_id);
        if (!st.name || !st.text || !st.invocation_id)
                return -ENOMEM;

        *ret = st;
        st = INIT_START_NULL;
        return 0;
}

int control_receive_go(int fd, char ret_invocation_id[static 33]) {
        _cleanup_free_ char *msg = NULL;
        size_t size, k;
        int r;

        r = receive_datagram(fd, 64, &msg, &size, NULL, 0, NULL);
        if (r <= 0)
                return r < 0 ? r : -ECONNRESET;
        if (strlen(msg) != size || strncmp(msg, "GO\n", 3) != 0)
                return -EBADMSG;
        k = size - 3;
        if (k != 0 && (k != 32 || strspn(msg + 3, "0123456789abcdef") != 32))
                return -EBADMSG;
        memcpy(ret_invocation_id, msg + 3, k + 1);
        return 0;
}

static int send_text(int fd, const char *text) {
        if (send(fd, text, strlen(text), MSG_NOSIGNAL) < 0)
                return negative_errno();
        return 0;
}

static int send_message(int fd, const InitMessage *m) {
        char text[INIT_TEXT_MAX + 128];
        int r;

        r = init_message_format(m, text, sizeof(text));
        if (r < 0)
                return r;
        return send_text(fd, text);
}

int control_send_hello(int fd) {
        return send_message(fd, &(InitMessage) { .type = INIT_MESSAGE_HELLO, .version = INIT_PROTOCOL_VERSION });
}

int control_send_main(int fd, pid_t pid, int pidfd, InitState state, unsigned n_restarts, const char *status) {
        char text[INIT_TEXT_MAX + 128];
        union {
                struct cmsghdr header;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov;
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
        };
        InitMessage m = {
                .type = INIT_MESSAGE_MAIN, .pid = pid, .state = state, .n_restarts = n_restarts, .text = status,
        };
        int r;

        /* STATUS= is cut to what fits: the rest of the text shows it anyway. */
        r = init_message_format(&m, text, sizeof(text));
        if (r < 0)
                return r;
        iov = (struct iovec) { .iov_base = text, .iov_len = (size_t) r };

        if (pidfd >= 0) {
                struct cmsghdr *cmsg;

                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
                cmsg = CMSG_FIRSTHDR(&mh);
                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_RIGHTS;
                cmsg->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(cmsg), &pidfd, sizeof(int));
        }

        if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
                return negative_errno();
        return 0;
}

int control_send_failed(int fd, int error, const char *text) {
        error = error < 0 ? -error : error;
        return send_message(fd, &(InitMessage) { .type = INIT_MESSAGE_FAILED, .error = error > 0 && error < 4096 ? error : EIO,
                                                 .text = text });
}

int control_send_exited(int fd, int wait_status, const char *result) {
        InitMessage m;
        int r;

        r = init_message_exited(wait_status, &m);
        if (r < 0)
                return r;
        m.end_result = result ? init_end_result_from_string(result) : INIT_END_NONE;
        if (m.end_result < 0)
                m.end_result = INIT_END_NONE;
        m.start_limit_hit = m.end_result == INIT_END_START_LIMIT_HIT;
        return send_message(fd, &m);
}

int control_send_reloaded(int fd, int error, const char *text) {
        error = error < 0 ? -error : error;
        return send_message(fd, &(InitMessage) { .type = INIT_MESSAGE_RELOADED, .error = error < 4096 ? error : EIO,
                                                 .text = text ?: (error ? strerror(error) : "") });
}
