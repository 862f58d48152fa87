/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-client: the timing probes of bench/run.sh. Every mode prints one
 * duration per run in nanoseconds of CLOCK_MONOTONIC (the modes over many
 * services print "NS FAILURES"), so that the daemon's calls and the commands
 * it is compared with are timed by the same clock, around the same kind of
 * boundary, with no shell in between.
 *
 *   bench-client lifecycle NAME FILE     StartService → State exited/failed
 *   bench-client start NAME FILE         StartService → reply (main exec'd)
 *   bench-client stop NAME               StopService → reply (scope gone)
 *   bench-client reset NAME              ResetFailedService, untimed
 *   bench-client many-start N PREFIX FILE  N async StartService on one connection
 *   bench-client many-stop N PREFIX      N async StopService on one connection
 *   bench-client exec -- CMD...          fork → exec → exit of CMD
 *   bench-client parallel N [--until-exec PATH] -- CMD...
 *                                        N concurrent CMDs ("%d" in an argument
 *                                        becomes the index), to their exits or,
 *                                        with --until-exec, until each one has
 *                                        executed PATH
 *   bench-client rss PID                 "VmHWM VmRSS RssAnon RssFile Pss" in KiB
 *
 * The service is reset (ResetFailedService) after lifecycle and stop,
 * outside the timed part. Build: cc -O2 bench-client.c $(pkg-config --cflags --libs libsystemd)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#define BUS_NAME "org.isolated1"
#define MANAGER_PATH "/org/isolated1"
#define MANAGER_INTERFACE "org.isolated1.Manager"
#define SERVICE_INTERFACE "org.isolated1.Service"
#define SERVICE_PATH_PREFIX "/org/isolated1/service"
#define WAIT_USEC (60ULL * 1000000ULL)

static uint64_t now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static int read_file(const char *path, char **ret) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t n = 0;

        if (!f)
                return -errno;
        if (getdelim(&buf, &n, '\0', f) < 0) {
                int r = feof(f) ? 0 : -errno;
                fclose(f);
                if (r < 0) {
                        free(buf);
                        return r;
                }
                if (!buf)
                        buf = strdup("");
        } else
                fclose(f);
        if (!buf)
                return -ENOMEM;
        *ret = buf;
        return 0;
}

static int bus_open(sd_bus **ret) {
        int r = sd_bus_open_system(ret);
        if (r < 0)
                fprintf(stderr, "bench-client: cannot connect to the system bus: %s\n", strerror(-r));
        return r;
}

static int call_simple(sd_bus *bus, const char *method, const char *name) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, MANAGER_PATH, MANAGER_INTERFACE, method, &error, NULL, "s", name);
        if (r < 0)
                fprintf(stderr, "bench-client: %s(%s): %s\n", method, name, error.message ?: strerror(-r));
        sd_bus_error_free(&error);
        return r;
}

typedef struct StateWatch {
        bool ended;
        char state[32];
} StateWatch;

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        StateWatch *w = userdata;
        const char *iface, *key, *value;
        int r;

        r = sd_bus_message_read(m, "s", &iface);
        if (r < 0 || strcmp(iface, SERVICE_INTERFACE) != 0)
                return 0;
        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return 0;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                if (sd_bus_message_read(m, "s", &key) < 0)
                        return 0;
                if (strcmp(key, "State") == 0) {
                        if (sd_bus_message_read(m, "v", "s", &value) < 0)
                                return 0;
                        snprintf(w->state, sizeof w->state, "%s", value);
                        if (strcmp(value, "exited") == 0 || strcmp(value, "failed") == 0)
                                w->ended = true;
                } else if (sd_bus_message_skip(m, "v") < 0)
                        return 0;
                if (sd_bus_message_exit_container(m) < 0)
                        return 0;
        }
        return 0;
}

static int lifecycle(const char *name, const char *file) {
        sd_bus *bus = NULL;
        sd_bus_slot *slot = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        StateWatch w = {};
        char *text = NULL, *path = NULL, *match = NULL;
        uint64_t t0, t1, deadline;
        int r, ret = 1;

        r = read_file(file, &text);
        if (r < 0) {
                fprintf(stderr, "bench-client: %s: %s\n", file, strerror(-r));
                return 1;
        }
        if (bus_open(&bus) < 0)
                goto finish;
        r = sd_bus_path_encode(SERVICE_PATH_PREFIX, name, &path);
        if (r < 0)
                goto finish;
        if (asprintf(&match, "type='signal',sender='" BUS_NAME "',path='%s',"
                     "interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
                     "arg0='" SERVICE_INTERFACE "'", path) < 0)
                goto finish;
        /* Synchronous: the match is in place at the broker before the call. */
        r = sd_bus_add_match(bus, &slot, match, on_properties_changed, &w);
        if (r < 0) {
                fprintf(stderr, "bench-client: add match: %s\n", strerror(-r));
                goto finish;
        }

        t0 = now_ns();
        r = sd_bus_call_method(bus, BUS_NAME, MANAGER_PATH, MANAGER_INTERFACE, "StartService",
                               &error, &reply, "ss", name, text);
        if (r < 0) {
                fprintf(stderr, "bench-client: StartService(%s): %s\n", name, error.message ?: strerror(-r));
                goto finish;
        }
        deadline = t0 + WAIT_USEC * 1000ULL;
        while (!w.ended) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        goto finish;
                if (r > 0)
                        continue;
                if (now_ns() > deadline) {
                        fprintf(stderr, "bench-client: %s did not end (state %s)\n", name, w.state);
                        goto finish;
                }
                r = sd_bus_wait(bus, 1000000);
                if (r < 0 && r != -EINTR)
                        goto finish;
        }
        t1 = now_ns();
        printf("%" PRIu64 "\n", t1 - t0);
        ret = strcmp(w.state, "exited") == 0 ? 0 : 1;
        if (ret) {
                char *result = NULL, *code = NULL;
                int status = 0;
                (void) sd_bus_get_property_string(bus, BUS_NAME, path, SERVICE_INTERFACE, "Result", NULL, &result);
                (void) sd_bus_get_property_string(bus, BUS_NAME, path, SERVICE_INTERFACE, "ExitCode", NULL, &code);
                (void) sd_bus_get_property_trivial(bus, BUS_NAME, path, SERVICE_INTERFACE, "ExitStatus", NULL, 'i', &status);
                fprintf(stderr, "bench-client: %s ended %s (Result=%s ExitCode=%s ExitStatus=%d)\n",
                        name, w.state, result ?: "?", code ?: "?", status);
                free(result);
                free(code);
        }
        (void) call_simple(bus, "ResetFailedService", name);
finish:
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        sd_bus_slot_unref(slot);
        sd_bus_flush_close_unref(bus);
        free(match);
        free(path);
        free(text);
        return ret;
}

static int start(const char *name, const char *file) {
        sd_bus *bus = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        char *text = NULL;
        uint64_t t0, t1;
        int r, ret = 1;

        r = read_file(file, &text);
        if (r < 0) {
                fprintf(stderr, "bench-client: %s: %s\n", file, strerror(-r));
                return 1;
        }
        if (bus_open(&bus) < 0)
                goto finish;
        t0 = now_ns();
        r = sd_bus_call_method(bus, BUS_NAME, MANAGER_PATH, MANAGER_INTERFACE, "StartService",
                               &error, NULL, "ss", name, text);
        t1 = now_ns();
        if (r < 0) {
                fprintf(stderr, "bench-client: StartService(%s): %s\n", name, error.message ?: strerror(-r));
                goto finish;
        }
        printf("%" PRIu64 "\n", t1 - t0);
        ret = 0;
finish:
        sd_bus_error_free(&error);
        sd_bus_flush_close_unref(bus);
        free(text);
        return ret;
}

static int stop(const char *name, bool timed) {
        sd_bus *bus = NULL;
        uint64_t t0, t1;
        int r, ret = 1;

        if (bus_open(&bus) < 0)
                return 1;
        t0 = now_ns();
        r = timed ? call_simple(bus, "StopService", name) : 0;
        t1 = now_ns();
        if (r >= 0) {
                if (timed)
                        printf("%" PRIu64 "\n", t1 - t0);
                ret = 0;
        }
        if (call_simple(bus, "ResetFailedService", name) < 0 && !timed)
                ret = 1;
        sd_bus_flush_close_unref(bus);
        return ret;
}

typedef struct Many {
        unsigned pending;
        unsigned failures;
        bool quiet; /* ResetFailedService after a stop: a record already gone is no news */
} Many;

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Many *many = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        if (e) {
                many->failures++;
                if (many->failures <= 3 && !many->quiet)
                        fprintf(stderr, "bench-client: %s: %s\n", e->name, e->message ?: "");
        }
        many->pending--;
        return 0;
}

/* Sends METHOD(PREFIX-i[, text]) for i < n on one connection, all at once (at most
 * $BENCH_WINDOW in flight, default 100: dbus-daemon allows a connection 128 pending
 * replies), and waits for every reply. */
static int many_calls(sd_bus *bus, const char *method, unsigned n, const char *prefix, const char *text,
                      uint64_t *ret_ns, unsigned *ret_failures) {
        sd_bus_slot **slots = calloc(n, sizeof *slots);
        Many many = { .quiet = strcmp(method, "ResetFailedService") == 0 };
        uint64_t t0;
        int r = 0;

        if (!slots)
                return -ENOMEM;
        const char *w = getenv("BENCH_WINDOW");
        unsigned window = w && atoi(w) > 0 ? (unsigned) atoi(w) : 100;

        t0 = now_ns();
        for (unsigned i = 0; i < n; i++) {
                char name[128];

                while (many.pending >= window) {
                        r = sd_bus_process(bus, NULL);
                        if (r < 0)
                                break;
                        if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
                                break;
                }

                snprintf(name, sizeof name, "%s-%u", prefix, i);
                if (text)
                        r = sd_bus_call_method_async(bus, &slots[i], BUS_NAME, MANAGER_PATH, MANAGER_INTERFACE,
                                                     method, on_reply, &many, "ss", name, text);
                else
                        r = sd_bus_call_method_async(bus, &slots[i], BUS_NAME, MANAGER_PATH, MANAGER_INTERFACE,
                                                     method, on_reply, &many, "s", name);
                if (r < 0) {
                        many.failures++;
                        continue;
                }
                many.pending++;
        }
        while (many.pending > 0) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        break;
        }
        *ret_ns = now_ns() - t0;
        *ret_failures = many.failures + many.pending;
        for (unsigned i = 0; i < n; i++)
                sd_bus_slot_unref(slots[i]);
        free(slots);
        return r < 0 ? r : 0;
}

static int many(bool starting, unsigned n, const char *prefix, const char *file) {
        sd_bus *bus = NULL;
        char *text = NULL;
        uint64_t ns, ignored_ns;
        unsigned failures, ignored;
        int r;

        if (starting) {
                r = read_file(file, &text);
                if (r < 0) {
                        fprintf(stderr, "bench-client: %s: %s\n", file, strerror(-r));
                        return 1;
                }
        }
        if (bus_open(&bus) < 0) {
                free(text);
                return 1;
        }
        r = many_calls(bus, starting ? "StartService" : "StopService", n, prefix, text, &ns, &failures);
        if (r >= 0)
                printf("%" PRIu64 " %u\n", ns, failures);
        if (!starting)
                (void) many_calls(bus, "ResetFailedService", n, prefix, NULL, &ignored_ns, &ignored);
        sd_bus_flush_close_unref(bus);
        free(text);
        return r < 0;
}

static pid_t spawn(char **argv) {
        pid_t pid = fork();

        if (pid == 0) {
                /* Our stdout carries the samples: the command gets /dev/null, or
                 * whatever it leaves running would hold the reader's pipe open. */
                int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (fd >= 0) {
                        (void) dup2(fd, STDIN_FILENO);
                        (void) dup2(fd, STDOUT_FILENO);
                }
                execvp(argv[0], argv);
                _exit(127);
        }
        return pid;
}

static int exec_one(char **argv) {
        uint64_t t0, t1;
        int status;
        pid_t pid;

        t0 = now_ns();
        pid = spawn(argv);
        if (pid < 0)
                return 1;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return 1;
        t1 = now_ns();
        printf("%" PRIu64 "\n", t1 - t0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "bench-client: %s failed (status 0x%x)\n", argv[0], (unsigned) status);
                return 1;
        }
        return 0;
}

static bool executed(pid_t pid, const char *path) {
        char proc[64], exe[PATH_MAX];
        ssize_t l;

        snprintf(proc, sizeof proc, "/proc/%d/exe", (int) pid);
        l = readlink(proc, exe, sizeof exe - 1);
        if (l < 0)
                return false;
        exe[l] = 0;
        return strcmp(exe, path) == 0;
}

static int parallel(unsigned n, const char *until_exec, char **argv) {
        pid_t *pids = calloc(n, sizeof *pids);
        bool *done = calloc(n, sizeof *done);
        unsigned argc = 0, left = n, failures = 0;
        uint64_t t0;

        if (!pids || !done)
                return 1;
        while (argv[argc])
                argc++;

        t0 = now_ns();
        for (unsigned i = 0; i < n; i++) {
                char *args[argc + 1];
                char index[16];

                snprintf(index, sizeof index, "%u", i);
                for (unsigned a = 0; a < argc; a++) {
                        const char *p = strstr(argv[a], "%d");
                        if (p) {
                                if (asprintf(&args[a], "%.*s%s%s", (int) (p - argv[a]), argv[a], index, p + 2) < 0)
                                        return 1;
                        } else
                                args[a] = argv[a];
                }
                args[argc] = NULL;
                pids[i] = spawn(args);
                for (unsigned a = 0; a < argc; a++)
                        if (args[a] != argv[a])
                                free(args[a]);
                if (pids[i] < 0) {
                        failures++;
                        done[i] = true;
                        left--;
                }
        }
        while (left > 0) {
                if (!until_exec) {
                        int status;
                        pid_t pid = waitpid(-1, &status, 0);
                        if (pid < 0) {
                                if (errno == EINTR)
                                        continue;
                                break;
                        }
                        for (unsigned i = 0; i < n; i++)
                                if (pids[i] == pid && !done[i]) {
                                        done[i] = true;
                                        left--;
                                        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                                                failures++;
                                }
                        continue;
                }
                for (unsigned i = 0; i < n; i++) {
                        int status;
                        if (done[i])
                                continue;
                        if (executed(pids[i], until_exec)) {
                                done[i] = true;
                                left--;
                        } else if (waitpid(pids[i], &status, WNOHANG) == pids[i]) {
                                done[i] = true;
                                left--;
                                failures++;
                        }
                }
                if (left > 0) {
                        struct timespec ts = { 0, 500000 };
                        nanosleep(&ts, NULL);
                }
        }
        printf("%" PRIu64 " %u\n", now_ns() - t0, failures + left);
        free(pids);
        free(done);
        return 0;
}

static long status_field(const char *path, const char *field) {
        char line[256];
        size_t l = strlen(field);
        long v = -1;
        FILE *f = fopen(path, "re");

        if (!f)
                return -1;
        while (fgets(line, sizeof line, f))
                if (strncmp(line, field, l) == 0 && line[l] == ':') {
                        v = strtol(line + l + 1, NULL, 10);
                        break;
                }
        fclose(f);
        return v;
}

/* "VmHWM VmRSS RssAnon RssFile Pss" in KiB: the peak, the resident set, its
 * anonymous and file-backed parts, and the proportional share (shared library
 * pages divided among their users). */
static int rss(const char *pid) {
        char status[64], rollup[64];

        snprintf(status, sizeof status, "/proc/%s/status", pid);
        snprintf(rollup, sizeof rollup, "/proc/%s/smaps_rollup", pid);
        if (access(status, R_OK) < 0) {
                fprintf(stderr, "bench-client: %s: %s\n", status, strerror(errno));
                return 1;
        }
        printf("%ld %ld %ld %ld %ld\n", status_field(status, "VmHWM"), status_field(status, "VmRSS"),
               status_field(status, "RssAnon"), status_field(status, "RssFile"), status_field(rollup, "Pss"));
        return 0;
}

static int usage(void) {
        fprintf(stderr, "usage: bench-client lifecycle NAME FILE | start NAME FILE | stop NAME | reset NAME |\n"
                        "       many-start N PREFIX FILE | many-stop N PREFIX | exec -- CMD... |\n"
                        "       parallel N [--until-exec PATH] -- CMD... | rss PID\n");
        return 2;
}

int main(int argc, char *argv[]) {
        const char *mode = argc > 1 ? argv[1] : "";

        setvbuf(stdout, NULL, _IOLBF, 0);
        if (strcmp(mode, "lifecycle") == 0 && argc == 4)
                return lifecycle(argv[2], argv[3]);
        if (strcmp(mode, "start") == 0 && argc == 4)
                return start(argv[2], argv[3]);
        if (strcmp(mode, "stop") == 0 && argc == 3)
                return stop(argv[2], true);
        if (strcmp(mode, "reset") == 0 && argc == 3)
                return stop(argv[2], false);
        if (strcmp(mode, "many-start") == 0 && argc == 5)
                return many(true, (unsigned) atoi(argv[2]), argv[3], argv[4]);
        if (strcmp(mode, "many-stop") == 0 && argc == 4)
                return many(false, (unsigned) atoi(argv[2]), argv[3], NULL);
        if (strcmp(mode, "exec") == 0 && argc > 3 && strcmp(argv[2], "--") == 0)
                return exec_one(argv + 3);
        if (strcmp(mode, "parallel") == 0 && argc > 4) {
                const char *until = NULL;
                int i = 3;
                if (strcmp(argv[i], "--until-exec") == 0 && argc > i + 2) {
                        until = argv[i + 1];
                        i += 2;
                }
                if (strcmp(argv[i], "--") != 0 || !argv[i + 1])
                        return usage();
                return parallel((unsigned) atoi(argv[2]), until, argv + i + 1);
        }
        if (strcmp(mode, "rss") == 0 && argc == 3)
                return rss(argv[2]);
        return usage();
}
