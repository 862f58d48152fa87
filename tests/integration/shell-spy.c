/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A hostile process of a service, for test-shell.sh: it watches its PID
 * namespace for a child of the init that has not exec'd yet (its comm is
 * still the init's), stops it with SIGSTOP and tries to read its environment
 * and to open its memory, as an attacker would to get at what the init
 * handed it. One line per catch: "CAUGHT PID environ=OK|DENIED mem=OK|DENIED",
 * appended to the file given as argv[1]. Writes its PID to argv[2] and runs
 * until killed, or argv[3] seconds at most. With argv[4] "hold", it leaves
 * the first child it caught stopped, and exits. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int read_small(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -1;
        n = read(fd, buf, size - 1);
        close(fd);
        if (n < 0)
                return -1;
        buf[n] = 0;
        return (int) n;
}

static bool wait_stopped(pid_t pid) {
        for (int i = 0; i < 10000; i++) {
                char path[64], stat[512], *p;

                snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
                if (read_small(path, stat, sizeof(stat)) <= 0)
                        return false;
                p = strrchr(stat, ')');
                if (p && p[1] == ' ' && (p[2] == 'T' || p[2] == 't'))
                        return true;
                usleep(10);
        }
        return false;
}

int main(int argc, char *argv[]) {
        pid_t self = getpid();
        time_t end;
        FILE *f;

        bool hold;

        if (argc != 4 && argc != 5)
                return 2;
        hold = argc == 5 && strcmp(argv[4], "hold") == 0;
        end = time(NULL) + atoi(argv[3]);
        f = fopen(argv[2], "we");
        if (!f)
                return 1;
        fprintf(f, "%d\n", (int) self);
        fclose(f);
        while (time(NULL) < end) {
                DIR *d = opendir("/proc");
                struct dirent *de;

                if (!d)
                        return 1;
                while ((de = readdir(d))) {
                        char path[64], comm[64], env[4096];
                        pid_t pid = (pid_t) atoi(de->d_name);
                        int env_ok, mem_fd;
                        FILE *out;

                        if (pid <= 1 || pid == self)
                                continue;
                        snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
                        if (read_small(path, comm, sizeof(comm)) <= 0 || strcmp(comm, "isolate-init\n") != 0)
                                continue;
                        /* A child of the init before its exec. */
                        if (kill(pid, SIGSTOP) < 0)
                                continue;
                        /* Stopped only once it returns to user space: an exec under way completes first. */
                        if (!wait_stopped(pid)) {
                                kill(pid, SIGCONT);
                                continue;
                        }
                        snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
                        if (read_small(path, comm, sizeof(comm)) <= 0 || strcmp(comm, "isolate-init\n") != 0) {
                                kill(pid, SIGCONT); /* exec'd meanwhile: not a catch */
                                continue;
                        }
                        if (hold) {
                                out = fopen(argv[1], "ae");
                                if (out) {
                                        fprintf(out, "HELD %d\n", (int) pid);
                                        fclose(out);
                                }
                                return 0;
                        }
                        snprintf(path, sizeof(path), "/proc/%d/environ", (int) pid);
                        env_ok = read_small(path, env, sizeof(env)) > 0;
                        snprintf(path, sizeof(path), "/proc/%d/mem", (int) pid);
                        mem_fd = open(path, O_RDONLY | O_CLOEXEC);
                        kill(pid, SIGCONT);
                        out = fopen(argv[1], "ae");
                        if (out) {
                                fprintf(out, "CAUGHT %d environ=%s mem=%s\n", (int) pid, env_ok ? "OK" : "DENIED",
                                        mem_fd >= 0 ? "OK" : "DENIED");
                                fclose(out);
                        }
                        if (mem_fd >= 0)
                                close(mem_fd);
                }
                closedir(d);
        }
        return 0;
}
