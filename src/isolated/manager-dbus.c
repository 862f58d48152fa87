/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bus face of the manager: org.isolated1.Manager's methods and signals, the
 * service objects' lookup, systemd's job signals, and the connection. */
#include <string.h>

#include "bus-error.h"
#include "log.h"
#include "learn.h"
#include "manager.h"
#include "service.h"
#include "shell.h"
#include "strv.h"

/* --- org.isolated1.Manager --- */

static int method_start_service(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *name, *text;
        int r;

        r = sd_bus_message_read(call, "ss", &name, &text);
        if (r < 0)
                return r;
        r = manager_check_manage(m, call, "start", name, error);
        if (r <= 0)
                return r < 0 ? r : 1; /* 0: polkit asked; the call comes back */
        return manager_start_service(m, name, text, call, error);
}

/* isolatectl learn: a start of its own, answered at its end (learn.h). */
static int method_learn_service(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *name, *text;
        uint64_t duration;
        int r;

        r = sd_bus_message_read(call, "sst", &name, &text, &duration);
        if (r < 0)
                return r;
        r = manager_check_manage(m, call, "start", name, error);
        if (r <= 0)
                return r < 0 ? r : 1; /* 0: polkit asked; the call comes back */
        return manager_learn_service(m, name, text, duration, call, error);
}

int manager_bus_lookup_service(Manager *m, sd_bus_message *call, Service **ret, sd_bus_error *error) {
        const char *name;
        Service *s = NULL;
        int r;

        r = sd_bus_message_read(call, "s", &name);
        if (r < 0)
                return r;
        s = manager_get_service(m, name);
        if (!s)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_SERVICE, "No service %s is known.", name);
        *ret = s;
        return 0;
}

static int method_get_service(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        Service *s = NULL;
        int r;

        r = manager_bus_lookup_service(userdata, call, &s, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(call, "o", s->path);
}

static int method_stop_service(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        Service *s = NULL;
        int r;

        r = manager_bus_lookup_service(userdata, call, &s, error);
        if (r < 0)
                return r;
        return service_bus_stop(s, call, error);
}

static int method_restart_service(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        Service *s = NULL;
        int r;

        r = manager_bus_lookup_service(userdata, call, &s, error);
        if (r < 0)
                return r;
        return service_bus_restart(s, call, error);
}

static int method_reload_service(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        Service *s = NULL;
        int r;

        r = manager_bus_lookup_service(userdata, call, &s, error);
        if (r < 0)
                return r;
        return service_bus_reload(s, call, error);
}

static int method_kill_service(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        const char *whom;
        int32_t signo;
        Service *s = NULL;
        int r;

        r = manager_bus_lookup_service(userdata, call, &s, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(call, "si", &whom, &signo);
        if (r < 0)
                return r;
        return service_bus_kill(s, call, whom, signo, error);
}

static int method_reset_failed_service(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        Service *s = NULL;
        int r;

        r = manager_bus_lookup_service(m, call, &s, error);
        if (r < 0)
                return r;
        r = manager_check_manage(m, call, "reset-failed", s->name, error);
        if (r <= 0)
                return r < 0 ? r : 1; /* 0: polkit asked; the call comes back */
        if (service_is_active(s))
                return sd_bus_error_setf(error, BUS_ERROR_ALREADY_RUNNING, "Service %s is %s, not ended.", s->name,
                                         service_state_to_string(s->state));
        manager_remove_service(m, s);
        return sd_bus_reply_method_return(call, NULL);
}

static int method_list_services(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        int r;

        r = sd_bus_message_new_method_return(call, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(sssuuo)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_services; i++) {
                Service *s = m->services[i];
                bool active = service_is_active(s);

                r = sd_bus_message_append(reply, "(sssuuo)", s->name, service_state_to_string(s->state), s->unit,
                                          (uint32_t) (active ? s->init_pid : 0),
                                          (uint32_t) (active ? s->main_pid : 0), s->path);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("StartService", SD_BUS_ARGS("s", name, "s", description), SD_BUS_RESULT("o", path),
                                method_start_service, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("LearnService",
                                SD_BUS_ARGS("s", name, "s", description, "t", duration_usec),
                                SD_BUS_RESULT("s", result, "a(ss)", findings), method_learn_service,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("StopService", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT, method_stop_service,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RestartService", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", path),
                                method_restart_service, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ReloadService", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT, method_reload_service,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("KillService", SD_BUS_ARGS("s", name, "s", whom, "i", signal), SD_BUS_NO_RESULT,
                                method_kill_service, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ResetFailedService", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT,
                                method_reset_failed_service, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ShellService",
                                SD_BUS_ARGS("s", name, "as", argv, "as", environment, "h", stdin, "h", stdout,
                                            "h", stderr),
                                SD_BUS_RESULT("s", code, "i", status), shell_method_shell_service,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("OpenServicePTY", SD_BUS_ARGS("s", name), SD_BUS_RESULT("h", master, "h", peer),
                                shell_method_open_service_pty, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetService", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", path), method_get_service,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListServices", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(sssuuo)", services),
                                method_list_services, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("ServiceNew", SD_BUS_ARGS("s", name, "o", path), 0),
        SD_BUS_SIGNAL_WITH_ARGS("ServiceRemoved", SD_BUS_ARGS("s", name, "o", path, "s", result), 0),
        SD_BUS_VTABLE_END,
};

static int find_service(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                        sd_bus_error *error) {
        _cleanup_free_ char *name = NULL;
        Manager *m = userdata;
        Service *s = NULL;

        if (sd_bus_path_decode(path, ISOLATED_SERVICE_PREFIX, &name) <= 0)
                return 0;
        s = manager_get_service(m, name);
        if (!s)
                return 0;
        *found = s;
        return 1;
}

static int enumerate_services(sd_bus *bus, const char *path, void *userdata, char ***ret_nodes, sd_bus_error *error) {
        _cleanup_strv_free_ char **nodes = NULL;
        Manager *m = userdata;
        int r;

        nodes = calloc(1, sizeof(char *));
        if (!nodes)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_services; i++) {
                r = strv_extend(&nodes, m->services[i]->path);
                if (r < 0)
                        return r;
        }
        *ret_nodes = TAKE_PTR(nodes);
        return 1;
}

static int on_job_removed(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *job, *unit, *result;
        uint32_t id;
        Service *s = NULL;

        if (sd_bus_message_read(message, "uoss", &id, &job, &unit, &result) < 0)
                return 0;
        s = manager_find_service_by_job(m, unit, job);
        if (s)
                service_job_removed(s, job, result);
        return 0;
}

/* JobRemoved and Subscribe on systemd_bus. Installed before any job exists, so no JobRemoved can
 * slip past. */
static int watch_systemd(Manager *m) {
        int r;

        r = sd_bus_match_signal_async(m->systemd_bus, NULL,
                                      sd_bus_is_bus_client(m->systemd_bus) > 0 ? "org.freedesktop.systemd1" : NULL,
                                      "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "JobRemoved",
                                      on_job_removed, NULL, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch systemd's jobs: %m");
        r = sd_bus_call_method_async(m->systemd_bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                     "org.freedesktop.systemd1.Manager", "Subscribe", NULL, NULL, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to systemd: %m");
        return 0;
}

/* systemd's private socket went away (a daemon-reexec may close it): on the system bus from here. The
 * calls under way on it fail (their starts and stops with them); what comes next goes the other way. */
static int on_systemd_disconnected(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        log_warning("Lost the connection to systemd's private socket, using the system bus.");
        sd_bus_close_unref(m->systemd_bus); /* sd_bus_process() holds its own reference meanwhile */
        m->systemd_bus = sd_bus_ref(m->bus);
        if (watch_systemd(m) < 0)
                return sd_event_exit(m->event, EXIT_FAILURE);
        return 0;
}

static int manager_connect_systemd(Manager *m) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *b = NULL;
        int r;

        /* As systemctl does as root. Anything but a working connection: the system bus instead. */
        r = sd_bus_new(&b);
        if (r >= 0)
                r = sd_bus_set_address(b, "unix:path=/run/systemd/private");
        if (r >= 0)
                r = sd_bus_start(b);
        if (r >= 0)
                r = sd_bus_match_signal(b, NULL, NULL, "/org/freedesktop/DBus/Local",
                                        "org.freedesktop.DBus.Local", "Disconnected", on_systemd_disconnected, m);
        /* No timeout on our calls to systemd: PID 1 answers each or the connection ends (and fails
         * them), and every pending call with a deadline costs a timerfd_settime() whenever the
         * earliest one changes: with hundreds of starts under way that was an eighth of our CPU. A
         * start's own bound is TimeoutStartSec=. */
        if (r >= 0)
                r = sd_bus_set_method_call_timeout(b, UINT64_MAX);
        if (r >= 0)
                r = sd_bus_attach_event(b, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0) {
                m->systemd_bus = TAKE_PTR(b);
                log_debug("Talking to systemd on its private socket.");
        } else {
                log_debug_errno(r, "Cannot connect to systemd's private socket, using the system bus: %m");
                m->systemd_bus = sd_bus_ref(m->bus);
        }
        return watch_systemd(m);
}

int manager_connect_bus(Manager *m) {
        int r;

        r = sd_bus_default_system(&m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        /* A dbus-daemon restart ends us (with a failure: systemd starts us again, see isolated.c). */
        r = sd_bus_set_exit_on_disconnect(m->bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the bus connection: %m");
        r = sd_bus_add_object_vtable(m->bus, NULL, ISOLATED_OBJECT_PATH, ISOLATED_MANAGER_INTERFACE, manager_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add the manager object: %m");
        r = sd_bus_add_fallback_vtable(m->bus, NULL, ISOLATED_SERVICE_PREFIX, ISOLATED_SERVICE_INTERFACE,
                                       service_vtable, find_service, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add the service objects: %m");
        r = sd_bus_add_node_enumerator(m->bus, NULL, ISOLATED_SERVICE_PREFIX, enumerate_services, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add the service enumerator: %m");
        r = sd_bus_add_object_manager(m->bus, NULL, ISOLATED_OBJECT_PATH);
        if (r < 0)
                return log_error_errno(r, "Failed to add the object manager: %m");

        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
        r = manager_connect_systemd(m);
        if (r < 0)
                return r;
        r = sd_bus_request_name_async(m->bus, NULL, ISOLATED_BUS_NAME, 0, NULL, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to request the name %s: %m", ISOLATED_BUS_NAME);
        return 0;
}
