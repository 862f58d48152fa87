/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "macro.h"
#include "fault.h"
#include "scope.h"
#include "service-name.h"
#include "time-util.h"

#define SYSTEMD_DEST "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"

char *scope_unit_name(const char *service_name) {
        return service_name_to_scope(service_name);
}

/* One resource-control key of the file as the scope property of the same name. */
static int append_cgroup_setting(sd_bus_message *m, const CgroupSetting *s) {
        int r;

        switch (s->kind) {
        case CGROUP_VALUE_U64:
                return sd_bus_message_append(m, "(sv)", s->property, "t", s->value);
        case CGROUP_VALUE_U32:
                return sd_bus_message_append(m, "(sv)", s->property, "u", (uint32_t) s->value);
        case CGROUP_VALUE_STRING:
                return sd_bus_message_append(m, "(sv)", s->property, "s", s->string);
        default:
                break;
        }

        r = sd_bus_message_open_container(m, 'r', "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", s->property);
        if (r < 0)
                return r;
        switch (s->kind) {
        case CGROUP_VALUE_BITMASK:
                r = sd_bus_message_open_container(m, 'v', "ay");
                if (r >= 0)
                        r = sd_bus_message_append_array(m, 'y', s->bitmask, s->n_bitmask);
                break;
        case CGROUP_VALUE_PATH_U64:
                r = sd_bus_message_open_container(m, 'v', "a(st)");
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'a', "(st)");
                for (size_t i = 0; r >= 0 && i < s->n_items; i++)
                        r = sd_bus_message_append(m, "(st)", s->items[i].path, s->items[i].value);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                break;
        case CGROUP_VALUE_PATH_STRING:
                r = sd_bus_message_open_container(m, 'v', "a(ss)");
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'a', "(ss)");
                for (size_t i = 0; r >= 0 && i < s->n_items; i++)
                        r = sd_bus_message_append(m, "(ss)", s->items[i].path, s->items[i].string);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                break;
        case CGROUP_VALUE_ADDRESSES:
                r = sd_bus_message_open_container(m, 'v', "a(iayu)");
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'a', "(iayu)");
                for (size_t i = 0; r >= 0 && i < s->n_items; i++) {
                        const CgroupItem *a = &s->items[i];

                        r = sd_bus_message_open_container(m, 'r', "iayu");
                        if (r >= 0)
                                r = sd_bus_message_append(m, "i", (int32_t) a->family);
                        if (r >= 0)
                                r = sd_bus_message_append_array(m, 'y', a->address, a->family == AF_INET ? 4 : 16);
                        if (r >= 0)
                                r = sd_bus_message_append(m, "u", (uint32_t) a->prefixlen);
                        if (r >= 0)
                                r = sd_bus_message_close_container(m);
                }
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                break;
        default:
                return -EINVAL;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m); /* the variant */
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
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
        /* The other resource-control keys, OOMPolicy= among them (unset: systemd's default). */
        for (size_t i = 0; i < d->cgroup.n; i++) {
                r = append_cgroup_setting(m, &d->cgroup.settings[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Before StartTransientUnit the previous scope of the name must be gone, or
 * systemd refuses the new one ("already loaded or has a fragment file"). A
 * scope whose processes all ended lingers until systemd notices that its cgroup
 * is empty (on cgroup v1 that takes a while), an inactive or failed one until
 * it is collected. So: watch UnitRemoved for the name, then GetUnit; if the
 * unit is there, reset it (a failed one is collected only then) and wait for
 * its removal; after SCOPE_WAIT_STOP_USEC stop it (the previous run is over:
 * what is left of it goes, as systemd stops a service's cgroup once its main
 * process is gone); after SCOPE_WAIT_MAX_USEC start anyway and let systemd's
 * answer say why not. All asynchronous: the caller's slot is the UnitRemoved
 * match, and dropping it cancels the whole operation. */
#define SCOPE_WAIT_STOP_USEC (2 * USEC_PER_SEC)
#define SCOPE_WAIT_MAX_USEC (15 * USEC_PER_SEC)
#define SCOPE_WAIT_PROBE_USEC (250 * USEC_PER_MSEC)

typedef struct ScopeStart {
        sd_bus *bus;
        char *unit;
        sd_bus_message *message; /* StartTransientUnit, ready to send */
        sd_bus_message *probe;   /* the GetUnit call, to answer the caller with an error of our own */
        sd_bus_message_handler_t callback;
        void *userdata;
        sd_bus_slot *call; /* the pending GetUnit, ResetFailedUnit, StopUnit or StartTransientUnit */
        sd_event_source *timer;
        pid_t pid;    /* the process the scope is to hold */
        usec_t since; /* CLOCK_MONOTONIC when the wait began; 0: no wait */
        bool removed; /* UnitRemoved came */
        bool stop_issued;
        bool sent; /* StartTransientUnit is out */
        bool first_try; /* sent before any question: UnitExists sends us to the probe */
} ScopeStart;

static void scope_start_free(void *userdata) {
        ScopeStart *op = userdata;

        if (!op)
                return;
        sd_bus_slot_unref(op->call);
        sd_event_source_disable_unref(op->timer);
        sd_bus_message_unref(op->message);
        sd_bus_message_unref(op->probe);
        sd_bus_unref(op->bus);
        free(op->unit);
        free(op);
}

static int scope_start_probe(ScopeStart *op);
static void scope_start_fail(ScopeStart *op, int error);

static int on_start_transient_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        ScopeStart *op = userdata;
        sd_bus_message_handler_t callback = op->callback;
        void *u = op->userdata;
        int r;

        /* The first try found the previous scope of the name still there: systemd refused without
         * doing anything, so the wait below begins, and the same call goes out once it is gone. */
        if (op->first_try) {
                op->first_try = false;
                if (sd_bus_message_is_method_error(reply, "org.freedesktop.systemd1.UnitExists")) {
                        op->call = sd_bus_slot_unref(op->call);
                        op->sent = false;
                        r = scope_start_probe(op);
                        if (r < 0)
                                scope_start_fail(op, r);
                        return 0;
                }
        }

        /* The caller usually drops its slot here, which frees op: nothing of op after this. */
        return callback(reply, u, ret_error);
}

/* A step failed locally: the caller hears it as an error reply, as from systemd. */
static void scope_start_fail(ScopeStart *op, int error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

        op->sent = true;
        op->timer = sd_event_source_disable_unref(op->timer);
        if (!op->probe ||
            (error == -ESRCH ? sd_bus_message_new_method_errorf(op->probe, &reply, SD_BUS_ERROR_FAILED,
                                                                "The process for %s is gone (it ended while the "
                                                                "previous scope of the name was going)",
                                                                op->unit)
                             : sd_bus_message_new_method_errorf(op->probe, &reply, SD_BUS_ERROR_FAILED,
                                                                "Cannot ask systemd for %s: %s", op->unit,
                                                                strerror(-error))) < 0) {
                log_error_errno(error, "%s: cannot ask systemd for the scope: %m", op->unit);
                return;
        }
        (void) on_start_transient_reply(reply, op, &e);
}

/* The held child, still there: alive, not a zombie, and ours. After a wait it may have been
 * killed (a stop or a timeout while waiting), and a new scope must not take what its PID is now. */
static bool pid_is_live_child(pid_t pid) {
        char path[64], buf[512], *p, state;
        int ppid = 0;
        FILE *f;
        bool ok;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return false;
        ok = fgets(buf, sizeof(buf), f) != NULL;
        fclose(f);
        if (!ok || !(p = strrchr(buf, ')')))
                return false;
        if (sscanf(p + 1, " %c %d", &state, &ppid) != 2)
                return false;
        return state != 'Z' && state != 'X' && ppid == getpid();
}

static void scope_start_send(ScopeStart *op) {
        int r;

        if (op->sent)
                return;
        if (op->since > 0 && !pid_is_live_child(op->pid)) {
                scope_start_fail(op, -ESRCH);
                return;
        }
        op->sent = true;
        op->timer = sd_event_source_disable_unref(op->timer);
        op->call = sd_bus_slot_unref(op->call);
        if (op->since > 0)
                log_debug("%s: the previous scope of the name went in %llu ms.", op->unit,
                          (unsigned long long) ((now_usec(CLOCK_MONOTONIC) - op->since) / USEC_PER_MSEC));
        r = sd_bus_call_async(op->bus, &op->call, op->message, on_start_transient_reply, op, 0);
        if (r < 0) {
                scope_start_fail(op, r);
                return;
        }
        fault_point("start-scope-requested");
}

static int on_unit_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        ScopeStart *op = userdata;
        const char *id;

        if (op->sent || sd_bus_message_read(m, "s", &id) < 0 || strcmp(id, op->unit) != 0)
                return 0;
        op->removed = true;
        if (op->since > 0) /* waiting for it, not still asking whether it is there */
                scope_start_send(op);
        return 0;
}

static int on_wait_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        ScopeStart *op = userdata;

        /* ResetFailedUnit or StopUnit: only their effect matters, the removal. */
        op->call = sd_bus_slot_unref(op->call);
        return 0;
}

static int on_wait_timer(sd_event_source *source, uint64_t usec, void *userdata);

static int on_load_state_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        ScopeStart *op = userdata;
        const char *state = NULL;
        int r;

        op->call = sd_bus_slot_unref(op->call);
        if (op->removed || sd_bus_message_is_method_error(reply, NULL) ||
            sd_bus_message_read(reply, "v", "s", &state) < 0 || strcmp(state, "not-found") == 0 ||
            strcmp(state, "stub") == 0) {
                /* Gone, or a name only looked at (systemctl status): systemd takes a new scope of it. */
                scope_start_send(op);
                return 0;
        }
        if (op->since > 0)
                return 0; /* waiting already */
        op->since = now_usec(CLOCK_MONOTONIC);
        r = sd_event_add_time(sd_bus_get_event(op->bus), &op->timer, CLOCK_MONOTONIC,
                              op->since + SCOPE_WAIT_PROBE_USEC, 0, on_wait_timer, op);
        if (r < 0) {
                scope_start_fail(op, r);
                return 0;
        }
        /* A failed unit is collected only once reset; for any other this does nothing. */
        r = sd_bus_call_method_async(op->bus, &op->call, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                     "ResetFailedUnit", on_wait_reply, op, "s", op->unit);
        if (r < 0)
                scope_start_fail(op, r);
        return 0;
}

static int on_get_unit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        ScopeStart *op = userdata;
        const char *path;
        int r;

        op->call = sd_bus_slot_unref(op->call);
        /* NoSuchUnit, or any other error: systemd's answer to the start will say. */
        if (op->removed || sd_bus_message_is_method_error(reply, NULL) || sd_bus_message_read(reply, "o", &path) < 0) {
                scope_start_send(op);
                return 0;
        }
        r = sd_bus_call_method_async(op->bus, &op->call, SYSTEMD_DEST, path, "org.freedesktop.DBus.Properties", "Get",
                                     on_load_state_reply, op, "ss", "org.freedesktop.systemd1.Unit", "LoadState");
        if (r < 0)
                scope_start_fail(op, r);
        return 0;
}

/* GetUnit, then its LoadState: only a unit in memory is asked about, so the question loads nothing. */
static int scope_start_probe(ScopeStart *op) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *probe = NULL;
        int r;

        r = sd_bus_message_new_method_call(op->bus, &probe, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "GetUnit");
        if (r < 0)
                return r;
        r = sd_bus_message_append(probe, "s", op->unit);
        if (r < 0)
                return r;
        r = sd_bus_call_async(op->bus, &op->call, probe, on_get_unit_reply, op, 0);
        if (r < 0)
                return r;
        if (!op->probe)
                op->probe = TAKE_PTR(probe); /* sealed now: an error of ours can answer it */
        return 0;
}

/* Every SCOPE_WAIT_PROBE_USEC: asked again (UnitRemoved is the quick way, not the only one). */
static int on_wait_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        ScopeStart *op = userdata;
        usec_t waited = usec - op->since;
        int r;

        if (waited >= SCOPE_WAIT_MAX_USEC) {
                log_warning("%s: the previous scope of the name is still there after %llu s, starting anyway.",
                            op->unit, (unsigned long long) (waited / USEC_PER_SEC));
                scope_start_send(op);
                return 0;
        }
        r = sd_event_source_set_time(source, usec + SCOPE_WAIT_PROBE_USEC);
        if (r >= 0)
                r = sd_event_source_set_enabled(source, SD_EVENT_ONESHOT);
        if (r < 0) {
                scope_start_fail(op, r);
                return 0;
        }
        if (op->call)
                return 0; /* a question is out */
        if (waited >= SCOPE_WAIT_STOP_USEC && !op->stop_issued) {
                log_notice("%s: the previous scope of the name is still there after %llu ms, stopping it.", op->unit,
                           (unsigned long long) (waited / USEC_PER_MSEC));
                op->stop_issued = true;
                r = sd_bus_call_method_async(op->bus, &op->call, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                             "StopUnit", on_wait_reply, op, "ss", op->unit, "replace");
        } else
                r = scope_start_probe(op);
        if (r < 0)
                scope_start_fail(op, r);
        return 0;
}

static int scope_start_new(sd_bus *bus, const char *unit, sd_bus_message *message,
                           sd_bus_message_handler_t callback, void *userdata, ScopeStart **ret) {
        ScopeStart *op;

        op = calloc(1, sizeof(ScopeStart));
        if (!op)
                return -ENOMEM;
        op->unit = strdup(unit);
        if (!op->unit) {
                free(op);
                return -ENOMEM;
        }
        op->bus = sd_bus_ref(bus);
        op->message = sd_bus_message_ref(message);
        op->callback = callback;
        op->userdata = userdata;
        *ret = op;
        return 0;
}

int scope_start(sd_bus *bus, const char *unit, const Description *d, pid_t pid,
                sd_bus_message_handler_t callback, void *userdata, sd_bus_slot **ret_slot) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *match = NULL;
        _cleanup_free_ char *rule = NULL;
        ScopeStart *op = NULL;
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

        r = scope_start_new(bus, unit, m, callback, userdata, &op);
        if (r < 0)
                return r;
        op->pid = pid;
        /* The match first: a removal after GetUnit's answer cannot slip past. */
        /* On systemd's private socket its messages carry no sender. */
        if (asprintf(&rule,
                     "type='signal',%spath='" SYSTEMD_PATH "',interface='" SYSTEMD_MANAGER
                     "',member='UnitRemoved',arg0='%s'",
                     sd_bus_is_bus_client(bus) > 0 ? "sender='" SYSTEMD_DEST "'," : "", unit) < 0) {
                scope_start_free(op);
                return -ENOMEM;
        }
        r = sd_bus_add_match_async(bus, &match, rule, on_unit_removed, NULL, op);
        if (r < 0) {
                scope_start_free(op);
                return r;
        }
        r = sd_bus_slot_set_destroy_callback(match, scope_start_free);
        if (r < 0) {
                scope_start_free(op);
                return r;
        }
        /* From here op goes with the match. Usually no scope of the name is left (the first start
         * of a name, or the previous scope long gone): the call goes out at once, without a round
         * trip to ask first, and systemd's UnitExists starts the wait. op->message answers for an
         * error of ours meanwhile. */
        op->first_try = op->sent = true;
        op->probe = sd_bus_message_ref(m);
        r = sd_bus_call_async(bus, &op->call, m, on_start_transient_reply, op, 0);
        if (r < 0)
                return r;
        fault_point("start-scope-requested");
        *ret_slot = TAKE_PTR(match);
        return 0;
}

bool scope_start_cancel(sd_bus_slot **slot) {
        sd_bus_destroy_t destroy = NULL;
        ScopeStart *op;

        if (!*slot || sd_bus_slot_get_destroy_callback(*slot, &destroy) <= 0 || destroy != scope_start_free)
                return false;
        op = sd_bus_slot_get_userdata(*slot);
        if (op->sent)
                return false;
        *slot = sd_bus_slot_unref(*slot);
        return true;
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

/* PropertiesChanged of org.freedesktop.systemd1.Unit: InvocationID if it is among them (0 if not). */
int scope_read_changed_invocation_id(sd_bus_message *m, char ret[static SCOPE_INVOCATION_ID_MAX]) {
        const char *iface, *name;
        int r;

        r = sd_bus_message_read(m, "s", &iface);
        if (r < 0)
                return r;
        if (strcmp(iface, "org.freedesktop.systemd1.Unit") != 0)
                return 0;
        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                if (strcmp(name, "InvocationID") == 0) {
                        r = scope_read_invocation_id(m, ret);
                        return r < 0 ? r : 1;
                }
                r = sd_bus_message_skip(m, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        }
        return r < 0 ? r : 0;
}

int scope_watch_invocation_id(sd_bus *bus, const char *unit, sd_bus_message_handler_t callback, void *userdata,
                              sd_bus_slot **ret_slot) {
        _cleanup_free_ char *path = NULL;
        int r;

        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
        if (r < 0)
                return r;
        return sd_bus_match_signal_async(bus, ret_slot, sd_bus_is_bus_client(bus) > 0 ? SYSTEMD_DEST : NULL, path,
                                         "org.freedesktop.DBus.Properties", "PropertiesChanged", callback, NULL,
                                         userdata);
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
