/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "description.h"
#include "init-control.h"
#include "init-protocol.h"

int control_receive(int fd, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        ssize_t n;

        /* One byte more than allowed, so MSG_TRUNC tells an oversized datagram apart. */
        buf = malloc(max + 2);
        if (!buf)
                return -ENOMEM;

        do
                n = recv(fd, buf, max + 1, MSG_TRUNC | MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return negative_errno();
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

int control_receive_start(int fd, char **ret_name, char **ret_text) {
        _cleanup_free_ char *msg = NULL;
        char *version, *name, *text, *end;
        unsigned long v;
        size_t size;
        int r;

        r = control_receive(fd, INIT_MESSAGE_MAX, &msg, &size);
        if (r < 0)
                return r;
        if (r == 0)
                return -ECONNRESET;
        if (strlen(msg) != size) /* embedded NUL */
                return -EBADMSG;

        if (strncmp(msg, "START ", 6) != 0)
                return -EBADMSG;
        version = msg + 6;
        name = strchr(version, '\n');
        if (!name)
                return -EBADMSG;
        *name++ = 0;
        text = strchr(name, '\n');
        if (!text)
                return -EBADMSG;
        *text++ = 0;

        errno = 0;
        v = strtoul(version, &end, 10);
        if (errno != 0 || end == version || *end != 0)
                return -EBADMSG;
        if (v != INIT_PROTOCOL_VERSION)
                return -EPROTONOSUPPORT;
        if (!service_name_is_valid(name))
                return -EBADMSG;

        _cleanup_free_ char *n = strdup(name), *t = strdup(text);
        if (!n || !t)
                return -ENOMEM;

        *ret_name = TAKE_PTR(n);
        *ret_text = TAKE_PTR(t);
        return 0;
}

int control_parse_kill(const char *msg, KillWhom *ret_whom, int *ret_signal) {
        const char *p;
        KillWhom whom;
        char *end;
        long sig;

        if (strncmp(msg, "KILL ", 5) != 0)
                return -EBADMSG;
        p = msg + 5;
        if (strncmp(p, "main ", 5) == 0)
                whom = KILL_WHOM_MAIN;
        else if (strncmp(p, "all ", 4) == 0)
                whom = KILL_WHOM_ALL;
        else
                return -EBADMSG;
        p = strchr(p, ' ') + 1;

        errno = 0;
        sig = strtol(p, &end, 10);
        if (errno != 0 || end == p || *end != 0 || sig <= 0 || sig >= _NSIG)
                return -EBADMSG;

        *ret_whom = whom;
        *ret_signal = (int) sig;
        return 0;
}

static int send_text(int fd, const char *text) {
        if (send(fd, text, strlen(text), MSG_NOSIGNAL) < 0)
                return negative_errno();
        return 0;
}

int control_send_main(int fd, pid_t pid, int pidfd, const char *state, unsigned n_restarts, const char *status) {
        char text[512];
        union {
                struct cmsghdr header;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov;
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
        };

        /* STATUS= is cut to what fits: the rest of the text shows it anyway. */
        snprintf(text, sizeof(text), "MAIN %d\nSTATE=%s\nNRESTARTS=%u\nSTATUS=%.*s", (int) pid, state ?: "running",
                 n_restarts, (int) strcspn(status ?: "", "\n"), status ?: "");
        iov = (struct iovec) { .iov_base = text, .iov_len = strlen(text) };

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
        _cleanup_free_ char *msg = NULL;
        char line[512];
        const char *p;

        /* The protocol wants one line of text. */
        p = strchrnul(text ?: "", '\n');
        snprintf(line, sizeof(line), "%.*s", (int) (p - (text ?: "")), text ?: "");

        if (asprintf(&msg, "FAILED %d\n%s", error < 0 ? -error : error, line) < 0)
                return -ENOMEM;
        return send_text(fd, msg);
}

int control_send_exited(int fd, int wait_status, const char *result) {
        char msg[sizeof("EXITED dumped ") + 12 + 64];
        int n;

        if (WIFEXITED(wait_status))
                n = snprintf(msg, sizeof(msg), "EXITED exited %d", WEXITSTATUS(wait_status));
        else if (WIFSIGNALED(wait_status))
                n = snprintf(msg, sizeof(msg), "EXITED %s %d",
                             WCOREDUMP(wait_status) ? "dumped" : "killed", WTERMSIG(wait_status));
        else
                return -EINVAL;
        if (result)
                snprintf(msg + n, sizeof(msg) - (size_t) n, "\nRESULT=%s", result);

        return send_text(fd, msg);
}

int control_send_reloaded(int fd, int error, const char *text) {
        char msg[512];
        const char *t = text ?: "";

        if (error == 0)
                return send_text(fd, "RELOADED 0");
        snprintf(msg, sizeof(msg), "RELOADED %d\n%.*s", error < 0 ? -error : error, (int) strcspn(t, "\n"), t);
        return send_text(fd, msg);
}
