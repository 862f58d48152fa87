/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "macro.h"
#include "usage.h"

static int on_usage_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        UsageCache *u = userdata;
        const char *name;
        int r;

        u->call = sd_bus_slot_unref(u->call);
        if (sd_bus_message_is_method_error(reply, NULL))
                return 0; /* the scope is gone: keep the last figures */

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                uint64_t *field = NULL;

                r = sd_bus_message_read(reply, "s", &name);
                if (r < 0)
                        break;
                if (strcmp(name, "MemoryCurrent") == 0)
                        field = &u->memory_current;
                else if (strcmp(name, "TasksCurrent") == 0)
                        field = &u->tasks_current;
                else if (strcmp(name, "CPUUsageNSec") == 0)
                        field = &u->cpu_usage_nsec;
                r = field ? sd_bus_message_read(reply, "v", "t", field) : sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        u->timestamp = now_usec(CLOCK_MONOTONIC);
        return 0;
}

void usage_refresh(UsageCache *u, sd_bus *bus, const char *unit) {
        _cleanup_free_ char *path = NULL;

        if (u->call)
                return;
        if (sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path) < 0)
                return;
        (void) sd_bus_call_method_async(bus, &u->call, "org.freedesktop.systemd1", path,
                                        "org.freedesktop.DBus.Properties", "GetAll", on_usage_reply, u, "s",
                                        "org.freedesktop.systemd1.Scope");
}

uint64_t usage_get(const UsageCache *u, const char *property) {
        if (strcmp(property, "MemoryCurrent") == 0)
                return u->memory_current;
        if (strcmp(property, "TasksCurrent") == 0)
                return u->tasks_current;
        return u->cpu_usage_nsec;
}

void usage_done(UsageCache *u) {
        u->call = sd_bus_slot_unref(u->call);
}
