/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "init-protocol.h"
#include "macro.h"
#include "polkit.h"
#include "seccomp-cache.h"
#include "service.h"
#include "uid-range.h"

#define ISOLATED_BUS_NAME "org.isolated1"
#define ISOLATED_OBJECT_PATH "/org/isolated1"
#define ISOLATED_SERVICE_PREFIX "/org/isolated1/service"
#define ISOLATED_MANAGER_INTERFACE "org.isolated1.Manager"
#define ISOLATED_SERVICE_INTERFACE "org.isolated1.Service"
#define ISOLATED_STATE_DIR INIT_STATE_DIR

struct Manager {
        sd_event *event;
        sd_bus *bus;
        /* Where systemd is asked (scopes, jobs, usage): its private socket when we can connect to it,
         * else the system bus (then the same as bus). A direct connection has no broker in the way:
         * no dbus-daemon hop per call, and none of its limits (128 pending replies a connection),
         * which a thousand starts at once would hit. */
        sd_bus *systemd_bus;
        const char *init_path;
        const char *state_dir;
        Service **services;
        size_t n_services;
        PolkitRegistry *polkit_registry;
        SeccompCache *seccomp_cache;
        UidRangePool uid_ranges; /* the services' user namespaces */
        sd_event_source *trim_source; /* drops ended records over MANAGER_ENDED_MAX */
        sd_event_source *warm_up_source; /* the first idle moment makes the private /run's plan */
        unsigned warm_up_waits;          /* how often it waited for tmpfiles.d to settle */
};

/* The ended services kept (state exited or failed, until reset-failed or the
 * next start of the name), in memory only: an ended service leaves no file in
 * the state directory. Over the cap the oldest successful record goes first,
 * then the oldest failed one. */
#define MANAGER_ENDED_MAX 256

int manager_new(Manager **ret);
/* Makes the plan of a service's private /run (tmpfiles-plan-cache.h) at the first idle moment, so
 * that the first start after the daemon's does not run systemd-tmpfiles (11-16 ms) itself. */
int manager_warm_up(Manager *m);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Connects to the system bus, exports the objects, subscribes to systemd's job
 * signals and takes the bus name. */
int manager_connect_bus(Manager *m);

Service *manager_get_service(Manager *m, const char *name);
/* Reads the service name that starts call, and finds it: a NoSuchService error if there is none. */
int manager_bus_lookup_service(Manager *m, sd_bus_message *call, Service **ret, sd_bus_error *error);
int manager_add_service(Manager *m, Service *s);
/* Drops the service from the list (emitting ServiceRemoved) and frees it. */
void manager_remove_service(Manager *m, Service *s);
/* The service whose start or stop job job_path is, for unit (JobRemoved names both). */
Service *manager_find_service_by_job(Manager *m, const char *unit, const char *job_path);
/* A service ended: the records over MANAGER_ENDED_MAX go, soon (never s itself in its callback). */
void manager_service_ended(Manager *m);

/* Keeps/forgets what a restarted daemon needs to take a running service over. */
int manager_save_service_state(Manager *m, Service *s);
void manager_forget_service_state(Manager *m, Service *s);
/* How the main process ended, as the init recorded it in NAME.exit. */
int manager_read_exit_record(Manager *m, const char *name, int *ret_code, int *ret_status, InitEndResult *ret_result);

/* After a restart: takes over every running isolated-*.scope, and shows the
 * services that ended while the daemon was away. */
int manager_adopt_services(Manager *m);

/* Parses and starts NAME (TEXT empty: load NAME.service from the search path);
 * the reply to call is sent when the start finishes. Returns 1 when the reply
 * is pending, or <0 with error set. A stopped service of the same name is replaced. */
int manager_start_service(Manager *m, const char *name, const char *text, sd_bus_message *call, sd_bus_error *error);
/* Starts NAME from already loaded sources (a restart reuses them); takes ownership of sources. */
int manager_start_sources(Manager *m, const char *name, DescriptionSources *sources, sd_bus_message *call,
                          sd_bus_error *error);
/* The same, with PREPARE called on the new service just before it starts (learn attaches its
 * state there: the init gets the start data right after the fork). */
typedef void (*ServicePrepare)(Service *s, void *userdata);
int manager_start_sources_prepared(Manager *m, const char *name, DescriptionSources *sources,
                                   sd_bus_message *call, ServicePrepare prepare, void *userdata,
                                   sd_bus_error *error);

/* Root may; others need polkit's org.isolated1.manage. Returns 1 if allowed,
 * 0 if polkit was asked (the call is dispatched again once it answered), <0
 * with error set (AccessDenied) if not. */
int manager_check_manage(Manager *m, sd_bus_message *call, const char *verb, const char *name,
                         sd_bus_error *error);
