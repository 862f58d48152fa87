/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bus face of a service: org.isolated1.Service's properties and methods,
 * and the verbs org.isolated1.Manager shares by name. The lifecycle is service.c's. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bus-error.h"
#include "init-protocol.h"
#include "manager.h"
#include "service.h"
#include "shell.h"
#include "usage.h"

/* --- org.isolated1.Service --- */

static int property_get_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Service *s = userdata;
        return sd_bus_message_append(reply, "s", service_state_to_string(s->state));
}

static int property_get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Service *s = userdata;
        const char *v = "";

        if (strcmp(property, "Name") == 0)
                v = s->name;
        else if (strcmp(property, "Description") == 0)
                v = s->description && s->description->description ? s->description->description : "";
        else if (strcmp(property, "Result") == 0)
                v = service_result_to_string(s->result);
        else if (strcmp(property, "Unit") == 0)
                v = s->unit;
        else if (strcmp(property, "ExitCode") == 0)
                v = exit_code_to_string(s->exit_code);
        else if (strcmp(property, "StatusText") == 0)
                v = s->status_text ?: "";
        else if (strcmp(property, "Health") == 0)
                v = health_state_to_string(s->health.state);
        else if (strcmp(property, "Hostname") == 0)
                v = s->description ? description_hostname(s->description) : "";
        return sd_bus_message_append(reply, "s", v);
}

static int property_get_pid(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Service *s = userdata;
        pid_t pid = 0;

        if (service_is_active(s))
                pid = strcmp(property, "InitPID") == 0 ? s->init_pid : s->main_pid;
        return sd_bus_message_append(reply, "u", (uint32_t) pid);
}

static int property_get_usage(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Service *s = userdata;
        uint64_t v = service_is_active(s) ? usage_get(&s->usage, property) : UINT64_MAX;

        service_usage_refresh(s);
        return sd_bus_message_append(reply, "t", v);
}

static int property_get_namespaces(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        static const char *const types[] = { "cgroup", "ipc", "mnt", "net", "pid", "uts" };
        Service *s = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "{st}");
        if (r < 0)
                return r;
        for (size_t i = 0; service_is_active(s) && s->released && i < ELEMENTSOF(types); i++) {
                char p[64];
                struct stat st;

                snprintf(p, sizeof(p), "/proc/%d/ns/%s", s->init_pid, types[i]);
                if (stat(p, &st) < 0)
                        continue;
                r = sd_bus_message_append(reply, "{st}", types[i], (uint64_t) st.st_ino);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int property_get_exit_status(sd_bus *bus, const char *path, const char *interface, const char *property,
                                    sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Service *s = userdata;
        return sd_bus_message_append(reply, "i", (int32_t) s->exit_status);
}

static int property_get_nrestarts(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Service *s = userdata;
        return sd_bus_message_append(reply, "u", (uint32_t) s->n_restarts);
}

static int property_get_timestamp(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Service *s = userdata;
        return sd_bus_message_append(reply, "t",
                                     (uint64_t) (strcmp(property, "ExitTimestamp") == 0 ? s->exit_timestamp
                                                                                        : s->start_timestamp));
}

int service_bus_stop(Service *s, sd_bus_message *m, sd_bus_error *error) {
        int r;

        r = manager_check_manage(s->manager, m, "stop", s->name, error);
        if (r <= 0)
                return r < 0 ? r : 1; /* 0: polkit asked; the call comes back */
        r = service_stop(s, m);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to stop %s: %m", s->name);
        return 1;
}

int service_bus_restart(Service *s, sd_bus_message *m, sd_bus_error *error) {
        _cleanup_free_ char *name = NULL;
        DescriptionSources *sources = NULL;
        int r;

        r = manager_check_manage(s->manager, m, "restart", s->name, error);
        if (r <= 0)
                return r < 0 ? r : 1; /* 0: polkit asked; the call comes back */
        if (s->restart_call)
                return sd_bus_error_setf(error, BUS_ERROR_ALREADY_RUNNING, "%s is restarting already.", s->name);
        if (service_is_active(s)) {
                s->restart_call = sd_bus_message_ref(m);
                r = service_stop(s, NULL);
                if (r < 0)
                        return sd_bus_error_set_errnof(error, r, "Failed to stop %s: %m", s->name);
                return 1;
        }
        name = strdup(s->name);
        if (!name)
                return -ENOMEM;
        r = description_sources_copy(s->sources, &sources);
        if (r < 0)
                return r;
        return manager_start_sources(s->manager, name, sources, m, error);
}

int service_bus_reload(Service *s, sd_bus_message *m, sd_bus_error *error) {
        int r;

        r = manager_check_manage(s->manager, m, "reload", s->name, error);
        if (r <= 0)
                return r < 0 ? r : 1; /* 0: polkit asked; the call comes back */
        r = service_reload(s, m);
        /* As systemd: a service without ExecReload= cannot be reloaded. */
        if (r == -EOPNOTSUPP)
                return sd_bus_error_setf(error, SD_BUS_ERROR_NOT_SUPPORTED,
                                         "%s has no ExecReload=; reload is refused, as systemd does.", s->name);
        if (r == -ESRCH)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_RUNNING, "%s is not running.", s->name);
        if (r == -EBUSY)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "%s is reloading already.", s->name);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to reload %s: %m", s->name);
        return 1;
}

int service_bus_kill(Service *s, sd_bus_message *m, const char *whom, int signo, sd_bus_error *error) {
        int r;

        r = manager_check_manage(s->manager, m, "kill", s->name, error);
        if (r <= 0)
                return r < 0 ? r : 1; /* 0: polkit asked; the call comes back */
        r = service_kill(s, whom, signo);
        if (r == -EINVAL)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid kill request: whom must be 'main' or 'all', signal 1..%d.", NSIG - 1);
        if (r == -ESRCH)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_RUNNING, "%s is not running.", s->name);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to signal %s: %m", s->name);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_stop(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return service_bus_stop(userdata, m, error);
}

static int method_restart(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return service_bus_restart(userdata, m, error);
}

static int method_reload(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return service_bus_reload(userdata, m, error);
}

static int method_shell(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return shell_bus_shell(userdata, m, error);
}

static int method_open_pty(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return shell_bus_open_pty(userdata, m, error);
}

static int method_kill(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *whom;
        int32_t signo;
        int r;

        r = sd_bus_message_read(m, "si", &whom, &signo);
        if (r < 0)
                return r;
        return service_bus_kill(userdata, m, whom, signo, error);
}

const sd_bus_vtable service_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Description", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("State", "s", property_get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Result", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Unit", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("InitPID", "u", property_get_pid, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("MainPID", "u", property_get_pid, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ExitCode", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ExitStatus", "i", property_get_exit_status, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("NRestarts", "u", property_get_nrestarts, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("StatusText", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Health", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("StartTimestamp", "t", property_get_timestamp, 0, 0),
        SD_BUS_PROPERTY("ExitTimestamp", "t", property_get_timestamp, 0, 0),
        SD_BUS_PROPERTY("MemoryCurrent", "t", property_get_usage, 0, 0),
        SD_BUS_PROPERTY("TasksCurrent", "t", property_get_usage, 0, 0),
        SD_BUS_PROPERTY("CPUUsageNSec", "t", property_get_usage, 0, 0),
        SD_BUS_PROPERTY("Hostname", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Namespaces", "a{st}", property_get_namespaces, 0, 0),
        SD_BUS_METHOD("Stop", "", "", method_stop, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Restart", SD_BUS_NO_ARGS, SD_BUS_RESULT("o", path), method_restart,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Reload", "", "", method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Kill", SD_BUS_ARGS("s", whom, "i", signal), SD_BUS_NO_RESULT, method_kill,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Shell",
                                SD_BUS_ARGS("as", argv, "as", environment, "h", stdin, "h", stdout, "h", stderr),
                                SD_BUS_RESULT("s", code, "i", status), method_shell, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("OpenPTY", SD_BUS_NO_ARGS, SD_BUS_RESULT("h", master, "h", peer), method_open_pty,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
