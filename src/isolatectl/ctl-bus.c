/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bus-error.h"
#include "ctl.h"
#include "log.h"

int connect_bus(sd_bus **ret) {
        int r;

        if (arg_host)
                r = sd_bus_open_system_remote(ret, arg_host);
        else
                r = sd_bus_open_system(ret);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus%s%s: %m", arg_host ? " of " : "",
                                       arg_host ?: "");
        /* As systemctl: polkit may ask the caller (through pkttyagent) unless --no-ask-password. */
        (void) sd_bus_set_allow_interactive_authorization(*ret, arg_ask_password);
        return 0;
}

int exit_code_for_error(const sd_bus_error *e) {
        if (sd_bus_error_has_name(e, BUS_ERROR_NO_SUCH_SERVICE))
                return EXIT_NO_SUCH;
        return EXIT_FAIL;
}

/* Does message begin with "Failed to WHAT:", as the daemon's errors for busctl users do? */
static bool error_says_what(const char *message, const char *what) {
        size_t n = strlen(what);

        return strncmp(message, "Failed to ", 10) == 0 && strncmp(message + 10, what, n) == 0 && message[10 + n] == ':';
}

void log_call_error(const char *what, const sd_bus_error *error, int r) {
        if (sd_bus_error_has_names(error, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                log_error("Failed to %s: isolated is not running; start it with \"systemctl start isolated\".", what);
        else if (sd_bus_error_has_name(error, SD_BUS_ERROR_ACCESS_DENIED) &&
                 !(error->message && strncmp(error->message, "Access denied:", 14) == 0))
                /* The bus refused, not isolated (whose refusals say why). */
                log_error("Failed to %s: access denied; run as root or get org.isolated1.manage from polkit.", what);
        else if (error->message && error_says_what(error->message, what))
                log_error("%s", error->message); /* the daemon's text already names it: one prefix */
        else
                log_error("Failed to %s: %s", what, error->message ?: strerror(-r));
}

bool call_skipped;

int call_manager(sd_bus *bus, const char *method, sd_bus_message **ret_reply, const char *what, const char *types,
                 ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, BUS_NAME, MANAGER_PATH, MANAGER_IFACE, method);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_FAIL;
        va_start(ap, types);
        r = sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_FAIL;
        /* Reading is for everyone; the rest may need polkit's authorization. */
        if (strcmp(method, "GetService") != 0 && strcmp(method, "ListServices") != 0)
                polkit_agent_open_if_enabled();
        /* Start and stop may take TimeoutStartSec=/TimeoutStopSec=: no client-side timeout. */
        call_skipped = false;
        r = sd_bus_call(bus, m, UINT64_MAX - 1, &error, ret_reply);
        /* A Condition*= not met: nothing started and nothing failed, as systemctl start says nothing. */
        if (r < 0 && sd_bus_error_has_name(&error, BUS_ERROR_CONDITION_FAILED)) {
                if (!arg_quiet)
                        log_notice("%s", error.message ?: "Start skipped: a condition was not met.");
                call_skipped = true;
                return EXIT_OK;
        }
        if (r < 0) {
                log_call_error(what, &error, r);
                return exit_code_for_error(&error);
        }
        return EXIT_OK;
}

int service_object_path(const char *name, char **ret) {
        return sd_bus_path_encode(SERVICE_PATH_PREFIX, name, ret);
}

int get_service_path(sd_bus *bus, const char *name, char **ret_path) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *what = NULL;
        const char *path;
        int r;

        if (asprintf(&what, "get %s", name) < 0)
                return log_oom(), EXIT_FAIL;
        r = call_manager(bus, "GetService", &reply, what, "s", name);
        if (r != EXIT_OK)
                return r;
        if (sd_bus_message_read(reply, "o", &path) < 0 || !(*ret_path = strdup(path)))
                return log_oom(), EXIT_FAIL;
        return EXIT_OK;
}

void service_info_done(ServiceInfo *i) {
        free(i->name);
        free(i->description);
        free(i->state);
        free(i->result);
        free(i->unit);
        free(i->exit_code);
        free(i->status_text);
        free(i->hostname);
}

static int read_namespaces(sd_bus_message *reply, ServiceInfo *i) {
        const char *type;
        uint64_t inode;
        int r;

        r = sd_bus_message_enter_container(reply, 'v', "a{st}");
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{st}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "{st}", &type, &inode)) > 0) {
                if (i->n_namespaces >= ELEMENTSOF(i->namespaces))
                        continue;
                snprintf(i->namespaces[i->n_namespaces].type, sizeof(i->namespaces[0].type), "%s", type);
                i->namespaces[i->n_namespaces++].inode = inode;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(reply);
}

static int read_property(sd_bus_message *reply, const char *name, ServiceInfo *i) {
        static const struct {
                const char *name;
                char type;
                size_t offset;
        } map[] = {
                { "Name", 's', offsetof(ServiceInfo, name) },
                { "Description", 's', offsetof(ServiceInfo, description) },
                { "State", 's', offsetof(ServiceInfo, state) },
                { "Result", 's', offsetof(ServiceInfo, result) },
                { "Unit", 's', offsetof(ServiceInfo, unit) },
                { "ExitCode", 's', offsetof(ServiceInfo, exit_code) },
                { "StatusText", 's', offsetof(ServiceInfo, status_text) },
                { "Hostname", 's', offsetof(ServiceInfo, hostname) },
                { "InitPID", 'u', offsetof(ServiceInfo, init_pid) },
                { "MainPID", 'u', offsetof(ServiceInfo, main_pid) },
                { "NRestarts", 'u', offsetof(ServiceInfo, n_restarts) },
                { "ExitStatus", 'i', offsetof(ServiceInfo, exit_status) },
                { "StartTimestamp", 't', offsetof(ServiceInfo, start_timestamp) },
                { "MemoryCurrent", 't', offsetof(ServiceInfo, memory_current) },
                { "TasksCurrent", 't', offsetof(ServiceInfo, tasks_current) },
                { "CPUUsageNSec", 't', offsetof(ServiceInfo, cpu_usage_nsec) },
        };
        char type[2] = {};

        if (strcmp(name, "Namespaces") == 0)
                return read_namespaces(reply, i);
        for (size_t k = 0; k < ELEMENTSOF(map); k++) {
                if (strcmp(map[k].name, name) != 0)
                        continue;
                void *p = (uint8_t *) i + map[k].offset;
                type[0] = map[k].type;
                if (map[k].type == 's') {
                        const char *v;
                        int r = sd_bus_message_read(reply, "v", type, &v);
                        if (r < 0)
                                return r;
                        free(*(char **) p);
                        return (*(char **) p = strdup(v)) ? 0 : -ENOMEM;
                }
                return sd_bus_message_read(reply, "v", type, p);
        }
        return sd_bus_message_skip(reply, "v");
}

int get_service_info(sd_bus *bus, const char *path, ServiceInfo *info) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *name;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll", &error, &reply, "s",
                               SERVICE_IFACE);
        if (r < 0)
                return log_error("Failed to read %s: %s", path, error.message ?: strerror(-r)), EXIT_FAIL;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read(reply, "s", &name);
                if (r >= 0)
                        r = read_property(reply, name, info);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to parse the properties of %s: %m", path), EXIT_FAIL;
        /* Strings the daemon did not send stay empty, never NULL. */
        char **strings[] = { &info->name, &info->description, &info->state, &info->result,
                             &info->unit, &info->exit_code, &info->status_text, &info->hostname };
        for (size_t k = 0; k < ELEMENTSOF(strings); k++)
                if (!*strings[k] && !(*strings[k] = strdup("")))
                        return log_oom(), EXIT_FAIL;
        return EXIT_OK;
}

/* -ENOENT if there is no such service. Never logs. */
int get_state(sd_bus *bus, const char *name, char **ret_state) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        r = service_object_path(name, &path);
        if (r < 0)
                return r;
        r = sd_bus_get_property_string(bus, BUS_NAME, path, SERVICE_IFACE, "State", &error, ret_state);
        if (r < 0 && sd_bus_error_has_names(&error, SD_BUS_ERROR_UNKNOWN_OBJECT, SD_BUS_ERROR_UNKNOWN_METHOD,
                                            SD_BUS_ERROR_UNKNOWN_INTERFACE, SD_BUS_ERROR_UNKNOWN_PROPERTY))
                return -ENOENT;
        return r;
}

bool state_is_active(const char *state) {
        return strcmp(state, "running") == 0 || strcmp(state, "starting") == 0 || strcmp(state, "stopping") == 0 ||
               strcmp(state, "reloading") == 0 || strcmp(state, "active-exited") == 0;
}
