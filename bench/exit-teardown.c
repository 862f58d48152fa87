/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/exit-teardown.c: what a PID namespace's init pays at its exit for the mounts of its mount
 * namespace, and what holding that namespace elsewhere saves (the daemon does, see spawn.h).
 *   cc -O2 -o /tmp/exit-teardown bench/exit-teardown.c && /tmp/exit-teardown MOUNTS HOLD [RUNS]
 * As root. Each run: a child unshares a mount and PID namespace, its child (the namespace's init)
 * mounts MOUNTS tmpfs under a scratch directory and exits; the time from just before its exit to
 * the parent's waitpid() is what the kernel spends before it reports the exit. HOLD=1: the
 * parent holds /proc/INIT/ns/mnt open meanwhile and closes it after (that close is timed too). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
        int n = argc > 1 ? atoi(argv[1]) : 30, hold = argc > 2 ? atoi(argv[2]) : 0, runs = argc > 3 ? atoi(argv[3]) : 20;
        char dir[] = "/tmp/exit-teardown.XXXXXX";
        double reaped = 0, closed = 0;

        if (!mkdtemp(dir))
                return perror("mkdtemp"), 1;
        for (int r = 0; r < runs; r++) {
                int go[2], stamp[2], nsfd = -1, st;
                double t0, t1;
                pid_t pid;

                if (pipe(go) < 0 || pipe(stamp) < 0)
                        return perror("pipe"), 1;
                pid = fork();
                if (pid == 0) {
                        if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0)
                                _exit(90);
                        pid_t init = fork();
                        if (init > 0) {
                                dprintf(stamp[1], "%d\n", init);
                                waitpid(init, &st, 0);
                                _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 91);
                        }
                        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                                _exit(92);
                        for (int i = 0; i < n; i++) {
                                char d[128];

                                snprintf(d, sizeof(d), "%s/m%d", dir, i);
                                if ((mkdir(d, 0755) < 0 && access(d, F_OK) < 0) || mount("t", d, "tmpfs", 0, NULL) < 0)
                                        _exit(93);
                        }
                        char b;
                        if (read(go[0], &b, 1) != 1)
                                _exit(94);
                        double t = now_ms();
                        if (write(stamp[1], &t, sizeof(t)) != sizeof(t))
                                _exit(95);
                        _exit(0);
                }
                int init = 0;
                FILE *f = fdopen(dup(stamp[0]), "r");
                if (!f || fscanf(f, "%d", &init) != 1)
                        return fprintf(stderr, "no init PID\n"), 1;
                fclose(f);
                usleep(20000); /* its mounts made */
                if (hold) {
                        char p[64];

                        snprintf(p, sizeof(p), "/proc/%d/ns/mnt", init);
                        nsfd = open(p, O_RDONLY | O_CLOEXEC);
                }
                if (write(go[1], "x", 1) != 1)
                        return 1;
                waitpid(pid, &st, 0);
                t1 = now_ms();
                if (read(stamp[0], &t0, sizeof(t0)) != sizeof(t0))
                        return fprintf(stderr, "run %d: the init failed (%d)\n", r, WEXITSTATUS(st)), 1;
                reaped += t1 - t0;
                if (nsfd >= 0) {
                        double a = now_ms();

                        close(nsfd);
                        closed += now_ms() - a;
                }
                close(go[0]), close(go[1]), close(stamp[0]), close(stamp[1]);
        }
        for (int i = 0; i < n; i++) {
                char d[128];

                snprintf(d, sizeof(d), "%s/m%d", dir, i);
                rmdir(d);
        }
        rmdir(dir);
        printf("mounts %d, hold %d: exit -> reaped %.3f ms, close of the held namespace %.3f ms (means of %d)\n", n,
               hold, reaped / runs, closed / runs, runs);
        return 0;
}
