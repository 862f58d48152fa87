/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plays the daemon's part of init-protocol.h for the isolate-init tests, without systemd:
 * clones a child into new PID, mount, UTS, IPC and network namespaces with its end of a
 * SOCK_SEQPACKET pair on fd 3, execs isolate-init, sends START and prints every reply.
 *
 *   drive-init [-V VERSION] [-E] [-c CMD] [-s MSG]... INIT NAME FILE
 *
 * After MAIN it runs CMD with sh (INIT_PID and MAIN_PID in its environment, as the host sees
 * them; MAIN_PID from the pidfd that came with MAIN), then sends each MSG. Prints one line per
 * message (a newline in it shown as " | "), and finally "INIT_EXIT N" or "INIT_SIGNAL N". With -E
 * it reads nothing until the init has exited (a daemon slow to read: what the init said before it
 * went must still be there). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init-protocol.h" /* INIT_PROTOCOL_VERSION only: no code of ours is linked */

static pid_t pid_of_pidfd(int fd) {
        char path[64], line[256];
        pid_t pid = -1;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
        f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "Pid: %d", &pid) == 1)
                        break;
        fclose(f);
        return pid;
}

static char *read_file(const char *path) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = fopen(path, "re"), *m;

        if (!f)
                return NULL;
        m = open_memstream(&buf, &size);
        for (int ch; (ch = fgetc(f)) != EOF;)
                fputc(ch, m);
        fclose(m);
        fclose(f);
        return buf;
}

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

int main(int argc, char *argv[]) {
        const char *cmd = NULL, *version = STRINGIFY(INIT_PROTOCOL_VERSION);
        char **msgs = calloc(argc, sizeof(char *));
        size_t n_msgs = 0;
        int sv[2], opt, status, read_after_exit = 0;
        char *text, *start;
        pid_t init;

        while ((opt = getopt(argc, argv, "V:Ec:s:")) >= 0)
                switch (opt) {
                case 'V':
                        version = optarg;
                        break;
                case 'E':
                        read_after_exit = 1;
                        break;
                case 'c':
                        cmd = optarg;
                        break;
                case 's':
                        msgs[n_msgs++] = optarg;
                        break;
                default:
                        return 2;
                }
        if (argc - optind != 3) {
                fprintf(stderr, "usage: drive-init [-V VERSION] [-E] [-c CMD] [-s MSG]... INIT NAME FILE\n");
                return 2;
        }

        text = read_file(argv[optind + 2]);
        if (!text) {
                perror("read description");
                return 2;
        }
        /* One source, "NAME.service", as description_sources_serialize() writes it. */
        /* No invocation ID, as when the daemon could not learn it. */
        /* No extra fds: no re-adoption socket, no exit record, the init builds its own filter. */
        if (asprintf(&start, "START %s\n%s\n\nFDS\n%zu %zu\n%s.service\n%s\n", version, argv[optind + 1],
                     strlen(argv[optind + 1]) + strlen(".service"), strlen(text), argv[optind + 1], text) < 0)
                return 2;

        int seen_main = 0;

        alarm(30); /* a hung init fails the test instead of hanging it */

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                perror("socketpair");
                return 2;
        }

        init = (pid_t) syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                                                  CLONE_NEWNET | SIGCHLD, NULL, NULL, NULL, NULL);
        if (init < 0) {
                perror("clone");
                return 2;
        }
        if (init == 0) {
                if (dup2(sv[1], 3) < 0)
                        _exit(126);
                execl(argv[optind], "isolate-init", NULL);
                perror("exec isolate-init");
                _exit(126);
        }
        close(sv[1]);
        printf("INIT_PID %d\n", (int) init);
        fflush(stdout);

        if (send(sv[0], start, strlen(start), MSG_NOSIGNAL) < 0) {
                perror("send START");
                return 2;
        }
        /* No scope to wait for: GO at once, without an invocation ID. */
        if (send(sv[0], "GO\n", 3, MSG_NOSIGNAL) < 0) {
                perror("send GO");
                return 2;
        }
        if (read_after_exit) {
                siginfo_t si;

                while (waitid(P_PID, (id_t) init, &si, WEXITED | WNOWAIT) < 0)
                        if (errno != EINTR) {
                                perror("waitid");
                                return 2;
                        }
        }

        for (;;) {
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(int))];
                } control;
                char buf[4096];
                struct iovec iov = { buf, sizeof(buf) - 1 };
                struct msghdr mh = {
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = &control,
                        .msg_controllen = sizeof(control),
                };
                struct cmsghdr *c;
                int pidfd = -1;
                ssize_t n;

                n = recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC);
                if (n < 0) {
                        /* ECONNRESET: the init went with our GO unread (it refused START), and Linux
                         * says so once, before what it sent us and is still queued (its FAILED). */
                        if (errno == EINTR || errno == ECONNRESET)
                                continue;
                        perror("recvmsg");
                        break;
                }
                if (n == 0)
                        break;
                buf[n] = 0;
                for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                                memcpy(&pidfd, CMSG_DATA(c), sizeof(int));

                for (char *p = buf; *p; p++)
                        if (*p == '\n') {
                                fputs(" | ", stdout);
                        } else
                                fputc(*p, stdout);
                if (pidfd >= 0)
                        printf(" (pidfd host pid %d)", (int) pid_of_pidfd(pidfd));
                fputc('\n', stdout);
                fflush(stdout);

                /* The first MAIN: the start completed. Later ones report changes (stopping, restarts). */
                if (strncmp(buf, "MAIN ", 5) == 0 && !seen_main++) {
                        char env[64];

                        snprintf(env, sizeof(env), "%d", (int) init);
                        setenv("INIT_PID", env, 1);
                        snprintf(env, sizeof(env), "%d", (int) pid_of_pidfd(pidfd));
                        setenv("MAIN_PID", env, 1);
                        if (cmd && system(cmd) != 0)
                                printf("CMD_FAILED\n");
                        fflush(stdout);
                        for (size_t i = 0; i < n_msgs; i++)
                                if (send(sv[0], msgs[i], strlen(msgs[i]), MSG_NOSIGNAL) < 0)
                                        perror("send");
                }
                if (pidfd >= 0)
                        close(pidfd);
        }

        if (waitpid(init, &status, 0) < 0) {
                perror("waitpid");
                return 2;
        }
        if (WIFEXITED(status))
                printf("INIT_EXIT %d\n", WEXITSTATUS(status));
        else
                printf("INIT_SIGNAL %d\n", WTERMSIG(status));
        return 0;
}
