/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exec-line.h"
#include "macro.h"
#include "port-spec.h"
#include "sandbox-options.h"
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
        _SERVICE_TYPE_MAX,
        _SERVICE_TYPE_INVALID = -EINVAL,
} ServiceType;

const char *service_type_to_string(ServiceType t);
ServiceType service_type_from_string(const char *s);

#define DESCRIPTION_SIZE_MAX (1024U * 1024U) /* a description file, bytes */
#define CGROUP_LIMIT_MAX UINT64_MAX         /* "infinity" */
#define DEFAULT_SLICE "isolated.slice"
#define DEFAULT_TIMEOUT_STOP_USEC (90 * USEC_PER_SEC)

typedef struct Description {
        char *name;              /* NAME, as given; also the default Hostname= and SyslogIdentifier= */
        char *description;       /* [Unit] Description=, NULL if unset */

        ServiceType type;        /* default SERVICE_SIMPLE */
        ExecCommand *exec_start; /* required; exactly one (for every Type= in this version) */
        char **environment;      /* Environment=, KEY=VALUE in order; later wins */
        char **environment_files; /* EnvironmentFile=, absolute paths in order, "-/path" if it may be missing */
        char *syslog_identifier; /* NULL: use name */
        char *working_directory; /* NULL: / */
        int kill_signal;         /* default SIGTERM */
        usec_t timeout_stop_usec;

        /* Handed to the scope. "set" flags tell an explicit value from the default. */
        char *slice; /* default DEFAULT_SLICE */
        bool memory_max_set;
        uint64_t memory_max; /* bytes, CGROUP_LIMIT_MAX for infinity */
        bool tasks_max_set;
        uint64_t tasks_max;
        bool cpu_quota_set;
        usec_t cpu_quota_per_sec_usec;

        /* Sandboxing and credentials of [Service], secure by default. */
        SandboxOptions sandbox;

        /* [Isolate] */
        char *hostname; /* NULL: use name */
        NetworkMode network; /* default NETWORK_PRIVATE */
        PortSpec *ports;     /* Port=, in order; "" resets */
        size_t n_ports;
        bool address_set;    /* Address= (Network=veth only); else a default from the pool */
        Ipv4Prefix address;
} Description;

Description *description_free(Description *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(Description *, description_free);

/* Parses TEXT as the file FILENAME (for messages, e.g. "demo.service" or
 * "/etc/isolated/demo.service") describing service NAME. On failure returns
 * -EINVAL (or -ENOMEM, -E2BIG) and sets *ret_error to one line naming
 * "FILENAME:LINE: what is wrong" (or "FILENAME: ..." for whole-file problems
 * such as a missing ExecStart=). Notices (keys accepted but ignored) are
 * appended to *ret_notices if it is not NULL. */
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

/* [A-Za-z0-9_.-]{1,64}, no leading dot. */
bool service_name_is_valid(const char *name);

/* Hostname to set inside: Hostname= or the name. */
const char *description_hostname(const Description *d);
/* Identifier for the journal stream: SyslogIdentifier= or the name. */
const char *description_syslog_identifier(const Description *d);
