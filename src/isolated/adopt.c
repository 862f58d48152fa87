/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "description-loader.h"
#include "fault.h"
#include "listen-sockets.h"
#include "log.h"
#include "manager.h"
#include "network.h"
#include "scope.h"
#include "state-file.h"
#include "strv.h"

/* Is pid an isolate-init inside unit's cgroup? PIDs are reused; the scope's
 * cgroup and the name tell the init we started from a stranger. */
static bool pid_is_init_of(pid_t pid, const char *unit) {
        char path[64], comm[32] = {}, line[512];
        bool in_scope = false;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/comm", pid);
        f = fopen(path, "re");
        if (!f)
                return false;
        if (!fgets(comm, sizeof(comm), f))
                comm[0] = 0;
        fclose(f);
        if (strcmp(comm, "isolate-init\n") != 0)
                return false;

        snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
        f = fopen(path, "re");
        if (!f)
                return false;
        while (!in_scope && fgets(line, sizeof(line), f)) {
                const char *base = strrchr(line, '/');
                in_scope = base && strncmp(base + 1, unit, strlen(unit)) == 0 && base[1 + strlen(unit)] == '\n';
        }
        fclose(f);
        return in_scope;
}

static int connect_init(Manager *m, const char *name) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;

        if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", m->state_dir, name) >= (int) sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return negative_errno();
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return negative_errno();
        return TAKE_FD(fd);
}

/* A record for a service the daemon cannot take over or that ended while it
 * was away: visible, with what is known, never silently dropped. */
static int add_ended(Manager *m, const char *name, DescriptionSources *sources, int code, int status,
                     InitEndResult result, const char *why) {
        _cleanup_(description_freep) Description *d = NULL;
        Service *s = NULL;
        int r;

        if (sources)
                (void) description_parse_sources(name, sources, &d, NULL, NULL);
        r = service_new(m, name, sources, TAKE_PTR(d), &s);
        if (r < 0)
                return r;
        s->init_end_result = result; /* the init's RESULT= of its exit record */
        service_set_ended(s, code, status, why);
        /* Its init held the listening sockets: their files are stale now. */
        if (s->description)
                listen_sockets_remove_files(s->description);
        r = manager_add_service(m, s);
        if (r < 0) {
                service_free(s);
                return r;
        }
        return 0;
}

/* How long a restarted daemon waits for a killed init (and with it its PID namespace) to be gone. */
#define KILL_WAIT_MS 5000

/* Kills the init of pid if it is the isolate-init of unit, and waits (bounded) for it to be gone:
 * when the init of a PID namespace has exited, every process of it has. So its ID range may go to
 * another service at once. */
static void kill_init_of(pid_t pid, const char *unit) {
        _cleanup_close_ int pidfd = -EBADF;
        struct pollfd p;

        if (pid <= 1)
                return;
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0 || !pid_is_init_of(pid, unit))
                return; /* gone already; or a held child, which ends when our socket closed */
        if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0)
                return;
        p = (struct pollfd) { .fd = pidfd, .events = POLLIN };
        if (poll(&p, 1, KILL_WAIT_MS) <= 0)
                log_warning("%s: its init (PID %d) did not end within %d ms of SIGKILL.", unit, pid, KILL_WAIT_MS);
}

/* A service found running that cannot be taken over: its start was cut (the record says starting),
 * its state is gone or corrupt, its init is gone or does not answer. Nothing of it may run on
 * unmanaged: its init is killed, its scope stopped, its files and its veth removed; the record
 * stays, failed (Result= from the exit the init recorded, else signal), with why. */
static int end_unmanageable(Manager *m, const char *name, const char *unit, const StateRecord *record,
                            DescriptionSources *sources, const char *why) {
        _cleanup_(description_sources_freep) DescriptionSources *owned = sources;
        int code = CLD_KILLED, status = SIGKILL, r;
        InitEndResult result = INIT_END_NONE;

        /* What the init recorded before we act: an end of the service's own. Read after the stop it
         * could be the init's report of our stop (a clean one), which raced this: a record that is
         * stopped here is failed. */
        (void) state_file_read_exit(m->state_dir, name, &code, &status, &result);
        if (record)
                kill_init_of(record->init_pid, unit);
        /* The rest of the scope (a held child, a process that left the PID namespace's reach). */
        r = sd_bus_call_method_async(m->systemd_bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                     "org.freedesktop.systemd1.Manager", "StopUnit", NULL, NULL, "ss", unit,
                                     "replace");
        if (r < 0)
                log_warning_errno(r, "%s: cannot ask systemd to stop %s: %m", name, unit);
        fault_point("adopt-cut-killed");
        r = add_ended(m, name, TAKE_PTR(owned), code, status, result, why);
        state_file_remove(m->state_dir, name);
        network_forget(name);
        fault_point("adopt-cut-removed");
        return r;
}

static int adopt_running(Manager *m, const char *name) {
        _cleanup_(description_sources_freep) DescriptionSources *sources = NULL;
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_free_ char *unit = NULL, *error = NULL, *why = NULL;
        _cleanup_close_ int pidfd = -EBADF, control_fd = -EBADF;
        StateRecord record = {};
        bool have_record = false;
        Service *s = NULL;
        int r;

        unit = scope_unit_name(name);
        if (!unit)
                return -ENOMEM;
        r = state_file_read(m->state_dir, name, &record, &sources);
        if (r < 0) {
                if (asprintf(&why, "%s runs, but its state in %s is %s; stopping it", unit, m->state_dir,
                             r == -ENOENT ? "gone" : "corrupt") < 0)
                        return -ENOMEM;
                log_error("%s: %s.", name, why);
                goto lost;
        }
        have_record = true;
        fault_point("adopt-state-read");
        if (record.starting) {
                /* The caller of the start never had its answer: the start did not happen. */
                if (asprintf(&why, "its start was cut: isolated ended while %s started; stopping it", unit) < 0)
                        return -ENOMEM;
                log_error("%s: %s.", name, why);
                goto lost;
        }
        r = description_parse_sources(name, sources, &d, NULL, &error);
        if (r < 0) {
                if (asprintf(&why, "%s runs, but its saved description no longer parses (%s); stopping it", unit,
                             error ?: "?") < 0)
                        return -ENOMEM;
                log_error("%s: %s.", name, why);
                goto lost;
        }
        pidfd = (int) syscall(SYS_pidfd_open, record.init_pid, 0);
        if (pidfd < 0 || !pid_is_init_of(record.init_pid, unit)) {
                if (asprintf(&why, "%s runs, but its init (PID %d) is gone; stopping it", unit, record.init_pid) < 0)
                        return -ENOMEM;
                log_error("%s: %s.", name, why);
                goto lost;
        }
        control_fd = connect_init(m, name);
        if (control_fd < 0) {
                if (asprintf(&why, "%s runs, but its init does not answer on %s/%s.sock (%s); stopping it", unit,
                             m->state_dir, name, strerror(-control_fd)) < 0)
                        return -ENOMEM;
                log_error("%s: %s.", name, why);
                goto lost;
        }
        fault_point("adopt-init-connected");

        r = service_new(m, name, TAKE_PTR(sources), TAKE_PTR(d), &s);
        if (r < 0)
                return r;
        /* Its user namespace's range stays its own. */
        if (record.uid_base != UID_RANGE_NONE && uid_range_pool_claim(&m->uid_ranges, record.uid_base) >= 0)
                s->uid_base = record.uid_base;
        fault_point("adopt-ids-claimed");
        /* The init speaks first: MAIN with a pidfd of the main process, or EXITED. */
        r = service_adopt(s, record.init_pid, TAKE_FD(pidfd), TAKE_FD(control_fd), record.start_timestamp);
        /* Until the init's MAIN arrives (with a pidfd), what was recorded: no caller sees a 0. */
        s->main_pid = record.main_pid;
        if (r >= 0)
                r = manager_add_service(m, s);
        if (r < 0) {
                service_free(s);
                return r;
        }
        fault_point("adopt-added");
        network_adopt(&s->network, s->name, s->description, s->init_pid, m->event); /* its published ports again */
        fault_point("adopt-network");
        return 0;

lost:
        return end_unmanageable(m, name, unit, have_record ? &record : NULL, TAKE_PTR(sources), why);
}

static int list_running_scopes(Manager *m, char ***ret_names) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **names = NULL;
        const char *unit, *active;
        int r;

        names = calloc(1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        r = sd_bus_call_method(m->systemd_bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "ListUnitsByPatterns", &error, &reply, "asas", 0,
                               1, "isolated-*.scope");
        if (r < 0)
                return log_error_errno(r, "Failed to list the scopes: %s", error.message ?: strerror(-r));
        r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(ssssssouso)", &unit, NULL, NULL, &active, NULL, NULL, NULL, NULL,
                                        NULL, NULL)) > 0) {
                _cleanup_free_ char *name = NULL;

                if (strcmp(active, "active") != 0 && strcmp(active, "activating") != 0 &&
                    strcmp(active, "deactivating") != 0)
                        continue;
                r = service_name_from_scope(unit, &name);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue;
                r = strv_consume(&names, TAKE_PTR(name));
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        *ret_names = TAKE_PTR(names);
        return 0;
}

int manager_adopt_services(Manager *m) {
        _cleanup_strv_free_ char **running = NULL, **recorded = NULL;
        int r;

        r = list_running_scopes(m, &running);
        if (r < 0)
                return r;
        fault_point("adopt-listed");
        for (char **n = running; *n; n++) {
                r = adopt_running(m, *n);
                if (r < 0)
                        return log_error_errno(r, "Failed to take over %s: %m", *n);
        }

        /* What is recorded but not running ended while we were away. */
        r = state_dir_list(m->state_dir, &recorded);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s: %m", m->state_dir);
        for (char **n = recorded; *n; n++) {
                _cleanup_(description_sources_freep) DescriptionSources *sources = NULL;
                StateRecord record;
                int code, status;

                if (strv_contains(running, *n))
                        continue;
                (void) state_file_read(m->state_dir, *n, &record, &sources);
                InitEndResult result = INIT_END_NONE;

                if (state_file_read_exit(m->state_dir, *n, &code, &status, &result) >= 0)
                        r = add_ended(m, *n, TAKE_PTR(sources), code, status, result,
                                      "ended while isolated was not running");
                else
                        r = add_ended(m, *n, TAKE_PTR(sources), CLD_KILLED, SIGKILL, INIT_END_NONE,
                                      "ended while isolated was not running; its init recorded no exit status");
                if (r < 0)
                        return log_error_errno(r, "Failed to record %s: %m", *n);
                fault_point("adopt-ended-recorded");
                state_file_remove(m->state_dir, *n);
                network_forget(*n); /* its veth pair went with its namespace; make sure */
                fault_point("adopt-ended-removed");
                log_notice("%s: ended while isolated was not running.", *n);
        }
        if (m->n_services > 0)
                log_info("Took over %zu service(s) after a restart.", m->n_services);
        return 0;
}
