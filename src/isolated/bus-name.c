/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "bus-error.h"
#include "bus-name.h"
#include "log.h"
#include "manager.h"
#include "service.h"
#include "string-util.h"

struct BusNameWatch {
        Service *service;
        sd_bus_slot *match;
        sd_bus_slot *owner_call; /* GetNameOwner, then GetConnectionUnixProcessID */
        char *owner;             /* the unique name being checked or found good */
        bool good;               /* owned by a process of the scope */
        bool init_ready;         /* the init reported the start done: only the name is missing */
        sd_event_source *stop_defer;
};

BusNameWatch *bus_name_watch_free(BusNameWatch *w) {
        if (!w)
                return NULL;
        sd_bus_slot_unref(w->match);
        sd_bus_slot_unref(w->owner_call);
        sd_event_source_disable_unref(w->stop_defer);
        free(w->owner);
        return mfree(w);
}

static int on_stop_defer(sd_event_source *source, void *userdata) {
        BusNameWatch *w = userdata;
        Service *s = w->service;

        w->stop_defer = sd_event_source_disable_unref(w->stop_defer);
        log_info("%s: its bus name %s is gone: stopping, as systemd stops a Type=dbus service.", s->name,
                 s->description->bus_name);
        (void) service_stop(s, NULL); /* may free s, and w with it */
        return 0;
}

static void changed(BusNameWatch *w) {
        Service *s = w->service;

        if (!s->start_complete) {
                if (w->good && w->init_ready && !s->start_error && !s->stop_requested)
                        service_bus_name_ready(s);
                return;
        }
        if (!w->good && !s->stop_requested && service_is_active(s) && !w->stop_defer)
                (void) sd_event_add_defer(s->manager->event, &w->stop_defer, on_stop_defer, w);
}

static int on_pid_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        BusNameWatch *w = userdata;
        Service *s = w->service;
        uint32_t pid = 0;

        w->owner_call = sd_bus_slot_unref(w->owner_call);
        if (sd_bus_message_is_method_error(reply, NULL) || sd_bus_message_read(reply, "u", &pid) < 0 || pid == 0)
                return 0; /* gone meanwhile: its NameOwnerChanged follows */
        if (!pid_in_unit((pid_t) pid, s->unit)) {
                log_warning("%s: %s is owned by PID %u, which is not of %s: not the service's, still waiting.",
                            s->name, s->description->bus_name, pid, s->unit);
                return 0;
        }
        log_debug("%s: %s is owned by PID %u of %s.", s->name, s->description->bus_name, pid, s->unit);
        w->good = true;
        changed(w);
        return 0;
}

static void owner_is(BusNameWatch *w, const char *owner) {
        Service *s = w->service;
        bool was = w->good;
        int r;

        w->good = false;
        w->owner_call = sd_bus_slot_unref(w->owner_call);
        free(w->owner);
        w->owner = owner && *owner ? strdup(owner) : NULL;
        if (w->owner) {
                r = sd_bus_call_method_async(s->manager->bus, &w->owner_call, "org.freedesktop.DBus",
                                             "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                             "GetConnectionUnixProcessID", on_pid_reply, w, "s", w->owner);
                if (r < 0)
                        log_warning_errno(r, "%s: cannot ask who owns %s: %m", s->name, s->description->bus_name);
        }
        if (was)
                changed(w);
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        owner_is(userdata, new_owner);
        return 0;
}

static int on_owner_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        BusNameWatch *w = userdata;
        const char *owner = NULL;

        w->owner_call = sd_bus_slot_unref(w->owner_call);
        if (!sd_bus_message_is_method_error(reply, NULL))
                (void) sd_bus_message_read(reply, "s", &owner);
        if (owner && !w->owner)
                owner_is(w, owner);
        return 0;
}

int bus_name_watch(Service *s) {
        _cleanup_free_ char *match = NULL;
        BusNameWatch *w;
        int r;

        if (s->description->type != SERVICE_DBUS || !s->description->bus_name || s->bus_name)
                return 0;
        w = calloc(1, sizeof(BusNameWatch));
        if (!w)
                return -ENOMEM;
        w->service = s;
        s->bus_name = w;
        match = strprintf("type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                          "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='%s'",
                          s->description->bus_name);
        if (!match)
                return -ENOMEM;
        r = sd_bus_add_match_async(s->manager->bus, &w->match, match, on_name_owner_changed, NULL, w);
        if (r < 0)
                return r;
        /* After the match, in order: an owner that comes between the two is seen by one of them. */
        return sd_bus_call_method_async(s->manager->bus, &w->owner_call, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "GetNameOwner", on_owner_reply, w, "s",
                                        s->description->bus_name);
}

void bus_name_unwatch(Service *s) {
        s->bus_name = bus_name_watch_free(s->bus_name);
}

bool bus_name_holds_start(Service *s) {
        if (!s->bus_name || s->description->type != SERVICE_DBUS)
                return false;
        s->bus_name->init_ready = true;
        return !s->bus_name->good;
}
