/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>

#include "bus-error.h"
#include "bus-name.h"
#include "init-protocol.h"
#include "listen-sockets.h"
#include "log.h"
#include "manager.h"
#include "network.h"
#include "port-forward.h"
#include "scope.h"
#include "log-context.h"
#include "service.h"
#include "shell.h"
#include "socket-util.h"
#include "spawn.h"
#include "state-file.h"
#include "uid-range.h"
#include "env-file.h"
#include "exec-directory.h"
#include "fault.h"
#include "host-exec.h"
#include "host-mounts.h"
#include "learn.h"
#include "string-util.h"
#include "strv.h"
#include "tmpfiles-plan-cache.h"
#include "usage.h"

bool service_is_active(const Service *s) {
        return service_state_is_active(s->state);
}

/* The user namespace's range is free again once nothing of the service runs: the init is gone,
 * and with it every process of its PID namespace. */
static void service_release_ids(Service *s) {
        if (s->uid_base == UID_RANGE_NONE)
                return;
        uid_range_pool_release(&s->manager->uid_ranges, s->uid_base);
        s->uid_base = UID_RANGE_NONE;
}

Service *service_free(Service *s) {
        if (!s)
                return NULL;
        sd_event_source_disable_unref(s->control_source);
        sd_event_source_disable_unref(s->init_source);
        sd_event_source_disable_unref(s->start_timer);
        sd_event_source_disable_unref(s->stop_timer);
        sd_bus_message_unref(s->reload_call);
        shell_calls_free(s->shells);
        health_done(&s->health);
        usage_done(&s->usage);
        network_done(&s->network, s->description);
        sd_bus_slot_unref(s->job_call);
        sd_bus_slot_unref(s->invocation_watch);
        sd_bus_slot_unref(s->stop_call_slot);
        safe_close(s->control_fd);
        safe_close(s->userns_fd);
        safe_close(s->mntns_fd);
        service_release_ids(s);
        safe_close(s->init_pidfd);
        safe_close(s->main_pidfd);
        sd_bus_message_unref(s->start_call);
        sd_bus_message_unref(s->restart_call);
        free(s->oom_counter_path);
        sd_event_source_disable_unref(s->oom_restart_timer);
        sd_event_source_disable_unref(s->oom_watch);
        for (size_t i = 0; i < s->n_stop_calls; i++)
                sd_bus_message_unref(s->stop_calls[i]);
        free(s->stop_calls);
        service_learn_free(s->learn);
        host_exec_free(s->host_exec);
        bus_name_watch_free(s->bus_name);
        free(s->start_job);
        free(s->stop_job);
        free(s->status_text);
        free(s->start_error);
        description_free(s->description);
        description_sources_free(s->sources);
        free(s->unit);
        free(s->path);
        free(s->name);
        return mfree(s);
}

static void service_emit_changed(Service *s) {
        (void) sd_bus_emit_properties_changed(s->manager->bus, s->path, ISOLATED_SERVICE_INTERFACE, "State",
                                              "Result", "MainPID", "InitPID", "ExitCode", "ExitStatus",
                                              "StatusText", "NRestarts", NULL);
}

/* The one place that moves a service from one state to another: the move is checked against the
 * table of service-state.c, the timestamps are recorded, and the bus is told. */
void service_set_state(Service *s, ServiceState state) {
        ServiceState old = s->state;

        if (old == state)
                return;
        if (!service_state_transition_allowed(old, state)) {
                /* A programming error: keep the state the bus showed last. */
                log_error("%s: refusing the transition %s -> %s, which the lifecycle does not allow.", s->name,
                          service_state_to_string(old), service_state_to_string(state));
                return;
        }
        log_debug("%s: %s -> %s", s->name, service_state_to_string(old), service_state_to_string(state));
        s->state = state;
        /* CLOCK_REALTIME: the start completed (an adopted one's comes from its record), or the end. */
        if (old == SERVICE_STARTING &&
            (state == SERVICE_RUNNING || state == SERVICE_RELOADING || state == SERVICE_ACTIVE_EXITED) &&
            s->start_timestamp == 0)
                s->start_timestamp = now_usec(CLOCK_REALTIME);
        if (!service_state_is_active(state) && s->exit_timestamp == 0)
                s->exit_timestamp = now_usec(CLOCK_REALTIME);
        service_emit_changed(s);
}

void service_usage_refresh(Service *s) {
        /* Before the release the scope holds a held child only; after the end there is nothing to count. */
        if (service_is_active(s) && s->released)
                usage_refresh(&s->usage, s->manager->systemd_bus, s->unit);
}

bool service_init_exited(const Service *s) {
        /* Only the init's end (reaped, or found gone) ends a service. */
        return !service_is_active(s);
}

static void service_reply_start_error(Service *s, const char *error_name, const char *text) {
        if (!s->start_call)
                return;
        (void) sd_bus_reply_method_errorf(s->start_call, error_name, "Failed to start %s: %s", s->name, text);
        s->start_call = sd_bus_message_unref(s->start_call);
}

static void service_kill_init(Service *s) {
        if (s->init_pidfd >= 0 && !service_init_exited(s))
                (void) syscall(SYS_pidfd_send_signal, s->init_pidfd, SIGKILL, NULL, 0);
}

static void service_stop_scope(Service *s);

/* A start that cannot go on: the held child (or the init) is killed and the
 * scope stopped; the caller gets the error once both are gone, so that nothing
 * of the failed start is left when it returns. */
static void service_fail_start(Service *s, const char *error_name, const char *text) {
        log_error("%s: %s", s->name, text);
        if (!s->start_error) {
                s->start_error = strdup(text);
                s->start_error_name = error_name;
        }
        service_kill_init(s);
        service_stop_scope(s);
}

/* After an OOM kill under OOMPolicy=stop/kill systemd stopped the scope, the init with it: Restart=
 * is ours to apply then (as systemd's service_shall_restart() for oom-kill), as a new start of the
 * same files, after RestartSec=, within StartLimitBurst= of such restarts. */
static bool service_restart_after_oom(const Service *s) {
        if (s->stop_requested || s->restart_call || s->result != SERVICE_FAILURE_OOM_KILL || !s->description)
                return false;
        return s->description->restart == SERVICE_RESTART_ON_FAILURE ||
               s->description->restart == SERVICE_RESTART_ON_ABNORMAL ||
               s->description->restart == SERVICE_RESTART_ALWAYS;
}

static int on_oom_restart(sd_event_source *source, uint64_t usec, void *userdata) {
        Service *s = userdata, *n;
        Manager *m = s->manager;
        _cleanup_free_ char *name = strdup(s->name);
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        DescriptionSources *sources = NULL;
        unsigned n_restarts = s->n_restarts + 1, count = s->oom_restarts + 1;
        usec_t window = s->oom_restart_window;
        int r;

        s->oom_restart_timer = sd_event_source_disable_unref(s->oom_restart_timer);
        if (s->stop_requested)
                return 0; /* stopped (StopService) while waiting: stays ended */
        if (!name || description_sources_copy(s->sources, &sources) < 0)
                return log_oom();
        log_info("%s: restarting after the OOM kill (restart %u).", name, n_restarts);
        /* Frees s. */
        r = manager_start_sources(m, name, sources, NULL, &error);
        if (r < 0 || sd_bus_error_is_set(&error)) {
                log_error("%s: the restart after the OOM kill failed: %s", name,
                          sd_bus_error_is_set(&error) ? error.message : strerror(-r));
                return 0;
        }
        n = manager_get_service(m, name);
        if (n) {
                n->n_restarts_base = n->n_restarts = n_restarts;
                n->oom_restarts = count;
                n->oom_restart_window = window;
        }
        return 0;
}

static void service_schedule_oom_restart(Service *s) {
        const Description *d = s->description;
        usec_t now = now_usec(CLOCK_MONOTONIC);
        int r;

        if (s->oom_restart_timer || !service_restart_after_oom(s))
                return;
        if (d->start_limit_interval_usec > 0 && d->start_limit_burst > 0) {
                if (s->oom_restart_window == 0 || now - s->oom_restart_window > d->start_limit_interval_usec) {
                        s->oom_restart_window = now;
                        s->oom_restarts = 0;
                }
                if (s->oom_restarts >= d->start_limit_burst) {
                        log_warning("%s: restarted too often after OOM kills, not restarting (StartLimitBurst=%u).",
                                    s->name, d->start_limit_burst);
                        return;
                }
        }
        r = sd_event_add_time_relative(s->manager->event, &s->oom_restart_timer, CLOCK_MONOTONIC,
                                       d->restart_usec, 0, on_oom_restart, s);
        if (r < 0)
                log_error_errno(r, "%s: cannot schedule the restart after the OOM kill: %m", s->name);
}

/* Callers waiting for the end get their reply once the init is gone and the scope too. */
static void service_check_stopped(Service *s) {
        int r;

        if (!service_init_exited(s) || !s->scope_gone)
                return;
        service_learn_finish(s);
        /* Only now: until the scope is gone, a restarted daemon must find the record to finish the stop. */
        manager_forget_service_state(s->manager, s);
        log_context_remove(s->unit);
        if (s->stop_requested)
                fault_point("stop-state-removed");
        if (s->start_call && s->result == SERVICE_SKIP_CONDITION) {
                /* ExecCondition= skipped the start: no failure, as systemd's job is done. */
                (void) sd_bus_reply_method_return(s->start_call, "o", s->path);
                s->start_call = sd_bus_message_unref(s->start_call);
        }
        if (s->start_call) {
                char text[256];
                /* Type=dbus, HealthReady=yes: the start was ours to hold, the main process ended
                 * meanwhile (its end is what the init reported), as systemd's "Main process exited". */
                if (s->main_named && s->end_reported && !s->start_complete && s->result != SERVICE_FAILURE_PROTOCOL)
                        snprintf(text, sizeof(text), "Main process ended (%s, status %d) before the service started",
                                 exit_code_to_string(s->exit_code), s->exit_status);
                else
                        snprintf(text, sizeof(text), "isolate-init ended (%s, status %d) before the service started",
                                 exit_code_to_string(s->exit_code), s->exit_status);
                service_reply_start_error(s, s->start_error_name ?: BUS_ERROR_START_FAILED, s->start_error ?: text);
        }
        for (size_t i = 0; i < s->n_stop_calls; i++) {
                (void) sd_bus_reply_method_return(s->stop_calls[i], NULL);
                s->stop_calls[i] = sd_bus_message_unref(s->stop_calls[i]);
        }
        s->n_stop_calls = 0;
        if (s->restart_call) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = TAKE_PTR(s->restart_call);
                _cleanup_free_ char *name = strdup(s->name);
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                DescriptionSources *sources = NULL;

                fault_point("restart-stopped");
                if (!name || description_sources_copy(s->sources, &sources) < 0) {
                        (void) sd_bus_reply_method_errno(call, -ENOMEM, NULL);
                        return;
                }
                /* Frees s: a restart is a new start of the same files, not re-read. */
                r = manager_start_sources(s->manager, name, sources, call, &error);
                if (r < 0 || sd_bus_error_is_set(&error)) {
                        if (sd_bus_error_is_set(&error))
                                (void) sd_bus_reply_method_error(call, &error);
                        else
                                (void) sd_bus_reply_method_errno(call, r, NULL);
                }
                return;
        }
        service_schedule_oom_restart(s);
}

/* The host's mounts, idmapped to the service's user namespace: made here, attached by the init. */
static int send_mounts_message(Service *s) {
        _cleanup_(host_mounts_done) HostMounts mounts = {};
        _cleanup_free_ char *msg = NULL;
        _cleanup_free_ int *fds = NULL;
        size_t size = strlen("MOUNTS\n") + 1;
        int r;

        if (s->userns_fd < 0)
                return 0;
        r = host_mounts_clone(s->userns_fd, &mounts);
        if (r < 0)
                return r;
        for (size_t i = 0; i < mounts.n; i++)
                size += strlen(mounts.mounts[i].path) + 1;
        msg = malloc(size);
        fds = calloc(mounts.n + 1, sizeof(int));
        if (!msg || !fds)
                return -ENOMEM;
        strcpy(msg, "MOUNTS\n");
        for (size_t i = 0; i < mounts.n; i++) {
                strcat(msg, mounts.mounts[i].path);
                strcat(msg, "\n");
                fds[i] = mounts.mounts[i].fd;
        }
        r = send_with_fds(s->control_fd, msg, strlen(msg), fds, mounts.n);
        if (r < 0)
                return r;
        s->userns_fd = safe_close(s->userns_fd);
        return 0;
}

/* EnvironmentFile= kept beside the descriptions: the service never sees /etc/isolated (nor our /run),
 * so we read them, on the host, as systemd's manager reads its units' files. */
static int preload_environment_files(Service *s, int *ret_fd) {
        /* The first two of the search path: /usr/lib/isolated is visible inside anyway. */
        const char *const dirs[] = { description_search_path_default[0], description_search_path_default[1], NULL };
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t size = 0;
        int r;

        r = environment_files_preload(s->description->environment_files, dirs, s->manager->state_dir, &text, &size);
        if (r < 0 || size == 0)
                return r;
        fd = memfd_create("isolated-environment", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return negative_errno();
        if (write(fd, text, size) != (ssize_t) size)
                return errno > 0 ? -errno : -EIO;
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
                return negative_errno();
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* *ret_where: the directory at fault when it is one (the state directory), else left alone. */
static int send_start_message(Service *s, const char **ret_where) {
        _cleanup_free_ char *msg = NULL, *data = NULL;
        _cleanup_free_ int *fds = NULL;
        _cleanup_close_ int readopt_fd = -EBADF, exit_fd = -EBADF, env_fd = -EBADF, learn_fd = -EBADF;
        int filter_fd = -EBADF, tmpfiles_fd = -EBADF; /* the caches' */
        char roles[64] = "";
        size_t size, n_fds;
        int n, r;

        r = description_sources_serialize(s->sources, &data, &size);
        if (r < 0)
                return r;
        /* Where a restarted daemon finds the init, and where the init records the main process's end:
         * made by us, handed over as fds, so the init needs no fd of our state directory. */
        r = state_file_make_init_endpoints(s->manager->state_dir, s->name, &readopt_fd, &exit_fd);
        if (r < 0) {
                /* Without them a restarted daemon could not take the service over: no start. */
                *ret_where = s->manager->state_dir;
                return r;
        }
        learn_fd = service_learn_start_fd(s); /* learning: the init builds a filter that asks it */
        r = learn_fd >= 0 ? 0 : seccomp_cache_get(s->manager->seccomp_cache, &s->description->sandbox, &filter_fd);
        if (r < 0)
                log_warning_errno(r, "%s: cannot build the seccomp filter, the init will: %m", s->name);
        r = preload_environment_files(s, &env_fd);
        if (r >= 0)
                r = tmpfiles_plan_cache_get(s->description, &tmpfiles_fd);
        if (r < 0)
                return r;

        /* The sockets, then the extra fds in the order the roles line names them. */
        fds = malloc((s->network.n_listen_fds + _START_FD_ROLE_MAX) * sizeof(int));
        if (!fds)
                return -ENOMEM;
        if (s->network.n_listen_fds > 0)
                memcpy(fds, s->network.listen_fds, s->network.n_listen_fds * sizeof(int));
        n_fds = s->network.n_listen_fds;
        if (readopt_fd >= 0 && exit_fd >= 0) {
                fds[n_fds++] = readopt_fd;
                fds[n_fds++] = exit_fd;
                strcat(roles, " readopt exit");
        }
        if (filter_fd >= 0) {
                fds[n_fds++] = filter_fd;
                strcat(roles, " seccomp");
        }
        if (env_fd >= 0) {
                fds[n_fds++] = env_fd;
                strcat(roles, " env");
        }
        if (learn_fd >= 0) {
                fds[n_fds++] = learn_fd;
                strcat(roles, " learn");
        }
        if (tmpfiles_fd >= 0) {
                fds[n_fds++] = tmpfiles_fd;
                strcat(roles, " tmpfiles");
        }
        n = asprintf(&msg, "START %d\n%s\n%s\nFDS%s\n%s", INIT_PROTOCOL_VERSION, s->name, s->invocation_id,
                     roles, data);
        if (n < 0)
                return -ENOMEM;
        r = send_with_fds(s->control_fd, msg, (size_t) n, fds, n_fds);
        if (r < 0)
                return r;
        /* The init holds them now, also across restarts of the service. */
        s->network.listen_fds = listen_sockets_close(s->network.listen_fds, s->network.n_listen_fds);
        s->network.n_listen_fds = 0;
        return 0;
}

/* Right after the fork, before the scope is asked for: the held child execs the init, which builds
 * the sandbox from MOUNTS and START while systemd runs the scope's job, and waits for GO. */
static int service_release(Service *s, const char **ret_where) {
        int r;

        r = held_child_release(s->control_fd);
        if (r < 0)
                return r;
        fault_point("start-released");
        r = send_mounts_message(s);
        if (r >= 0)
                r = send_start_message(s, ret_where);
        if (r < 0)
                return r;
        fault_point("start-init-started");
        return 0;
}

static void service_oom_rebase(Service *s);

/* The scope's job is done, the init in its cgroup: the network, then GO, after which the init
 * starts the service. */
static void service_go(Service *s) {
        _cleanup_free_ char *network_error = NULL;
        char msg[3 + SCOPE_INVOCATION_ID_MAX];
        int r;

        /* The init's namespace exists since clone(): its network is ready before anything runs in it. */
        r = network_start(&s->network, s->name, s->init_pid, &network_error);
        if (r < 0) {
                char text[512];
                snprintf(text, sizeof(text), "cannot set up the network: %s", network_error ?: strerror(-r));
                service_fail_start(s, BUS_ERROR_START_FAILED, text);
                return;
        }
        fault_point("start-network-up");
        /* The scope's OOM kills so far are the start's base, read before anything of the service
         * runs: read at its first MAIN, it may be too late (a main process that fills MemoryMax=
         * within milliseconds can be killed before the daemon gets to that message). */
        s->oom_killed = false;
        service_oom_rebase(s);
        s->oom_base_set = true;
        snprintf(msg, sizeof(msg), "GO\n%s", s->invocation_id);
        if (send(s->control_fd, msg, strlen(msg), MSG_NOSIGNAL) < 0) {
                char text[512];
                snprintf(text, sizeof(text), "cannot send GO to the init: %s", strerror(errno));
                service_fail_start(s, BUS_ERROR_START_FAILED, text);
                return;
        }
        s->released = true;
        s->invocation_watch = sd_bus_slot_unref(s->invocation_watch);
}

static int on_scope_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Service *s = userdata;
        char id[SCOPE_INVOCATION_ID_MAX];

        if (scope_read_changed_invocation_id(m, id) > 0 && strspn(id, "0") != 32)
                memcpy(s->invocation_id, id, sizeof(id));
        return 0;
}

static int on_invocation_id_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Service *s = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int r;

        s->job_call = sd_bus_slot_unref(s->job_call);
        if (s->start_error)
                return 0; /* stopped or failed meanwhile: the child was killed already */
        r = e ? -EIO : scope_read_invocation_id(reply, s->invocation_id);
        if (r < 0) {
                /* Only $INVOCATION_ID depends on it: start without. */
                log_debug("%s: no invocation ID for %s: %s", s->name, s->unit,
                          e ? (e->message ?: e->name) : strerror(-r));
                s->invocation_id[0] = 0;
        }
        service_go(s);
        return 0;
}

/* The scope is gone: its stop job is done, or systemd had none left to stop. */
static void service_scope_gone(Service *s) {
        s->scope_gone = true;
        if (s->stop_requested)
                fault_point("stop-scope-gone");
        service_check_stopped(s);
}

void service_job_removed(Service *s, const char *job, const char *result) {
        char text[256];

        if (s->start_job && strcmp(job, s->start_job) == 0) {
                s->start_job = mfree(s->start_job);
                if (s->start_error)
                        return; /* the child was killed already */
                if (strcmp(result, "done") == 0) {
                        fault_point("start-scope-job-done");
                        /* The scope's invocation ID first, for $INVOCATION_ID; then GO. It came with
                         * the unit's PropertiesChanged, before JobRemoved, or is asked for. */
                        if (s->invocation_id[0] != 0)
                                service_go(s);
                        else if (scope_get_invocation_id(s->manager->systemd_bus, s->unit, on_invocation_id_reply, s,
                                                    &s->job_call) < 0)
                                service_go(s);
                        return;
                }
                snprintf(text, sizeof(text), "systemd's job for %s finished with result '%s'", s->unit, result);
                service_fail_start(s, BUS_ERROR_SCOPE_FAILED, text);
        } else if (s->stop_job && strcmp(job, s->stop_job) == 0) {
                s->stop_job = mfree(s->stop_job);
                service_scope_gone(s);
        }
}

static int on_scope_start_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Service *s = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *job;
        char text[512];

        s->job_call = sd_bus_slot_unref(s->job_call);
        if (e) {
                /* No scope of ours exists: never stop a unit of that name that someone else holds. */
                s->scope_stop_issued = true;
                s->scope_gone = true;
                snprintf(text, sizeof(text), "systemd refused the scope %s: %s", s->unit, e->message ?: e->name);
                service_fail_start(s, BUS_ERROR_SCOPE_FAILED, text);
                return 0;
        }
        if (sd_bus_message_read(reply, "o", &job) < 0 || !(s->start_job = strdup(job))) {
                service_fail_start(s, BUS_ERROR_SCOPE_FAILED, "cannot read the job of StartTransientUnit");
                return 0;
        }
        return 0;
}

static int on_scope_stop_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Service *s = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *job;

        s->stop_call_slot = sd_bus_slot_unref(s->stop_call_slot);
        if (e) {
                /* The scope is already gone: nothing left to stop. */
                if (!sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit"))
                        log_warning("%s: StopUnit(%s) failed: %s", s->name, s->unit, e->message ?: e->name);
                service_scope_gone(s);
                return 0;
        }
        if (sd_bus_message_read(reply, "o", &job) >= 0)
                s->stop_job = strdup(job);
        if (!s->stop_job)
                service_scope_gone(s);
        return 0;
}

/* The pidfd that arrived with "MAIN": fdinfo names the PID as we see it. */
pid_t pidfd_get_pid(int pidfd) {
        char path[64], line[128];
        pid_t pid = 0;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
        f = fopen(path, "re");
        if (!f)
                return 0;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "Pid: %d", &pid) == 1)
                        break;
        fclose(f);
        return pid > 0 ? pid : 0;
}

/* "MAIN PID\nSTATE=...\nNRESTARTS=N\nSTATUS=..." (an init of protocol 2 sends "MAIN PID" alone). */
/* Is pid in unit's cgroup (or below it)? A pidfd from an init names a process of its own service,
 * or the message is a lie. A process already gone (a main process that ended at once) is no lie:
 * its pidfd tells its end. */
bool pid_in_unit(pid_t pid, const char *unit) {
        char path[64], line[1024];
        size_t k = strlen(unit);
        bool in = false;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return errno == ENOENT || errno == ESRCH;
        while (!in && fgets(line, sizeof(line), f))
                for (const char *p = strstr(line, unit); p && !in; p = strstr(p + 1, unit))
                        in = p[-1] == '/' && (p[k] == '\n' || p[k] == '/');
        fclose(f);
        return in;
}

/* The scope's count of OOM kills, as the kernel keeps it: "oom_kill" of memory.events (cgroup v2,
 * the scope's and its sub-cgroups') or of memory.oom_control (v1). The file is found once, from
 * the init's /proc/PID/cgroup, while it runs. */
static void service_find_oom_counter(Service *s) {
        char path[64], line[2048];
        size_t k = strlen(s->unit);
        FILE *f;

        if (s->oom_counter_path || s->init_pid <= 0)
                return;
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) s->init_pid);
        f = fopen(path, "re");
        if (!f)
                return;
        while (fgets(line, sizeof(line), f)) {
                char *controllers = strchr(line, ':'), *cg, *p;
                bool v2, memory = false;

                if (!controllers || !(cg = strchr(++controllers, ':')))
                        continue;
                *cg++ = 0;
                v2 = *controllers == 0;
                for (char *c = strtok(controllers, ","); c; c = strtok(NULL, ","))
                        memory = memory || strcmp(c, "memory") == 0;
                if (!v2 && !memory)
                        continue;
                for (p = strstr(cg, s->unit); p && !(p[-1] == '/' && (p[k] == '\n' || p[k] == '/'));
                     p = strstr(p + 1, s->unit))
                        ;
                if (!p)
                        continue;
                p[k] = 0;
                free(s->oom_counter_path);
                s->oom_counter_path = v2 ? strprintf("/sys/fs/cgroup%s/memory.events", cg)
                                         : strprintf("/sys/fs/cgroup/memory%s/memory.oom_control", cg);
                if (memory)
                        break; /* v1's memory hierarchy is where the limit is; else the unified one */
        }
        fclose(f);
}

static void service_oom_check(Service *s);

/* cgroup v2 notifies a change of memory.events (as systemd watches it): the kill is counted at
 * once, while the scope's cgroup is surely there (OOMPolicy=kill empties and removes it fast). */
static int on_oom_event(sd_event_source *source, const struct inotify_event *event, void *userdata) {
        service_oom_check(userdata);
        return 0;
}

static int service_read_oom_kills(Service *s, uint64_t *ret) {
        char line[256];
        int r = -ENOENT;
        FILE *f;

        service_find_oom_counter(s);
        if (!s->oom_counter_path)
                return -ENOENT;
        if (!s->oom_watch && s->init_source && endswith(s->oom_counter_path, "/memory.events") &&
            sd_event_add_inotify(s->manager->event, &s->oom_watch, s->oom_counter_path, IN_MODIFY, on_oom_event, s) < 0)
                log_debug("%s: cannot watch %s, OOM kills are read at the end only.", s->name, s->oom_counter_path);
        f = fopen(s->oom_counter_path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                unsigned long long v;

                if (sscanf(line, "oom_kill %llu", &v) == 1) {
                        *ret = v;
                        r = 0;
                        break;
                }
        }
        fclose(f);
        return r;
}

/* At each (re)start of the main process the count so far is the base: only a kill after it is
 * this run's (a restart in place after an OOM kill starts clean, as systemd's Result does). Not
 * so on v2 under OOMPolicy=stop/kill once a kill happened: systemd is stopping the scope for it,
 * even if the init restarted the main process in place before the stop came. */
static void service_oom_rebase(Service *s) {
        uint64_t n;

        if (service_read_oom_kills(s, &n) < 0)
                return;
        if (n > s->oom_kills_base && endswith(s->oom_counter_path, "/memory.events") && s->description &&
            description_oom_policy(s->description) != OOM_POLICY_CONTINUE) {
                s->oom_killed = true;
                return;
        }
        s->oom_kills_base = n;
}

static void service_oom_check(Service *s) {
        uint64_t n;

        if (service_read_oom_kills(s, &n) >= 0 && n > s->oom_kills_base && !s->oom_killed) {
                s->oom_killed = true;
                log_notice("%s: the kernel's OOM killer killed a process of %s (oom_kill %llu).", s->name, s->unit,
                           (unsigned long long) n);
        }
}

static bool pidfd_exited(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        return poll(&p, 1, 0) > 0;
}

static ServiceState service_state_of_init(InitState st) {
        switch (st) {
        case INIT_STATE_STARTING:
                return SERVICE_STARTING;
        case INIT_STATE_RELOADING:
                return SERVICE_RELOADING;
        case INIT_STATE_STOPPING:
                return SERVICE_STOPPING;
        default:
                return SERVICE_RUNNING;
        }
}

static void service_complete_start(Service *s, ServiceState state);

static void service_handle_main(Service *s, int pidfd, const InitMessage *m) {
        ServiceState state = service_state_of_init(m->state);
        bool first;


        s->init_stops = true;
        if (!s->start_complete && !s->oom_base_set) {
                s->oom_killed = false;
                service_oom_rebase(s);
        } else if (s->n_restarts_base + m->n_restarts != s->n_restarts)
                service_oom_rebase(s); /* a restart in place: its kills are counted from here */
        s->n_restarts = s->n_restarts_base + m->n_restarts;
        free(s->status_text);
        s->status_text = *m->text ? strdup(m->text) : NULL;

        /* The PID is the one of the pidfd, never the text's, and it must be the service's own. */
        if (pidfd >= 0 && (pidfd_get_pid(pidfd) <= 0 || !pid_in_unit(pidfd_get_pid(pidfd), s->unit))) {
                /* One that ended since the init sent it (a stop under way: the kernel moves an exited
                 * task out of its cgroup) is no main process, and no alarm. Looked at after the cgroup. */
                if (!pidfd_exited(pidfd))
                        log_warning("%s: the init sent a pidfd of a process outside %s, ignored.", s->name, s->unit);
                pidfd = safe_close(pidfd);
        }
        safe_close(s->main_pidfd);
        s->main_pidfd = pidfd;
        s->main_pid = pidfd >= 0 ? pidfd_get_pid(pidfd) : 0;
        if (s->main_pid != 0)
                s->main_named = true;
        /* RemainAfterExit=yes: the init runs on, its main process (oneshot: its commands) done. */
        if (state == SERVICE_RUNNING && s->main_pid == 0 && s->description && s->description->remain_after_exit)
                state = SERVICE_ACTIVE_EXITED;
        if (s->stop_requested)
                state = SERVICE_STOPPING;
        health_main_changed(s, s->stop_requested ? INIT_STATE_STOPPING : m->state);

        first = !s->start_complete;
        if (s->adopted) {
                s->start_complete = true;
                if (first)
                        log_info("%s: re-adopted, init PID %d, main PID %d, in %s", s->name, s->init_pid,
                                 s->main_pid, s->unit);
                if (s->state == state)
                        service_emit_changed(s); /* MainPID, StatusText, NRestarts */
                service_set_state(s, state);
                service_usage_refresh(s);
                return;
        }
        if (!first) {
                if (s->state == state)
                        service_emit_changed(s); /* MainPID, StatusText, NRestarts */
                service_set_state(s, state);
                return;
        }
        if (s->stop_requested || s->start_error || state == SERVICE_STARTING || state == SERVICE_STOPPING)
                return;
        if (health_holds_start(s))
                return; /* HealthReady=yes: service_health_changed() completes it */
        if (bus_name_holds_start(s))
                return; /* Type=dbus: service_bus_name_ready() completes it */
        service_complete_start(s, state);
}

void service_bus_name_ready(Service *s) {
        if (s->start_complete || s->start_error || s->stop_requested || service_init_exited(s) || health_holds_start(s))
                return;
        service_complete_start(s, SERVICE_RUNNING);
}

static void service_complete_start(Service *s, ServiceState state) {
        int r;

        fault_point("start-main-received");
        /* What a restarted daemon needs to take the service over, written (marked running) before
         * the start counts as done: a state directory full or out of fds fails the start, rather
         * than leave it unmanageable; until this is written, a restarted daemon finds the start cut. */
        s->start_timestamp = now_usec(CLOCK_REALTIME);
        s->start_complete = true;
        r = manager_save_service_state(s->manager, s);
        if (r < 0) {
                char text[512];
                snprintf(text, sizeof(text), "cannot save its state in %s: %s", s->manager->state_dir, strerror(-r));
                s->start_complete = false;
                s->start_timestamp = 0; /* it never ran */
                service_fail_start(s, BUS_ERROR_START_FAILED, text);
                return;
        }
        fault_point("start-running");
        s->start_timer = sd_event_source_disable_unref(s->start_timer);
        service_set_state(s, state);
        service_usage_refresh(s);
        log_info("%s: started, init PID %d, main PID %d, in %s", s->name, s->init_pid, s->main_pid, s->unit);
        if (s->start_call) {
                (void) sd_bus_reply_method_return(s->start_call, "o", s->path);
                s->start_call = sd_bus_message_unref(s->start_call);
        }
}

void service_health_changed(Service *s) {
        char text[128];

        if (s->start_complete || s->start_error || s->stop_requested || !s->description->health.ready ||
            service_init_exited(s))
                return;
        if (s->health.state == HEALTH_STATE_HEALTHY)
                service_complete_start(s, SERVICE_RUNNING);
        else if (s->health.state == HEALTH_STATE_UNHEALTHY) {
                s->health.ended_it = true;
                snprintf(text, sizeof(text), "the health check failed %u times before it passed (HealthReady=yes)",
                         s->health.failures);
                service_fail_start(s, BUS_ERROR_START_FAILED, text);
        }
}

static void service_handle_reloaded(Service *s, int error, const char *text) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = TAKE_PTR(s->reload_call);

        if (!call)
                return;
        fault_point("reload-done");
        if (error == 0)
                (void) sd_bus_reply_method_return(call, NULL);
        else
                (void) sd_bus_reply_method_errorf(call, SD_BUS_ERROR_FAILED, "Failed to reload %s: %s", s->name,
                                                  text && *text ? text : strerror(error));
}

static int service_send_request(Service *s, const DaemonRequest *r) {
        char msg[64];
        int n;

        n = daemon_request_format(r, msg, sizeof(msg));
        if (n < 0)
                return n;
        if (send(s->control_fd, msg, (size_t) n, MSG_NOSIGNAL) < 0)
                return negative_errno();
        return 0;
}

/* A message that breaks the protocol: the init is not ours to believe any more. */
static void service_protocol_error(Service *s, const char *what) {
        log_error("%s: protocol error from the init: %s; stopping it.", s->name, what);
        s->protocol_error = true;
        if (!s->released || !s->start_complete)
                service_fail_start(s, BUS_ERROR_START_FAILED, "the init broke the protocol");
        else
                service_kill_init(s);
}

static void service_handle_message(Service *s, const InitMessage *m, int pidfd) {
        if (m->type == INIT_MESSAGE_HELLO) {
                safe_close(pidfd);
                if (m->version != INIT_PROTOCOL_VERSION)
                        log_notice("%s: the init speaks protocol %u, we %d.", s->name, m->version, INIT_PROTOCOL_VERSION);
                s->init_version = m->version;
                return;
        }
        /* An init we started greets us first (a FAILED may come first: START was refused). An adopted
         * one without HELLO predates the handshake (protocol 4). */
        if (s->init_version == 0 && !s->adopted && m->type != INIT_MESSAGE_FAILED) {
                safe_close(pidfd);
                service_protocol_error(s, "a message before HELLO");
                return;
        }
        if (m->type == INIT_MESSAGE_MAIN) {
                service_handle_main(s, pidfd, m);
                return;
        }
        safe_close(pidfd);
        switch (m->type) {
        case INIT_MESSAGE_FAILED:
                s->start_errno = m->error;
                service_fail_start(s, BUS_ERROR_START_FAILED, *m->text ? m->text : strerror(m->error));
                break;
        case INIT_MESSAGE_EXITED:
                service_oom_check(s); /* the init still runs: the scope's cgroup is there */
                s->exit_code = m->code;
                s->exit_status = m->status;
                if (m->start_limit_hit)
                        s->start_limit_hit = true;
                s->init_end_result = m->end_result;
                break;
        case INIT_MESSAGE_RELOADED:
                service_handle_reloaded(s, m->error, *m->text ? m->text : NULL);
                break;
        default:
                break;
        }
}

static int on_control(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Service *s = userdata;
        _cleanup_free_ char *buf = NULL;
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(2 * sizeof(int))]; /* a pidfd, or PTY's two */
        } control = {};
        struct iovec iov;
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control) };
        int pidfd = -EBADF, fds[2];
        bool truncated = false;
        size_t n_fds = 0;
        InitMessage m;
        ssize_t n;

        buf = malloc(4096);
        if (!buf)
                return log_oom();
        iov = (struct iovec) { .iov_base = buf, .iov_len = 4095 };
        /* An init that ended with a message of ours unread (GO, a signal to relay) leaves its last
         * words queued behind a reset: read on. */
        n = recvmsg_from_gone_peer(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) {
                if (n == -EAGAIN)
                        return 0;
                log_warning_errno(n, "%s: reading the init's control socket failed: %m", s->name);
                n = 0;
        }
        if (n == 0) {
                /* The init is gone (or closed its end): its exit is seen through the pidfd. */
                s->control_source = sd_event_source_disable_unref(s->control_source);
                return 0;
        }
        /* Cut short: the kernel dropped fds, or the datagram was longer than any message. */
        if ((mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) || (size_t) n > 4095) {
                truncated = true;
                n = 4095;
        }
        buf[n] = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                                int f;

                                memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                                if (n_fds < ELEMENTSOF(fds))
                                        fds[n_fds++] = f;
                                else
                                        safe_close(f);
                        }
        if (!truncated && (health_handle_message(s, buf, fds, n_fds) || shell_handle_message(s, buf, fds, n_fds) ||
                           host_exec_handle_message(s, buf, fds, n_fds)))
                return 0;
        if (truncated || init_message_parse(buf, (size_t) n, &m) < 0) {
                for (size_t i = 0; i < n_fds; i++)
                        safe_close(fds[i]);
                service_protocol_error(s, "a malformed message");
                return 0;
        }
        /* Only MAIN carries an fd, a pidfd. */
        if (n_fds == 1 && m.type == INIT_MESSAGE_MAIN)
                pidfd = fds[0];
        else
                for (size_t i = 0; i < n_fds; i++)
                        safe_close(fds[i]);
        service_handle_message(s, &m, pidfd);
        return 0;
}

static void service_set_end(Service *s, int code, int status) {
        bool reported = s->exit_code != 0; /* the init sent EXITED */

        service_oom_check(s); /* if the cgroup is still there */
        s->end_reported = reported;
        if (!reported) {
                /* No EXITED message: judge by the init's own end. */
                s->exit_code = code;
                s->exit_status = status;
        }
        s->result = service_result_from_facts(&(ServiceEndFacts) {
                .exit_code = s->exit_code,
                .exit_status = s->exit_status,
                .exit_reported = reported,
                .released = s->released,
                .start_complete = s->start_complete,
                .main_pid_known = s->main_pid != 0 || (s->main_named && reported),
                .start_failed = s->start_error != NULL,
                .start_cancelled = s->start_cancelled,
                .start_errno = s->start_errno,
                .stop_requested = s->stop_requested,
                .start_timed_out = s->start_timed_out,
                .protocol_error = s->protocol_error,
                .start_limit_hit = s->start_limit_hit,
                .health_failed = s->health.ended_it,
                .oom_killed = s->oom_killed,
                .oom_continue = s->description && description_oom_policy(s->description) == OOM_POLICY_CONTINUE,
                .watchdog = s->init_end_result == INIT_END_WATCHDOG,
                .runtime_max = s->init_end_result == INIT_END_TIMEOUT,
                .exec_condition = s->init_end_result == INIT_END_EXEC_CONDITION,
                .success_status = s->description ? &s->description->success_status : NULL,
        });
}

/* The init sends EXITED, then exits: both can be pending in one turn of the
 * loop, and the message must be read first, or the init's own exit status
 * (128+SIG) is taken for the main process's and a clean stop looks like
 * exit-code. So the init's end is dispatched after its control socket. */
#define INIT_EXIT_PRIORITY (SD_EVENT_PRIORITY_NORMAL + 10)

/* The init is gone (code/status: its own end, used if it sent no EXITED). */
static void service_init_ended(Service *s, int code, int status) {
        s->oom_watch = sd_event_source_disable_unref(s->oom_watch);
        if (s->stop_requested)
                fault_point("stop-init-ended");
        s->init_source = sd_event_source_disable_unref(s->init_source);
        s->control_source = sd_event_source_disable_unref(s->control_source);
        /* An ended service holds no kernel object: its record is all that stays. */
        s->control_fd = safe_close(s->control_fd);
        s->userns_fd = safe_close(s->userns_fd);
        service_release_ids(s);
        s->init_pidfd = safe_close(s->init_pidfd);
        s->main_pidfd = safe_close(s->main_pidfd);
        usage_done(&s->usage);
        network_stop(&s->network, s->name, s->description); /* Port= listeners, sockets of ListenStream=, the veth pair */
        service_set_end(s, code, status);
        log_info("%s: ended, result %s (%s, status %d)", s->name, service_result_to_string(s->result),
                 exit_code_to_string(s->exit_code), s->exit_status);
        shell_calls_abort(s); /* a shell it did not report died with it */
        host_exec_abort(s);   /* a "+" command with nobody to report to */
        bus_name_unwatch(s);
        health_stop(s);
        service_set_state(s, service_state_of_result(s->result));
        /* Reported: now the mounts go (spawn.h). */
        s->mntns_fd = safe_close(s->mntns_fd);
        s->start_timer = sd_event_source_disable_unref(s->start_timer);
        s->stop_timer = sd_event_source_disable_unref(s->stop_timer);
        service_handle_reloaded(s, ESRCH, "the service ended");
        manager_service_ended(s->manager);
        /* A stop the init carried out (ExecStop=, KillMode=): now the scope, empty or nearly. A
         * learning run answers only once its scope is gone too. */
        if ((s->stop_requested || s->learn) && !s->scope_stop_issued)
                service_stop_scope(s);
        /* Unless we stop it, the scope empties now and systemd collects it. */
        if (!s->scope_stop_issued)
                s->scope_gone = true;
        service_check_stopped(s);
}

static int on_init_exit(sd_event_source *source, const siginfo_t *si, void *userdata) {
        service_init_ended(userdata, si->si_code, si->si_status);
        return 0;
}

/* An adopted init is not our child: its pidfd turns readable when it exits,
 * and how the main process ended is what the init recorded. */
static int on_adopted_init_exit(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Service *s = userdata;
        int code = 0, status = 0;

        InitEndResult result = INIT_END_NONE;

        if (s->exit_code == 0 && manager_read_exit_record(s->manager, s->name, &code, &status, &result) >= 0)
                s->init_end_result = result; /* watchdog, timeout, exec-condition: as EXITED would say */
        else if (s->exit_code == 0) {
                code = CLD_KILLED;
                status = SIGKILL; /* died without a word: the worst we can assume */
        }
        service_init_ended(s, code, status);
        return 0;
}

int service_adopt(Service *s, pid_t init_pid, int init_pidfd, int control_fd, usec_t start_timestamp) {
        int r;

        s->adopted = true;
        s->released = true;
        s->init_pid = init_pid;
        s->init_pidfd = init_pidfd;
        s->control_fd = control_fd;
        s->start_timestamp = start_timestamp;
        service_set_state(s, SERVICE_RUNNING);
        /* Type=dbus: the name's loss stops a re-adopted service too. */
        r = bus_name_watch(s);
        if (r < 0)
                log_warning_errno(r, "%s: cannot watch BusName=: %m", s->name);
        /* Our half of the handshake on the new connection (an init older than it ignores it). */
        r = service_send_request(s, &(DaemonRequest) { .type = DAEMON_REQUEST_HELLO, .version = INIT_PROTOCOL_VERSION });
        if (r < 0)
                log_debug_errno(r, "%s: cannot greet the init: %m", s->name);
        r = sd_event_add_io(s->manager->event, &s->control_source, s->control_fd, EPOLLIN, on_control, s);
        if (r < 0)
                return r;
        r = sd_event_add_io(s->manager->event, &s->init_source, s->init_pidfd, EPOLLIN, on_adopted_init_exit, s);
        if (r < 0)
                return r;
        return sd_event_source_set_priority(s->init_source, INIT_EXIT_PRIORITY);
}

void service_set_ended(Service *s, int code, int status, const char *status_text) {
        s->released = true;
        s->scope_gone = true;
        s->main_pid = -1; /* it ran: judge by its end */
        service_set_end(s, code, status);
        if (status_text)
                s->status_text = strdup(status_text);
        service_set_state(s, service_state_of_result(s->result)); /* the end's timestamp: when it was found */
}

int service_new(Manager *m, const char *name, DescriptionSources *sources, Description *d, Service **ret) {
        _cleanup_(description_sources_freep) DescriptionSources *owned_sources = sources;
        _cleanup_(description_freep) Description *owned_d = d;
        _cleanup_(service_freep) Service *s = NULL;
        int r;

        s = calloc(1, sizeof(Service));
        if (!s)
                return -ENOMEM;
        *s = (Service) {
                .manager = m,
                .state = SERVICE_STARTING,
                .result = SERVICE_SUCCESS,
                .init_pidfd = -EBADF,
                .main_pidfd = -EBADF,
                .control_fd = -EBADF,
                .userns_fd = -EBADF,
                .mntns_fd = -EBADF,
                .uid_base = UID_RANGE_NONE,
                .usage = USAGE_CACHE_NULL,
        };
        s->name = strdup(name);
        s->sources = TAKE_PTR(owned_sources);
        s->description = TAKE_PTR(owned_d);
        s->unit = scope_unit_name(name);
        if (!s->name || !s->unit)
                return -ENOMEM;
        r = sd_bus_path_encode(ISOLATED_SERVICE_PREFIX, name, &s->path);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

static int on_start_timeout(sd_event_source *source, uint64_t usec, void *userdata) {
        Service *s = userdata;
        char text[128];

        s->start_timer = sd_event_source_disable_unref(s->start_timer);
        if (s->start_complete || service_init_exited(s))
                return 0;
        s->start_timed_out = true;
        snprintf(text, sizeof(text), "the start did not complete within TimeoutStartSec=%llus",
                 (unsigned long long) (s->description->timeout_start_usec / USEC_PER_SEC));
        service_fail_start(s, BUS_ERROR_START_FAILED, text);
        return 0;
}

int service_start(Service *s, sd_bus_message *start_call) {
        HeldChild child;
        int r;

        fault_point("start-begin");
        /* Type=dbus: NameOwnerChanged is watched before anything of the service runs. */
        r = bus_name_watch(s);
        if (r < 0)
                return r;
        /* On the host, as root: with a user namespace the init could not make them there. */
        r = exec_directories_prepare_host(s->description, &s->start_error);
        if (r < 0)
                return r;
        if (!s->description->sandbox.host_root) {
                r = uid_range_pool_allocate(&s->manager->uid_ranges, &s->uid_base);
                if (r < 0)
                        return r;
                fault_point("start-ids-claimed");
        }
        _cleanup_free_ char *journal_header = NULL;
        /* identifier, unit id, priority, level prefix, syslog, kmsg, console: as the init writes it. */
        journal_header = process_options_journal_header(&s->description->sandbox.process,
                                                        description_syslog_identifier(s->description), s->unit);
        if (!journal_header) {
                service_release_ids(s);
                return -ENOMEM;
        }
        /* LogLevelMax=, LogExtraFields=, LogRateLimit*=: journald reads them for the scope, as systemd writes them. */
        r = log_context_export(&s->description->sandbox.process, s->unit);
        if (r < 0)
                log_warning_errno(r, "%s: cannot hand LogLevelMax=/LogExtraFields=/LogRateLimit*= to journald: %m", s->name);
        r = held_child_spawn(s->manager->init_path, s->uid_base, journal_header, &child);
        if (r < 0) {
                service_release_ids(s);
                return r;
        }
        s->init_pid = child.pid;
        s->init_pidfd = child.pidfd;
        s->control_fd = child.control_fd;
        s->userns_fd = child.userns_fd;
        safe_close(s->mntns_fd); /* none: the last run's went with its end */
        s->mntns_fd = child.mntns_fd;
        fault_point("start-forked");

        /* Before the scope, which outlives us: a restarted daemon that finds the scope finds this
         * record too, knows the start was cut and ends what was made (see adopt.c). */
        r = manager_save_service_state(s->manager, s);
        if (r < 0) {
                /* A full state directory or no fd left: say where, not just what. */
                free(s->start_error);
                s->start_error = strprintf("cannot save its state in %s: %s", s->manager->state_dir, strerror(-r));
                goto fail;
        }
        fault_point("start-state-written");

        r = sd_event_add_io(s->manager->event, &s->control_source, s->control_fd, EPOLLIN, on_control, s);
        if (r < 0)
                goto fail;
        r = sd_event_add_child_pidfd(s->manager->event, &s->init_source, s->init_pidfd, WEXITED, on_init_exit, s);
        if (r >= 0)
                r = sd_event_source_set_priority(s->init_source, INIT_EXIT_PRIORITY);
        if (r < 0)
                goto fail;
        const char *where = NULL;
        r = service_release(s, &where);
        if (r < 0) {
                free(s->start_error);
                if (where)
                        s->start_error = strprintf("cannot make the init's re-adoption socket in %s: %s", where,
                                                   strerror(-r));
                else
                        s->start_error = strprintf("cannot hand the description to the init: %s", strerror(-r));
                goto fail;
        }
        /* Before the scope exists: its InvocationID comes with its first PropertiesChanged. */
        s->invocation_id[0] = 0;
        if (scope_watch_invocation_id(s->manager->systemd_bus, s->unit, on_scope_changed, s, &s->invocation_watch) < 0)
                log_debug("%s: cannot watch %s, its invocation ID will be asked for.", s->name, s->unit);
        r = scope_start(s->manager->systemd_bus, s->unit, s->description, s->init_pid, on_scope_start_reply, s, &s->job_call);
        if (r < 0)
                goto fail;
        /* TimeoutStartSec= counts from here, the scope's job included, as systemd counts from its job. */
        if (s->description->timeout_start_usec != USEC_INFINITY) {
                r = sd_event_add_time_relative(s->manager->event, &s->start_timer, CLOCK_MONOTONIC,
                                               s->description->timeout_start_usec, 0, on_start_timeout, s);
                if (r < 0)
                        log_warning_errno(r, "%s: cannot arm TimeoutStartSec=: %m", s->name);
        }
        s->init_stops = true; /* our own init speaks protocol 3 */
        s->start_call = sd_bus_message_ref(start_call);
        return 0;

fail:
        /* The held child dies with its socket; reap it here so nothing is left. */
        (void) syscall(SYS_pidfd_send_signal, s->init_pidfd, SIGKILL, NULL, 0);
        siginfo_t si;
        (void) waitid(P_PIDFD, s->init_pidfd, &si, WEXITED);
        manager_forget_service_state(s->manager, s);
        return r; /* the record is dropped: it never showed on the bus */
}

/* Asks systemd to stop the scope (once); the scope is gone when the job is. */
static void service_stop_scope(Service *s) {
        int r;

        if (s->scope_stop_issued)
                return;
        s->scope_stop_issued = true;
        if (scope_start_cancel(&s->job_call)) {
                /* Still waiting for the previous scope of the name: none of ours exists. */
                s->scope_gone = true;
                return;
        }
        s->scope_gone = false;
        r = scope_stop(s->manager->systemd_bus, s->unit, on_scope_stop_reply, s, &s->stop_call_slot);
        if (r >= 0 && s->stop_requested)
                fault_point("stop-scope-requested");
        if (r < 0) {
                /* Without systemd's help, end the service ourselves. */
                log_warning_errno(r, "%s: cannot ask systemd to stop %s: %m", s->name, s->unit);
                service_kill_init(s);
                s->scope_gone = true;
        }
}

/* The init did not finish a STOP in time (it runs ExecStop= and the signals
 * itself, each bounded by TimeoutStopSec=): systemd stops the scope. */
static int on_stop_timeout(sd_event_source *source, uint64_t usec, void *userdata) {
        Service *s = userdata;

        s->stop_timer = sd_event_source_disable_unref(s->stop_timer);
        log_warning("%s: the init did not finish the stop in time, stopping %s.", s->name, s->unit);
        service_stop_scope(s);
        return 0;
}

/* STOP to the init: ExecStop=, KillMode=, KillSignal= and TimeoutStopSec= are
 * carried out inside, where the processes are; the scope is stopped after. */
static bool service_send_stop(Service *s) {
        usec_t t = s->description ? s->description->timeout_stop_usec : USEC_INFINITY;

        if (!s->released || service_init_exited(s) || s->control_fd < 0 || !s->init_stops)
                return false;
        if (service_send_request(s, &(DaemonRequest) { .type = DAEMON_REQUEST_STOP }) < 0) {
                log_warning_errno(errno, "%s: cannot send STOP to the init: %m", s->name);
                return false;
        }
        if (t != USEC_INFINITY && t < USEC_INFINITY / 3)
                (void) sd_event_add_time_relative(s->manager->event, &s->stop_timer, CLOCK_MONOTONIC,
                                                  2 * t + 10 * USEC_PER_SEC, 0, on_stop_timeout, s);
        return true;
}

int service_stop(Service *s, sd_bus_message *reply_to) {
        if (reply_to) {
                sd_bus_message **calls = reallocarray(s->stop_calls, s->n_stop_calls + 1, sizeof(sd_bus_message *));
                if (!calls)
                        return -ENOMEM;
                s->stop_calls = calls;
                s->stop_calls[s->n_stop_calls++] = sd_bus_message_ref(reply_to);
        }
        if (!s->stop_requested) {
                fault_point("stop-requested");
                s->stop_requested = true;
                if (service_is_active(s))
                        service_set_state(s, SERVICE_STOPPING);
                if (s->start_call && !s->start_error) {
                        s->start_error = strdup("stopped while starting");
                        s->start_error_name = BUS_ERROR_START_FAILED;
                        s->start_cancelled = true;
                }
                if (!s->released)
                        service_kill_init(s);
                /* An ended service's scope may linger a moment: stop it all the same. */
                if (service_send_stop(s))
                        fault_point("stop-signal-sent");
                else if (!s->stop_call_slot && !s->stop_job) {
                        s->scope_stop_issued = false;
                        service_stop_scope(s);
                }
        }
        service_check_stopped(s);
        return 0;
}

int service_kill(Service *s, const char *whom, int signo) {
        if (strcmp(whom, "main") != 0 && strcmp(whom, "all") != 0)
                return -EINVAL;
        if (signo <= 0 || signo >= NSIG)
                return -EINVAL;
        if (s->control_fd < 0 || !s->released || service_init_exited(s))
                return -ESRCH;
        return service_send_request(
                        s, &(DaemonRequest) { .type = DAEMON_REQUEST_KILL, .kill_all = strcmp(whom, "all") == 0, .signal = signo });
}

int service_reload(Service *s, sd_bus_message *call) {
        if (!s->description || !s->description->exec_reload)
                return -EOPNOTSUPP;
        if ((s->state != SERVICE_RUNNING && s->state != SERVICE_ACTIVE_EXITED) || service_init_exited(s) ||
            s->control_fd < 0 || !s->init_stops)
                return -ESRCH;
        if (s->reload_call)
                return -EBUSY;
        fault_point("reload-requested");
        if (service_send_request(s, &(DaemonRequest) { .type = DAEMON_REQUEST_RELOAD }) < 0)
                return negative_errno();
        fault_point("reload-sent");
        /* ExecReload= runs inside, with $MAINPID; the reply comes with RELOADED. */
        s->reload_call = sd_bus_message_ref(call);
        return 0;
}
