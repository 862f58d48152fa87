/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "description.h"
#include "sandbox-process.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Reads the host's locale (/etc/locale.conf, else /etc/default/locale): LANG and LC_*, or
 * LANG=C.UTF-8 if none is set, as systemd passes them. Before the sandbox's mounts. -ENOMEM. */
int spawn_load_locale(void);

/* The service's environment: PATH, the locale, JOURNAL_STREAM when stream_fd is a journal
 * stream, then Environment= in order, a later KEY replacing an earlier one. */
int spawn_build_environment(const Description *d, int stream_fd, char ***ret);

/* The process attributes of every command (Limit*=, OOMScoreAdjust=, Nice=, CPU and IO scheduling,
 * CPUAffinity=, NUMAPolicy=, TimerSlackNSec=), as the init can apply them: what it may not set is
 * clamped as systemd clamps (setrlimit_closest(), setpriority_closest()), with a notice in the
 * init's log, once, when the context is prepared. Applied in the child before the credential
 * change. */
typedef struct SpawnAttributes {
        bool rlimit_set[SANDBOX_RLIMIT_MAX];
        struct rlimit rlimits[SANDBOX_RLIMIT_MAX];
        bool oom_score_adjust_set;
        int oom_score_adjust;
        bool nice_set;
        int nice;
        bool sched_set;
        int sched_policy; /* with SCHED_RESET_ON_FORK */
        int sched_priority;
        bool ioprio_set;
        int ioprio; /* IOPRIO_PRIO_VALUE() */
        bool affinity_set;
        cpu_set_t affinity;
        int numa_policy; /* -1: unset */
        unsigned long numa_mask[16];
        uint64_t timer_slack_nsec; /* UINT64_MAX: unset */
} SpawnAttributes;

/* Computes a from o in the init (reads its own limits and values), telling what it clamps on
 * stream_fd (the service's journal stream; the init's log if negative). */
void spawn_attributes_prepare(const SandboxOptions *o, int stream_fd, SpawnAttributes *a);

/* What every command of the service shares (ExecStartPre= to ExecStop=): the
 * environment (EnvironmentFile= read once, in the sandbox's view), User= and
 * the seccomp filter, prepared once after the mounts. */
typedef struct SpawnContext {
        const Description *description;
        int stream_fd; /* not owned; the init's stderr if negative */
        char **env;
        SandboxProcess sandbox;
        SpawnAttributes attributes;
        const int *listen_fds; /* not owned: ListenStream=, ListenDatagram= */
        size_t n_listen_fds;
        char **listen_env; /* LISTEN_PID (filled in by the child), LISTEN_FDS, LISTEN_FDNAMES */
        /* EnvironmentFile= texts the daemon read (environment_files_preload()), set before
         * spawn_context_prepare(); not owned. */
        const char *preloaded_env;
        size_t preloaded_env_size;
} SpawnContext;

#define LISTEN_PID_DIGITS 10

/* extra_env: "NOTIFY_SOCKET=..." and the like, added to the environment.
 * seccomp: the filter the daemon built, taken over (also on failure); NULL:
 * built here. */
int spawn_context_prepare(SpawnContext *c, const Description *d, int stream_fd, char *const *extra_env,
                          struct sock_fprog *seccomp, char **ret_error);
void spawn_context_done(SpawnContext *c);

/* Forks and execs cmd with stdin on /dev/null and stdout/stderr on the stream,
 * the sandbox's credentials and filter applied, main_pid (if > 0) as
 * $MAINPID. Returns once the exec succeeded, with the PID. If the exec or
 * anything before it failed, reaps the child, returns -errno and sets
 * *ret_error ("Failed to execute /x: No such file or directory"). */
int spawn_command(const SpawnContext *c, const ExecCommand *cmd, pid_t main_pid, pid_t *ret_pid, char **ret_error);

/* The listening sockets (fds, not taken over) that every main process gets
 * as fds 3... with LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES ("NAME.socket"
 * for each, as systemd names a socket unit's). -ENOMEM. */
int spawn_context_set_listen_fds(SpawnContext *c, const char *name, const int *fds, size_t n);

/* After a spawn that failed in the child at a key's stage (Limit*=, Standard*=, Nice=, ...): the
 * wait status systemd's child would have ended with (W_EXITCODE(205, 0) for EXIT_LIMITS, ...), so
 * the run ends as systemd's would ("exited, status 205"); -1 for any other failure. */
int spawn_failure_wait_status(void);

/* spawn_command() of ExecStart=, as the main process: with the listening sockets. */
int spawn_main_command(const SpawnContext *c, pid_t *ret_pid, char **ret_error);
/* The same for one command of ExecStart= (Type=oneshot runs each as the main process in turn). */
int spawn_main_command_of(const SpawnContext *c, const ExecCommand *cmd, pid_t *ret_pid, char **ret_error);

/* A command started for the administrator (isolatectl shell), with the
 * service's credentials and filter as spawn_command() applies them, its own
 * session, and nothing of the init: argv as given (argv[0] searched in the
 * service's PATH), the service's environment without JOURNAL_STREAM and
 * NOTIFY_SOCKET, plus TERM=term if not NULL (and USER, LOGNAME, HOME of root
 * without User=); stdio[0..2] its only fds, every other closed in the child
 * right after fork; non-dumpable until exec. controlling_tty: stdin is a
 * terminal of the service's own devpts, made the session's. */
typedef struct SpawnShell {
        char *const *argv;
        const char *term;
        const int *stdio;
        bool controlling_tty;
} SpawnShell;

#define SPAWN_SHELL_EXEC_TIMEOUT_MSEC 10000 /* a shell not exec'd by then is killed: -ETIMEDOUT */

int spawn_shell(const SpawnContext *c, const SpawnShell *shell, pid_t *ret_pid, char **ret_error);

/* spawn_context_prepare() and spawn_main_command() in one. */
int spawn_main(const Description *d, int stream_fd, pid_t *ret_pid, char **ret_error);
