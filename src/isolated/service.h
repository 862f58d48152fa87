/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "description-loader.h"
#include "description.h"
#include "health.h"
#include "scope.h"
#include "service-state.h"
#include "macro.h"
#include "network.h"
#include "time-util.h"
#include "usage.h"

typedef struct Manager Manager;
typedef struct Service Service;
typedef struct PortForwards PortForwards;
typedef struct VethLink VethLink;

struct Service {
        Manager *manager;
        char *name;
        char *path; /* /org/isolated1/service/ESCAPED */
        char *unit; /* isolated-NAME.scope */
        char invocation_id[SCOPE_INVOCATION_ID_MAX]; /* the scope's, for $INVOCATION_ID; "" if unknown */
        DescriptionSources *sources; /* the files parsed, sent to the init and reused by a restart */
        Description *description;

        ServiceState state;
        ServiceResult result; /* decided when the init is gone: service_result_from_facts() */
        int exit_code;      /* CLD_EXITED, CLD_KILLED, CLD_DUMPED; 0 before the end */
        int exit_status;
        char *status_text;
        usec_t start_timestamp; /* CLOCK_REALTIME, when the main process was exec'd */
        usec_t exit_timestamp;  /* CLOCK_REALTIME, when the service ended; 0 before */
        char *start_error;      /* why the start failed, for the caller */
        const char *start_error_name;
        bool start_cancelled;   /* the start_error is a stop asked for while starting */
        int start_errno;        /* from the init's FAILED message */

        pid_t init_pid;
        int init_pidfd;
        uid_t uid_base; /* the first host ID of its user namespace's range, or UID_RANGE_NONE (host root) */
        int userns_fd;  /* its user namespace, until the init has the host's mounts */
        int mntns_fd;   /* the init's mount namespace, until its end is reported (spawn.h) */
        pid_t main_pid;
        bool main_named;   /* the init named a main process once */
        bool end_reported; /* the init sent EXITED before it ended: the end is its main process's */
        int main_pidfd;
        int control_fd;
        sd_event_source *control_source;
        sd_event_source *init_source;
        bool released;    /* the held child was let go */
        bool adopted;     /* found running by a restarted daemon: the init is not our child */
        bool init_stops;  /* the init understands STOP/RELOAD (protocol 3): we started it, or it said STATE= */
        bool start_complete; /* the init reported the start done (STATE= running or later) */
        bool start_timed_out; /* TimeoutStartSec= passed: Result=timeout */
        bool protocol_error;  /* the init sent what the protocol does not allow: Result=protocol */
        unsigned init_version; /* from its HELLO; 0 before it (or an init older than the handshake) */
        bool start_limit_hit;   /* the init gave up restarting: Result=start-limit-hit */
        int init_end_result;    /* EXITED's RESULT= (InitEndResult): watchdog, timeout, exec-condition */
        unsigned n_restarts;    /* restarts in place by Restart= (the init counts) */
        char *oom_counter_path; /* the scope's memory.events (v2) or memory.oom_control (v1) */
        uint64_t oom_kills_base; /* its oom_kill at GO, then when the main process last restarted */
        bool oom_base_set;       /* taken at GO */
        sd_event_source *oom_watch; /* inotify on memory.events (v2) */
        bool oom_killed;        /* an OOM kill since: Result=oom-kill unless OOMPolicy=continue */
        unsigned n_restarts_base; /* restarts by us after OOM kills (the scope stopped), before this init */
        sd_event_source *oom_restart_timer; /* RestartSec= after an OOM kill */
        unsigned oom_restarts;    /* such restarts in the StartLimitIntervalSec= window ... */
        usec_t oom_restart_window; /* ... begun then (CLOCK_MONOTONIC) */
        sd_event_source *start_timer; /* TimeoutStartSec= */
        sd_event_source *stop_timer;  /* a last resort if the init does not finish a STOP */
        sd_bus_message *reload_call;  /* ReloadService waiting for RELOADED */
        struct ShellCalls *shells;    /* isolatectl shell: calls waiting for the init (shell.h) */
        ServiceHealth health;         /* HealthCheck= (health.h) */

        sd_bus_slot *job_call;       /* pending StartTransientUnit */
        sd_bus_slot *invocation_watch; /* PropertiesChanged of the scope until GO (invocation_id) */
        sd_bus_slot *stop_call_slot; /* pending StopUnit */
        char *start_job;             /* systemd job paths we wait for */
        char *stop_job;
        bool scope_stop_issued; /* StopUnit was (or is being) asked */
        bool scope_gone;        /* stop job done, or the scope no longer exists */
        bool stop_requested;

        UsageCache usage;

        ServiceNetwork network; /* Port=, Network=veth, ListenStream=... (network.h) */

        sd_bus_message *start_call;   /* StartService (or Restart) waiting for its reply */
        sd_bus_message *restart_call; /* Restart waiting for the stop to finish */
        sd_bus_message **stop_calls;  /* StopService calls waiting for the end */
        struct ServiceLearn *learn;   /* LearnService: a learning run (learn.h); NULL otherwise */
        struct HostExec *host_exec;   /* a "+" command running on the host (host-exec.h); NULL otherwise */
        struct BusNameWatch *bus_name; /* Type=dbus: BusName= on the system bus (bus-name.h) */
        size_t n_stop_calls;
};

/* Type=dbus: BusName= is the service's now; completes the start if the init reported it done. */
void service_bus_name_ready(Service *s);

/* The PID a pidfd names, as the daemon sees it; 0 if unknown. */
pid_t pidfd_get_pid(int pidfd);
/* Is pid in unit's cgroup (or below it)? A process already gone counts as in. */
bool pid_in_unit(pid_t pid, const char *unit);

/* A service record, not started yet; takes ownership of sources and d (also on failure). */
int service_new(Manager *m, const char *name, DescriptionSources *sources, Description *d, Service **ret);

/* Forks the held child and asks systemd for the scope. The reply to start_call
 * (which it references) is sent when the main process has been exec'd, or when
 * the start failed. On failure nothing is left running. */
int service_start(Service *s, sd_bus_message *start_call);

/* Takes over a running init found by a restarted daemon (fds are taken over). */
int service_adopt(Service *s, pid_t init_pid, int init_pidfd, int control_fd, usec_t start_timestamp);
/* A service that ended while the daemon was away, or whose state is lost. */
void service_set_ended(Service *s, int code, int status, const char *status_text);

/* Stops every process and the scope; reply_to (may be NULL) gets an empty reply
 * once both are gone. May free s (a pending restart starts anew): do not use s after. */
int service_stop(Service *s, sd_bus_message *reply_to);

/* RELOAD to the init; call gets its reply with RELOADED. -EOPNOTSUPP without ExecReload=,
 * -ESRCH if not running, -EBUSY if reloading already. */
int service_reload(Service *s, sd_bus_message *call);

/* Sends signal to the main process or to every process (whom: "main"/"all"). */
int service_kill(Service *s, const char *whom, int signo);

/* systemd's JobRemoved for one of our jobs. May free s. */
void service_job_removed(Service *s, const char *job, const char *result);

/* The one place that assigns s->state: checks the move against service_state_transition_allowed()
 * (a move it does not allow is a programming error: logged, refused), records StartTimestamp (the
 * first move from starting to running or reloading) and ExitTimestamp (the end), and emits
 * PropertiesChanged. Staying in a state does nothing. */
void service_set_state(Service *s, ServiceState state);

/* health.c: the Health property changed. With HealthReady=yes, a start waiting for its first
 * healthy check completes (healthy) or fails (unhealthy, Result=health). */
void service_health_changed(Service *s);

bool service_is_active(const Service *s);
/* Asks systemd for fresh usage figures of a running service's scope. */
void service_usage_refresh(Service *s);
/* The init is gone (reaped, or found gone): derived from the state, which only its end ends. */
bool service_init_exited(const Service *s);

Service *service_free(Service *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Service *, service_free);

/* The verbs, shared by org.isolated1.Manager (by name) and the service objects. */
int service_bus_stop(Service *s, sd_bus_message *m, sd_bus_error *error);
int service_bus_restart(Service *s, sd_bus_message *m, sd_bus_error *error);
int service_bus_reload(Service *s, sd_bus_message *m, sd_bus_error *error);
int service_bus_kill(Service *s, sd_bus_message *m, const char *whom, int signo, sd_bus_error *error);

extern const sd_bus_vtable service_vtable[];
