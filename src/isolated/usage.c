/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "manager.h"
#include "service.h"
#include "usage.h"

static int on_usage_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Service *s = userdata;
        UsageCache *u = &s->usage;
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

void usage_refresh(Service *s) {
        _cleanup_free_ char *path = NULL;

        if (s->usage.call || !service_is_active(s) || !s->released)
                return;
        if (sd_bus_path_encode("/org/freedesktop/systemd1/unit", s->unit, &path) < 0)
                return;
        (void) sd_bus_call_method_async(s->manager->bus, &s->usage.call, "org.freedesktop.systemd1", path,
                                        "org.freedesktop.DBus.Properties", "GetAll", on_usage_reply, s, "s",
                                        "org.freedesktop.systemd1.Scope");
}

int usage_append(Service *s, const char *property, sd_bus_message *reply) {
        uint64_t v = UINT64_MAX;

        if (service_is_active(s)) {
                if (strcmp(property, "MemoryCurrent") == 0)
                        v = s->usage.memory_current;
                else if (strcmp(property, "TasksCurrent") == 0)
                        v = s->usage.tasks_current;
                else
                        v = s->usage.cpu_usage_nsec;
        }
        usage_refresh(s);
        return sd_bus_message_append(reply, "t", v);
}

void usage_done(UsageCache *u) {
        u->call = sd_bus_slot_unref(u->call);
}
