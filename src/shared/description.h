/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup-settings.h"
#include "condition.h"
#include "exit-status.h"
#include "exec-line.h"
#include "health-options.h"
#include "macro.h"
#include "port-spec.h"
#include "socket-spec.h"
#include "sandbox-options.h"
#include "service-name.h"
#include "specifier.h"
#include "time-util.h"

/* The validated model of one service description (NAME.service text). Pure:
 * no bus, no global state, no logging. Used by isolated, isolate-init,
 * isolatectl verify and the tests alike. */

typedef enum ServiceType {
        SERVICE_SIMPLE,
        SERVICE_EXEC,
        SERVICE_FORKING,
        SERVICE_NOTIFY,
        SERVICE_ONESHOT, /* start done once the ExecStart= commands all exited (RemainAfterExit=) */
        SERVICE_DBUS,    /* simple, and start done once BusName= has an owner on the system bus */
        SERVICE_IDLE,    /* simple: systemd only delays it until its job queue is empty */
        _SERVICE_TYPE_MAX,
        _SERVICE_TYPE_INVALID = -EINVAL,
} ServiceType;

const char *service_type_to_string(ServiceType t);
ServiceType service_type_from_string(const char *s);

typedef enum NotifyAccess {
        NOTIFY_ACCESS_NONE,
        NOTIFY_ACCESS_MAIN,
        NOTIFY_ACCESS_EXEC,
        NOTIFY_ACCESS_ALL,
        _NOTIFY_ACCESS_MAX,
        _NOTIFY_ACCESS_INVALID = -EINVAL,
} NotifyAccess;

const char *notify_access_to_string(NotifyAccess a);
NotifyAccess notify_access_from_string(const char *s);

typedef enum KillMode {
        KILL_CONTROL_GROUP,
        KILL_MIXED,
        KILL_PROCESS,
        _KILL_MODE_MAX,
        _KILL_MODE_INVALID = -EINVAL,
} KillMode;

const char *kill_mode_to_string(KillMode m);
KillMode kill_mode_from_string(const char *s);

typedef enum ServiceRestart {
        SERVICE_RESTART_NO,
        SERVICE_RESTART_ON_SUCCESS,
        SERVICE_RESTART_ON_FAILURE,
        SERVICE_RESTART_ON_ABNORMAL,
        SERVICE_RESTART_ON_WATCHDOG,
        SERVICE_RESTART_ON_ABORT,
        SERVICE_RESTART_ALWAYS,
        _SERVICE_RESTART_MAX,
        _SERVICE_RESTART_INVALID = -EINVAL,
} ServiceRestart;

const char *service_restart_to_string(ServiceRestart r);
ServiceRestart service_restart_from_string(const char *s);

/* RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory=: under
 * /run, /var/lib, /var/cache, /var/log. */
typedef enum ExecDirectoryType {
        EXEC_DIRECTORY_RUNTIME,
        EXEC_DIRECTORY_STATE,
        EXEC_DIRECTORY_CACHE,
        EXEC_DIRECTORY_LOGS,
        _EXEC_DIRECTORY_TYPE_MAX,
} ExecDirectoryType;

typedef struct ExecDirectory {
        char **paths; /* relative to the base, normalized, no ".." */
        mode_t mode;  /* default 0755 */
} ExecDirectory;

extern const char *const exec_directory_base[_EXEC_DIRECTORY_TYPE_MAX];

/* A NULL-terminated list of command lines (ExecStartPre= and kin), in order. */
ExecCommand **exec_command_list_free(ExecCommand **l);

#define DESCRIPTION_SIZE_MAX (1024U * 1024U) /* a description file, bytes */
#define DESCRIPTION_ERRORS_MAX 64U         /* errors reported of one description */
#define CGROUP_LIMIT_MAX UINT64_MAX         /* "infinity" */
#define DEFAULT_SLICE "isolated.slice"
#define DEFAULT_TIMEOUT_STOP_USEC (90 * USEC_PER_SEC)
#define DEFAULT_TIMEOUT_START_USEC (90 * USEC_PER_SEC)
#define DEFAULT_RESTART_USEC (100 * USEC_PER_MSEC)
#define DEFAULT_START_LIMIT_INTERVAL_USEC (10 * USEC_PER_SEC)
#define DEFAULT_START_LIMIT_BURST 5U
/* TasksMax= of the scope when the file gives none: a fork bomb stays in its scope. Well above
 * what a daemon runs (systemd's own DefaultTasksMax= is 15% of the host's pid_max). */
#define DEFAULT_TASKS_MAX 4096U
#define DBUS_SYSTEM_BUS_SOCKET "/run/dbus/system_bus_socket" /* bound into a Type=dbus service */

typedef struct Description {
        char *name;              /* NAME, as given; also the default Hostname= and SyslogIdentifier= */
        char *description;       /* [Unit] Description=, NULL if unset */

        ServiceType type;        /* default SERVICE_SIMPLE */
        ExecCommand *exec_start; /* required; the first ExecStart= */
        ExecCommand **exec_start_more; /* Type=oneshot only: the later ExecStart= commands, in order */
        bool remain_after_exit;  /* RemainAfterExit= */
        char *bus_name;          /* BusName=, required by Type=dbus; NULL if unset */
        bool timeout_start_set;  /* TimeoutStartSec= (or TimeoutSec=) given: else oneshot has none */
        ExecCommand **exec_start_pre; /* NULL-terminated lists, run in order inside the sandbox */
        ExecCommand **exec_start_post;
        ExecCommand **exec_reload;
        ExecCommand **exec_stop;
        ExecCommand **exec_condition; /* ExecCondition=: exit 1..254 skips the start, as systemd */
        ExecCommand **exec_stop_post; /* ExecStopPost=: after the service stopped, a failed start too */
        char *pid_file;          /* PIDFile=, an absolute path inside the sandbox; NULL if unset */
        NotifyAccess notify_access; /* default: main for Type=notify, none otherwise */
        bool notify_access_set;
        KillMode kill_mode;      /* default KILL_CONTROL_GROUP */
        ServiceRestart restart;  /* default SERVICE_RESTART_NO */
        usec_t restart_usec;     /* RestartSec=, default 100ms */
        usec_t timeout_start_usec; /* USEC_INFINITY: none */
        usec_t start_limit_interval_usec; /* 0: no start limit */
        unsigned start_limit_burst;
        ExitStatusSet success_status;         /* SuccessExitStatus= */
        ExitStatusSet restart_prevent_status; /* RestartPreventExitStatus= */
        ExitStatusSet restart_force_status;   /* RestartForceExitStatus= */
        usec_t watchdog_usec;    /* WatchdogSec=, 0: none */
        int watchdog_signal;     /* WatchdogSignal=, default SIGABRT */
        usec_t runtime_max_usec; /* RuntimeMaxSec=, USEC_INFINITY: none */
        bool permissions_start_only; /* PermissionsStartOnly=: the commands but ExecStart= skip User= */
        Condition *conditions;   /* [Unit] Condition*=, Assert*=, in order (condition.h) */
        size_t n_conditions;
        ExecDirectory directories[_EXEC_DIRECTORY_TYPE_MAX];
        char **environment;      /* Environment=, KEY=VALUE in order; later wins */
        char **environment_files; /* EnvironmentFile=, absolute paths in order, "-/path" if it may be missing */
        char **unset_environment; /* UnsetEnvironment=, NAME or NAME=VALUE, removed from the whole environment last */
        char *syslog_identifier; /* NULL: use name */
        char *working_directory; /* NULL: / */
        int kill_signal;         /* default SIGTERM */
        usec_t timeout_stop_usec;

        /* Handed to the scope. "set" flags tell an explicit value from the default. */
        char *slice; /* default DEFAULT_SLICE */
        bool memory_max_set;
        uint64_t memory_max; /* bytes, CGROUP_LIMIT_MAX for infinity */
        bool tasks_max_set;  /* true by default: DEFAULT_TASKS_MAX */
        uint64_t tasks_max;
        bool cpu_quota_set;
        usec_t cpu_quota_per_sec_usec;
        CgroupSettings cgroup; /* the other resource-control keys, OOMPolicy= among them */

        /* Sandboxing and credentials of [Service], secure by default. */
        SandboxOptions sandbox;

        /* [Isolate] */
        char *hostname;         /* NULL: use default_hostname */
        char *default_hostname; /* the name, "@" ":" "\\" made "-" (an instance's) */
        NetworkMode network; /* default NETWORK_PRIVATE */
        PortSpec *ports;     /* Port=, in order; "" resets */
        size_t n_ports;
        bool address_set;    /* Address= (Network=veth only); else a default from the pool */
        Ipv4Prefix address;
        SocketSpec *listen;  /* ListenStream=, ListenDatagram=, in order: fds 3, 4, ... of the main process */
        size_t n_listen;
        HealthOptions health; /* HealthCheck= and kin */
} Description;

Description *description_free(Description *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(Description *, description_free);

/* Parses TEXT as the file FILENAME (for messages, e.g. "demo.service" or
 * "/etc/isolated/demo.service") describing service NAME. On failure returns
 * -EINVAL (or -ENOMEM, -E2BIG) and sets *ret_error to every error of the
 * description, one line each ("FILENAME:LINE: what is wrong", or "FILENAME: ..."
 * for whole-file problems such as a missing ExecStart=), in file order, at most
 * DESCRIPTION_ERRORS_MAX of them and a last line counting the rest. Notices
 * (keys accepted but ignored) are appended to *ret_notices if it is not NULL. */
int description_parse(
                const char *name,
                const char *filename,
                const char *text,
                Description **ret,
                char ***ret_notices,
                char **ret_error);

/* As description_parse(), over several files applied in order as one
 * description: the main file (filenames[0]), then its drop-ins. Scalars set
 * later win, lists append, an empty assignment resets; each error names the
 * file and line at fault, "ExecStart= is required" names the main file.
 * Specifiers ("%n", "%H", ...) are resolved as in systemd.unit(5) with the
 * lookups of host (NULL: the real host's; its name and user are ignored). */
int description_parse_files(
                const char *name,
                size_t n_files,
                const char *const *filenames,
                const char *const *texts,
                const SpecifierContext *host,
                Description **ret,
                char ***ret_notices,
                char **ret_error);

/* Hostname to set inside: Hostname= or the name ("@", ":", "\\" of an instance made "-"). */
const char *description_hostname(const Description *d);
/* Identifier for the journal stream: SyslogIdentifier= or the name. */
const char *description_syslog_identifier(const Description *d);
/* OOMPolicy= in effect: as set, else stop (systemd's default for a service). */
OOMPolicy description_oom_policy(const Description *d);
/* NotifyAccess= in effect: as set, else main for Type=notify or with WatchdogSec=, none otherwise. */
NotifyAccess description_notify_access(const Description *d);
