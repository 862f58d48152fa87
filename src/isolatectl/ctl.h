/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "macro.h"
#include "strv.h"

#define BUS_NAME "org.isolated1"
#define MANAGER_PATH "/org/isolated1"
#define MANAGER_IFACE "org.isolated1.Manager"
#define SERVICE_IFACE "org.isolated1.Service"
#define SERVICE_PATH_PREFIX "/org/isolated1/service"

/* Exit codes as systemctl's (LSB). A verb returns one of these, never -errno:
 * it has printed its one-line error already. */
enum {
        EXIT_OK = 0,
        EXIT_FAIL = 1,
        EXIT_NOT_RUNNING = 3,
        EXIT_NO_SUCH = 4,
};

/* The last call_manager() was answered "ConditionFailed": a start skipped, no failure. */
extern bool call_skipped;

/* Command line state, set by main() and read by the verbs. */
extern const char *arg_host;
extern const char *arg_output;
extern const char *arg_signal;
extern const char *arg_kill_whom;
extern int arg_lines; /* -1: not given */
extern bool arg_quiet;
extern bool arg_all;
extern bool arg_wait;
extern bool arg_follow;
extern bool arg_value;
extern char **arg_properties;
extern bool arg_ask_password; /* false with --no-ask-password */
extern bool arg_legend;       /* false with --no-legend */
extern bool arg_full;         /* edit --full */
extern bool arg_runtime;      /* edit, enable, disable --runtime */
extern bool arg_now;          /* enable, disable --now */

/* ctl-agent.c: pkttyagent for a non-root caller on a terminal, as systemctl's. */
void polkit_agent_open_if_enabled(void);
void polkit_agent_close(void);

/* ctl-util.c */
int read_text_file(const char *path, size_t max, char **ret);
void format_bytes(char *buf, size_t size, uint64_t v);
void json_string(const char *s);
int exit_status_to_code(const char *exit_code, int32_t exit_status, const char *result);
/* One line on stderr for verbs that read local files or enter local processes. */
int refuse_remote(const char *verb);

/* ctl-bus.c */
int connect_bus(sd_bus **ret);
int exit_code_for_error(const sd_bus_error *e);
/* The one line for a failed call of the manager's ("Failed to WHAT: ..."). */
void log_call_error(const char *what, const sd_bus_error *error, int r);
/* Calls a Manager method; on error prints one line and returns the exit code. */
int call_manager(sd_bus *bus, const char *method, sd_bus_message **ret_reply, const char *what, const char *types,
                 ...);
int service_object_path(const char *name, char **ret);
int get_service_path(sd_bus *bus, const char *name, char **ret_path);

typedef struct NamespaceInfo {
        char type[16];
        uint64_t inode;
} NamespaceInfo;

typedef struct ServiceInfo {
        char *name, *description, *state, *result, *unit, *exit_code, *status_text, *hostname;
        uint32_t init_pid, main_pid, n_restarts;
        int32_t exit_status;
        uint64_t start_timestamp, memory_current, tasks_current, cpu_usage_nsec;
        NamespaceInfo namespaces[8];
        size_t n_namespaces;
} ServiceInfo;

void service_info_done(ServiceInfo *i);
int get_service_info(sd_bus *bus, const char *path, ServiceInfo *info);
int get_state(sd_bus *bus, const char *name, char **ret_state);
bool state_is_active(const char *state);

/* ctl-logs.c */
int show_journal(const char *unit, int lines, bool follow, bool quiet);
/* As show_journal(), with last_run only the entries of one run of the scope: those of invocation_id
 * (32 hex digits), or if NULL, of the newest run the journal has; all if no entry has an ID. */
int show_journal_run(const char *unit, const char *invocation_id, bool last_run, int lines, bool follow, bool quiet);
/* Text of the service's (its log, its STATUS=) on stdout, a control character as \xNN. */
void print_escaped(const char *text, size_t n);

/* The verbs: argv[0] is the verb. bus is NULL for local verbs. */
int verb_start(sd_bus *bus, int argc, char **argv);
int verb_simple(sd_bus *bus, int argc, char **argv);
int verb_kill(sd_bus *bus, int argc, char **argv);
int verb_status(sd_bus *bus, int argc, char **argv);
int verb_show(sd_bus *bus, int argc, char **argv);
int verb_is(sd_bus *bus, int argc, char **argv);
int verb_list(sd_bus *bus, int argc, char **argv);
int verb_shell(sd_bus *bus, int argc, char **argv);
int verb_logs(sd_bus *bus, int argc, char **argv);
int verb_cat(sd_bus *bus, int argc, char **argv);
int verb_verify(sd_bus *bus, int argc, char **argv);
int verb_edit(sd_bus *bus, int argc, char **argv);
int verb_enable(sd_bus *bus, int argc, char **argv);   /* enable, disable, is-enabled */
int verb_security(sd_bus *bus, int argc, char **argv);
