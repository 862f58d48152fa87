/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "scope.h"

#define SYSTEMD_DEST "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"

char *scope_unit_name(const char *service_name) {
        char *unit;

        if (asprintf(&unit, "isolated-%s.scope", service_name) < 0)
                return NULL;
        return unit;
}

static int append_properties(sd_bus_message *m, const Description *d, pid_t pid) {
        int r;

        r = sd_bus_message_append(m, "(sv)", "Description", "s",
                                  d->description ?: d->name);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)",
                                  "Slice", "s", d->slice ?: DEFAULT_SLICE,
                                  "PIDs", "au", 1, (uint32_t) pid,
                                  "CollectMode", "s", "inactive-or-failed",
                                  "KillSignal", "i", d->kill_signal,
                                  "TimeoutStopUSec", "t", d->timeout_stop_usec);
        if (r < 0)
                return r;
        /* Usage is shown by status, and v1 hierarchies count only when asked. */
        r = sd_bus_message_append(m, "(sv)(sv)(sv)",
                                  "MemoryAccounting", "b", 1,
                                  "TasksAccounting", "b", 1,
                                  "CPUAccounting", "b", 1);
        if (r < 0)
                return r;
        if (d->memory_max_set) {
                r = sd_bus_message_append(m, "(sv)", "MemoryMax", "t", d->memory_max);
                if (r < 0)
                        return r;
        }
        if (d->tasks_max_set) {
                r = sd_bus_message_append(m, "(sv)", "TasksMax", "t", d->tasks_max);
                if (r < 0)
                        return r;
        }
        if (d->cpu_quota_set) {
                r = sd_bus_message_append(m, "(sv)", "CPUQuotaPerSecUSec", "t", d->cpu_quota_per_sec_usec);
                if (r < 0)
                        return r;
        }
        return 0;
}

int scope_start(sd_bus *bus, const char *unit, const Description *d, pid_t pid,
                sd_bus_message_handler_t callback, void *userdata, sd_bus_slot **ret_slot) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                           "StartTransientUnit");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", unit, "fail");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return r;
        r = append_properties(m, d, pid);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return r;
        return sd_bus_call_async(bus, ret_slot, m, callback, userdata, 0);
}

int scope_stop(sd_bus *bus, const char *unit, sd_bus_message_handler_t callback, void *userdata,
               sd_bus_slot **ret_slot) {
        return sd_bus_call_method_async(bus, ret_slot, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "StopUnit",
                                        callback, userdata, "ss", unit, "replace");
}

int scope_get_invocation_id(sd_bus *bus, const char *unit, sd_bus_message_handler_t callback, void *userdata,
                            sd_bus_slot **ret_slot) {
        _cleanup_free_ char *path = NULL;
        int r;

        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
        if (r < 0)
                return r;
        return sd_bus_call_method_async(bus, ret_slot, SYSTEMD_DEST, path, "org.freedesktop.DBus.Properties", "Get",
                                        callback, userdata, "ss", "org.freedesktop.systemd1.Unit", "InvocationID");
}

int scope_read_invocation_id(sd_bus_message *reply, char ret[static SCOPE_INVOCATION_ID_MAX]) {
        const uint8_t *id;
        size_t size;
        int r;

        r = sd_bus_message_enter_container(reply, 'v', "ay");
        if (r < 0)
                return r;
        r = sd_bus_message_read_array(reply, 'y', (const void **) &id, &size);
        if (r < 0)
                return r;
        if (size != 16)
                return -EBADMSG;
        for (size_t i = 0; i < size; i++)
                snprintf(ret + 2 * i, 3, "%02x", id[i]);
        return 0;
}
