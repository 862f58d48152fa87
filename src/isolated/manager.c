/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "bus-error.h"
#include "config.h"
#include "log.h"
#include "manager.h"
#include "string-util.h"
#include "shell.h"
#include "network.h"
#include "polkit.h"
#include "state-file.h"
#include "time-util.h"
#include "tmpfiles-plan-cache.h"
#include "strv.h"

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        const char *init;
        int r;

        m = calloc(1, sizeof(Manager));
        if (!m)
                return -ENOMEM;
        m->seccomp_cache = seccomp_cache_new();
        if (!m->seccomp_cache)
                return -ENOMEM;
        r = sd_event_default(&m->event);
        if (r < 0)
                return r;
        /* Tests run an uninstalled daemon against a freshly built init. */
        init = getenv("ISOLATE_INIT_PATH");
        m->init_path = init && *init ? init : ISOLATE_INIT_PATH;
        m->state_dir = ISOLATED_STATE_DIR;

        /* No service's range may hold a user or group of the host. */
        uid_range_pool_init(&m->uid_ranges);
        static const char *const id_files[] = { "/etc/passwd", "/etc/group" };
        for (size_t i = 0; i < ELEMENTSOF(id_files); i++) {
                r = uid_range_pool_reserve_file(&m->uid_ranges, id_files[i]);
                if (r < 0)
                        log_warning_errno(r, "Failed to read %s for the IDs to keep out of the services' ranges: %m",
                                          id_files[i]);
        }

        /* Every relayed connection of a published port costs six fds; the services themselves get the
         * usual soft limit back (see held_child_run()). */
        struct rlimit nofile;
        if (getrlimit(RLIMIT_NOFILE, &nofile) >= 0 && nofile.rlim_cur < nofile.rlim_max) {
                nofile.rlim_cur = nofile.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &nofile);
        }
        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        for (size_t i = 0; i < m->n_services; i++)
                service_free(m->services[i]);
        free(m->services);
        sd_event_source_disable_unref(m->trim_source);
        sd_event_source_disable_unref(m->warm_up_source);
        polkit_registry_free(m->polkit_registry);
        seccomp_cache_free(m->seccomp_cache);
        sd_bus_flush_close_unref(m->systemd_bus);
        sd_bus_flush_close_unref(m->bus);
        bus_caller_cache_clear();
        sd_event_unref(m->event);
        return mfree(m);
}

/* m->services is sorted by name: a lookup is a binary search, not a walk of every service (each
 * start, bus call and job signal looks one up). The index of name, or where it would go. */
static size_t service_index(Manager *m, const char *name, bool *ret_found) {
        size_t lo = 0, hi = m->n_services;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(m->services[mid]->name, name);

                if (c == 0) {
                        *ret_found = true;
                        return mid;
                }
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        *ret_found = false;
        return lo;
}

Service *manager_get_service(Manager *m, const char *name) {
        bool found;
        size_t i = service_index(m, name, &found);

        return found ? m->services[i] : NULL;
}

Service *manager_find_service_by_job(Manager *m, const char *unit, const char *job) {
        _cleanup_free_ char *name = NULL;
        Service *s;

        /* JobRemoved comes for every job of systemd's: only isolated-NAME.scope can be ours. */
        if (service_name_from_scope(unit, &name) < 0)
                return NULL;
        s = manager_get_service(m, name);
        if (s && ((s->start_job && strcmp(s->start_job, job) == 0) || (s->stop_job && strcmp(s->stop_job, job) == 0)))
                return s;
        return NULL;
}

static int manager_reserve(Manager *m) {
        Service **l = reallocarray(m->services, m->n_services + 1, sizeof(Service *));
        if (!l)
                return -ENOMEM;
        m->services = l;
        return 0;
}

/* An ended record nothing waits on: a stop, a restart, a start's reply or a job of systemd's. */
static bool service_is_idle_record(const Service *s) {
        return !service_is_active(s) && s->scope_gone && s->n_stop_calls == 0 &&
               !s->restart_call && !s->start_call && !s->reload_call && !s->job_call && !s->stop_call_slot &&
               !s->start_job && !s->stop_job;
}

static Service *oldest_ended(Manager *m, bool successful) {
        Service *found = NULL;

        for (size_t i = 0; i < m->n_services; i++) {
                Service *s = m->services[i];

                if (!service_is_idle_record(s) || (s->state == SERVICE_EXITED) != successful)
                        continue;
                if (!found || s->exit_timestamp < found->exit_timestamp)
                        found = s;
        }
        return found;
}

static int on_trim(sd_event_source *source, void *userdata) {
        Manager *m = userdata;
        size_t n_ended = 0;

        for (size_t i = 0; i < m->n_services; i++)
                if (!service_is_active(m->services[i]))
                        n_ended++;
        while (n_ended > MANAGER_ENDED_MAX) {
                Service *s = oldest_ended(m, true) ?: oldest_ended(m, false);

                if (!s)
                        break; /* the rest is still busy: the next end tries again */
                log_debug("%s: more than %d ended services, its record goes.", s->name, MANAGER_ENDED_MAX);
                manager_remove_service(m, s);
                n_ended--;
        }
        return 0;
}

void manager_service_ended(Manager *m) {
        int r;

        if (m->trim_source) {
                r = sd_event_source_set_enabled(m->trim_source, SD_EVENT_ONESHOT);
                if (r >= 0)
                        return;
                m->trim_source = sd_event_source_disable_unref(m->trim_source);
        }
        /* Deferred: the caller is in the middle of a service's end. */
        r = sd_event_add_defer(m->event, &m->trim_source, on_trim, m);
        if (r < 0) {
                log_warning_errno(r, "Cannot schedule the trimming of ended services: %m");
                return;
        }
        (void) sd_event_source_set_enabled(m->trim_source, SD_EVENT_ONESHOT);
}

int manager_add_service(Manager *m, Service *s) {
        int r = manager_reserve(m);
        if (r < 0)
                return r;
        bool found;
        size_t i = service_index(m, s->name, &found);

        memmove(m->services + i + 1, m->services + i, (m->n_services - i) * sizeof(Service *));
        m->services[i] = s;
        m->n_services++;
        (void) sd_bus_emit_signal(m->bus, ISOLATED_OBJECT_PATH, ISOLATED_MANAGER_INTERFACE, "ServiceNew", "so",
                                  s->name, s->path);
        if (!service_is_active(s))
                manager_service_ended(m); /* one found ended after a restart */
        return 0;
}

void manager_remove_service(Manager *m, Service *s) {
        for (size_t i = 0; i < m->n_services; i++) {
                if (m->services[i] != s)
                        continue;
                memmove(m->services + i, m->services + i + 1, (m->n_services - i - 1) * sizeof(Service *));
                m->n_services--;
                break;
        }
        (void) sd_bus_emit_signal(m->bus, ISOLATED_OBJECT_PATH, ISOLATED_MANAGER_INTERFACE, "ServiceRemoved", "sos",
                                  s->name, s->path, service_result_to_string(s->result));
        service_free(s);
}

int manager_save_service_state(Manager *m, Service *s) {
        StateRecord record = {
                .init_pid = s->init_pid,
                .uid_base = s->uid_base,
                .main_pid = s->main_pid,
                .start_timestamp = s->start_timestamp,
                .starting = !s->start_complete,
        };

        /* Not logged: the caller fails the start with it. */
        return state_file_write(m->state_dir, s->name, &record, s->sources);
}

void manager_forget_service_state(Manager *m, Service *s) {
        state_file_remove(m->state_dir, s->name);
}

int manager_read_exit_record(Manager *m, const char *name, int *ret_code, int *ret_status, InitEndResult *ret_result) {
        return state_file_read_exit(m->state_dir, name, ret_code, ret_status, ret_result);
}

/* At most this many waits for tmpfiles.d to settle, each of at most WARM_UP_WAIT_MAX_USEC (a file
 * of a future mtime never settles: then the plan is made anyway, and again at the first start). */
#define WARM_UP_WAITS_MAX 5
#define WARM_UP_WAIT_MAX_USEC (2 * USEC_PER_SEC)

static int on_warm_up(sd_event_source *source, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        _cleanup_(description_freep) Description *d = NULL;
        uint64_t wait = 0;
        int fd, r;

        /* A plan from an input that just changed would be made again at the first start: later. */
        r = tmpfiles_plan_cache_unsettled_usec(&wait);
        if (r >= 0 && wait > 0 && m->warm_up_waits < WARM_UP_WAITS_MAX) {
                m->warm_up_waits++;
                r = sd_event_source_set_time_relative(source, wait < WARM_UP_WAIT_MAX_USEC ? wait : WARM_UP_WAIT_MAX_USEC);
                if (r >= 0)
                        r = sd_event_source_set_enabled(source, SD_EVENT_ONESHOT);
                if (r >= 0)
                        return 0;
        }
        m->warm_up_source = sd_event_source_disable_unref(m->warm_up_source);
        /* Any description without a root or mounts of its own gets the same plan. */
        r = description_parse("warm-up", "warm-up.service", "[Service]\nExecStart=/bin/true\n", &d, NULL, NULL);
        if (r >= 0)
                r = tmpfiles_plan_cache_get(d, &fd);
        if (r < 0)
                log_debug_errno(r, "Cannot make the plan of a private /run ahead of the first start: %m");
        return 0;
}

int manager_warm_up(Manager *m) {
        int r;

        /* A timer, not a defer: it waits again while tmpfiles.d settles. 1 ms accuracy (0 is sd-event's 250 ms). */
        r = sd_event_add_time_relative(m->event, &m->warm_up_source, CLOCK_MONOTONIC, 0, USEC_PER_MSEC, on_warm_up, m);
        if (r < 0)
                return r;
        return sd_event_source_set_priority(m->warm_up_source, SD_EVENT_PRIORITY_IDLE);
}

int manager_check_manage(Manager *m, sd_bus_message *call, const char *verb, const char *name, sd_bus_error *error) {
        const char *details[] = { "verb", verb, "service", name, NULL };

        return polkit_check_authorization(&m->polkit_registry, call, POLKIT_ACTION_MANAGE, details, error);
}

int manager_start_service(Manager *m, const char *name, const char *text, sd_bus_message *call, sd_bus_error *error) {
        _cleanup_(description_sources_freep) DescriptionSources *sources = NULL;
        _cleanup_free_ char *load_error = NULL;
        int r;

        if (service_name_is_template(name))
                return sd_bus_error_setf(error, BUS_ERROR_BAD_NAME, "%s is a template: start an instance, %sINSTANCE.",
                                         name, name);
        if (!service_name_is_valid(name))
                return sd_bus_error_setf(error, BUS_ERROR_BAD_NAME, "Invalid service name '%s': use " SERVICE_NAME_RULE ".",
                                         name);

        /* NAME.service from the search path, or the bus text standing for it; drop-ins apply to both. */
        r = description_sources_load(name, isempty(text) ? NULL : text, NULL, &sources, &load_error);
        if (r == -ENOMEM)
                return r;
        if (r == -ENOENT)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_SERVICE, "%s.", load_error ?: "No such description");
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_BAD_DESCRIPTION, "%s.", load_error ?: strerror(-r));

        return manager_start_sources(m, name, TAKE_PTR(sources), call, error);
}

/* The veth pairs of the active services but s, for a new one to keep clear of. */
static int manager_network_in_use(Manager *m, Service *s, NetworkInUse **ret, size_t *ret_n) {
        NetworkInUse *l;
        size_t n = 0;

        l = calloc(m->n_services + 1, sizeof(NetworkInUse));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_services; i++) {
                Service *o = m->services[i];
                if (o != s && o->network.veth && service_is_active(o))
                        l[n++] = (NetworkInUse) { .name = o->name, .veth = o->network.veth };
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

/* The caller's effective UID; unknown counts as unprivileged. */
static uid_t caller_uid(sd_bus_message *call) {
        uid_t uid;

        if (!call || bus_caller_euid(call, &uid) < 0)
                return (uid_t) -1;
        return uid;
}

/* [Unit] Condition*=, Assert*= on the host's view, before anything of the service is made
 * (condition.h): 1 to go on, else the bus error is set. */
static int check_conditions(const char *name, const Description *d, sd_bus_error *error) {
        /* The service's manager is its sandbox: what it withholds is not there to test. */
        const ConditionHost host = { .capabilities = &d->sandbox.capability_bounding_set };
        const Condition *failed = NULL;
        _cleanup_free_ char *what = NULL;
        int r;

        for (int assert = 1; assert >= 0; assert--) {
                r = condition_list_test(d->conditions, d->n_conditions, assert, &host, &failed);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                what = condition_describe(failed);
                if (!what)
                        return -ENOMEM;
                log_info("%s: %s %s", name, what, assert ? "failed, not starting" : "not met, start skipped");
                if (assert)
                        return sd_bus_error_setf(error, BUS_ERROR_ASSERT_FAILED, "Failed to start %s: %s failed.",
                                                 name, what);
                return sd_bus_error_setf(error, BUS_ERROR_CONDITION_FAILED, "Start of %s skipped: %s was not met.",
                                         name, what);
        }
        return 1;
}

int manager_start_sources(Manager *m, const char *name, DescriptionSources *sources, sd_bus_message *call,
                          sd_bus_error *error) {
        return manager_start_sources_prepared(m, name, sources, call, NULL, NULL, error);
}

int manager_start_sources_prepared(Manager *m, const char *name, DescriptionSources *sources_in,
                                   sd_bus_message *call, ServicePrepare prepare, void *userdata,
                                   sd_bus_error *error) {
        _cleanup_(description_sources_freep) DescriptionSources *sources = sources_in;
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_free_ char *parse_error = NULL;
        _cleanup_strv_free_ char **notices = NULL;
        _cleanup_(service_freep) Service *s = NULL;
        _cleanup_free_ NetworkInUse *in_use = NULL;
        size_t n_in_use;
        Service *old;
        int r;

        r = description_parse_sources(name, sources, &d, &notices, &parse_error);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_BAD_DESCRIPTION, "%s",
                                         parse_error ?: "Invalid description.");
        for (char **n = notices; n && *n; n++)
                log_notice("%s", *n);
        /* A limit this host's cgroups cannot enforce is refused, never dropped. */
        r = cgroup_settings_check_host(&d->cgroup, cgroup_host_mode(), &parse_error);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_BAD_DESCRIPTION, "%s", parse_error);
        r = sandbox_options_check_users(&d->sandbox, &parse_error);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_BAD_DESCRIPTION, "%s: %s", sources->items[0].path,
                                         parse_error);

        old = manager_get_service(m, name);
        if (old && service_is_active(old))
                return sd_bus_error_setf(error, BUS_ERROR_ALREADY_RUNNING,
                                         "Service %s is already %s; stop it first.", name,
                                         service_state_to_string(old->state));
        r = check_conditions(name, d, error);
        if (r <= 0)
                return r;
        if (old)
                manager_remove_service(m, old);

        r = service_new(m, name, TAKE_PTR(sources), TAKE_PTR(d), &s);
        if (r < 0)
                return r;
        /* Room first, so that nothing can fail once the child exists. */
        r = manager_reserve(m);
        if (r < 0)
                return r;
        /* Ports bound and addresses checked before anything starts. */
        r = manager_network_in_use(m, s, &in_use, &n_in_use);
        if (r < 0)
                return r;
        r = network_prepare(&s->network, s->name, s->description, m->event, caller_uid(call), in_use, n_in_use,
                            error);
        if (r < 0)
                return r;
        /* Before the start: the init is handed what it needs right after the fork. */
        if (prepare)
                prepare(s, userdata);
        r = service_start(s, call);
        if (r < 0 && s->start_error)
                return sd_bus_error_setf(error, BUS_ERROR_START_FAILED, "Failed to start %s: %s", name, s->start_error);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to start %s: %m", name);
        return manager_add_service(m, TAKE_PTR(s)) < 0 ? -ENOMEM : 1;
}
