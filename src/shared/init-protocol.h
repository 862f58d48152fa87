/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The conversation between isolated and isolate-init over one AF_UNIX
 * SOCK_SEQPACKET socket pair. Each message is one datagram of text: a verb,
 * then (for some) a newline and a payload. The init's end of the pair is its
 * file descriptor INIT_CONTROL_FD (not O_CLOEXEC in the init, O_CLOEXEC for
 * everything the init starts).
 *
 * The daemon forks the child with its new namespaces and holds it: the child
 * blocks reading its end until the daemon releases it, which it does at once
 * (before it asks systemd for the scope); then:
 *
 * daemon -> init
 *   "RELEASE"                   exec isolate-init
 *                               (read by the held child, before exec).
 *   "MOUNTS\nPATH\nPATH..."      with a user namespace (not with HostRoot=yes):
 *                               one detached copy of a host mount per PATH,
 *                               as SCM_RIGHTS in the same order, parents first
 *                               (host-mounts.h): the init builds the service's
 *                               root from them. Sent right after RELEASE.
 *   "START 6\nNAME\nINVOCATION_ID\nFDS ROLE...\nSOURCES"
 *                               protocol version 6; NAME of the service, the
 *                               scope's invocation ID (32 hex digits, for
 *                               $INVOCATION_ID; empty if unknown: the daemon
 *                               sends START before the scope exists, and the
 *                               ID comes with GO), the roles
 *                               of the fds after the listening sockets (each of
 *                               "readopt", "exit", "seccomp" at most once, in
 *                               the order of the fds), and the description's
 *                               files (main file, then drop-ins) as
 *                               description_sources_serialize() writes them,
 *                               already validated; the init parses them again
 *                               with description_parse_sources(). Carries, as
 *                               SCM_RIGHTS, one listening socket per
 *                               ListenStream=/ListenDatagram= in order, which
 *                               the init keeps and hands to every main process
 *                               it starts (LISTEN_FDS), then the fds the roles
 *                               name: "readopt" the listening NAME.sock a
 *                               restarted daemon connects to, "exit" NAME.exit
 *                               open for writing (both made by the daemon in
 *                               its state directory, so the init holds no fd of
 *                               a directory of the host), "seccomp" the filter
 *                               the daemon built, in a sealed memfd
 *                               (seccomp-filter.h; without it the init builds
 *                               the filter itself), "env" the texts of the
 *                               EnvironmentFile= files below /etc/isolated or
 *                               /run/isolated (which the service never sees),
 *                               read by the daemon, in a sealed memfd
 *                               ("PATH\0TEXT\0..."), "learn" (isolatectl learn:
 *                               the host's mounts become throwaway overlays,
 *                               the filter's refusals are recorded and let
 *                               through, and the init writes what it saw to
 *                               this memfd before EXITED or FAILED; the
 *                               daemon then sends no "seccomp"), "tmpfiles"
 *                               the private /run's plan (tmpfiles-plan.h), a
 *                               sealed memfd the daemon shares among inits
 *                               (map it, never read(): the offset is shared;
 *                               without it the init runs systemd-tmpfiles).
 *   "GO\nINVOCATION_ID"         the scope's start job is done (the init is in
 *                               the scope's cgroup) and the network is up: the
 *                               init may create its cgroup namespace, mount
 *                               the cgroup hierarchies and start the service.
 *                               Until GO the init builds the rest of the
 *                               sandbox (mounts, /dev, /proc, /sys, the
 *                               filter read) while systemd runs the job, but
 *                               forks nothing; EOF instead of GO: it exits.
 *                               INVOCATION_ID as in START (empty if unknown),
 *                               which the init takes instead of START's when
 *                               not empty. Sent once, after START.
 *   "HELLO VERSION"             right after a re-adopting daemon connected:
 *                               the daemon's protocol version (START names it
 *                               on the first connection).
 *   "KILL main SIG" / "KILL all SIG"
 *                               forward signal SIG (a number) to the main
 *                               process or to every process of the namespace.
 *   "STOP"                      stop the service: ExecStop= (with $MAINPID),
 *                               then KillSignal= as KillMode= says, SIGKILL
 *                               after TimeoutStopSec=; then EXITED, and the
 *                               init exits. Valid in every phase, the start
 *                               included (ExecStop= runs only once the main
 *                               process was started).
 *   "RELOAD"                    run ExecReload= (with $MAINPID); answered by
 *                               RELOADED.
 *   "RESTART"                   restart the running service in place
 *                               (HealthOnFailure=restart): stopped as by STOP
 *                               (ExecStop=, KillSignal=, ...), then started
 *                               again as Restart= would, whatever Restart=
 *                               says (RestartSec=, StartLimitBurst= and
 *                               NRESTARTS= count it). Ignored unless the
 *                               service runs; an older init ignores it.
 *   "SHELL ID N\nARG\0...ENV\0..."
 *                               start a command (isolatectl shell) as every
 *                               command of the service is started: User=,
 *                               capabilities, no_new_privs, seccomp, rlimits,
 *                               WorkingDirectory=, the service's environment.
 *                               ID: the daemon's number for it (decimal, u64);
 *                               N strings of argv follow (N = 0: the user's
 *                               shell), each NUL-terminated, then environment
 *                               assignments of the caller, of which the init
 *                               takes TERM= only. Carries exactly three fds
 *                               (SCM_RIGHTS): the command's stdin, stdout,
 *                               stderr, and it gets no other. At most
 *                               INIT_SHELLS_MAX run at once; only while the
 *                               service runs. Answered by SHELL-EXITED or
 *                               SHELL-FAILED.
 *   "SHELL-KILL ID"             the caller of SHELL ID went away: SIGHUP (and
 *                               SIGCONT) to the shell's process group, as a
 *                               terminal's hangup. No answer but its end.
 *   "SHELL-SIGKILL ID"          SIGKILL to the process group of SHELL ID (a
 *                               health check past HealthTimeout=). No answer
 *                               but its end.
 *   "PTY ID"                    open a pseudo terminal from the service's own
 *                               /dev/ptmx; answered by PTY.
 *
 * Who trusts whom: the init runs in the service's namespaces and may be
 * taken over by it, so the daemon takes from these answers only what
 * concerns this one service's calls (IDs it handed out to this init), and
 * checks the fds of PTY are terminals before it hands them on.
 *
 * init -> daemon
 *   "HELLO VERSION"             first on every connection (after START on the
 *                               first one, right after accept() on each
 *                               re-adoption): the init's protocol version.
 *   "MAIN PID\nSTATE=S\nNRESTARTS=N\nSTATUS=TEXT"
 *                               where the service is. Sent once the start
 *                               completed in systemd's sense (STATE=running:
 *                               simple once exec'd, forking once the started
 *                               process exited and the PID file was read,
 *                               notify once READY=1 came, ExecStartPost= done),
 *                               again on every change (STATE= starting while
 *                               Restart= brings it back, reloading, stopping;
 *                               STATUS= and MAINPID= from the notify socket;
 *                               NRESTARTS= counts restarts in place), and first
 *                               of all to a re-adopting daemon. PID as seen
 *                               inside, 0 when no main process is known (Type=
 *                               forking without PIDFile= whose guess failed,
 *                               between restarts); with PID > 0 the datagram
 *                               carries a pidfd of it (SCM_RIGHTS), from which
 *                               the daemon learns the PID it sees. STATUS= is
 *                               the rest of the datagram, may be empty.
 *   "FAILED ERRNO\nTEXT"        the first start failed (positive errno, one
 *                               line of text), after "EXITED ..." of the
 *                               command that failed if one did; the init exits
 *                               right after.
 *   "EXITED CODE STATUS"        the service ended: CODE is "exited", "killed"
 *                               or "dumped", STATUS the exit status or the
 *                               signal number of the main process (or of the
 *                               command that failed). A second line
 *                               "RESULT=start-limit-hit" says Restart= gave up
 *                               at StartLimitBurst=, "RESULT=watchdog" that
 *                               WatchdogSec= passed, "RESULT=timeout" that
 *                               RuntimeMaxSec= did, "RESULT=exec-condition"
 *                               that ExecCondition= skipped the start. Sent after the rest of the
 *                               namespace was stopped; the init exits next.
 *   "RELOADED 0" / "RELOADED ERRNO\nTEXT"
 *                               ExecReload= finished, or failed.
 *   "SHELL-EXITED ID CODE STATUS"
 *                               the command of SHELL ID ended (CODE, STATUS
 *                               as for EXITED). Sent to the connection that
 *                               asked for it only: a daemon that connects
 *                               later does not learn of earlier shells.
 *   "SHELL-FAILED ID ERRNO\nTEXT"
 *                               it could not be started (EBUSY: too many,
 *                               or the service is not running).
 *   "PTY ID 0" / "PTY ID ERRNO" the terminal of PTY ID: with 0, two fds, the
 *                               master and its peer (TIOCGPTPEER, owned by
 *                               User=), both O_NOCTTY.
 *
 * The init exits with 0 if the main process exited 0, with its exit status if
 * it exited non-zero, with 128+SIG if it was killed, and with 255 on a failed
 * start. */

#define INIT_CONTROL_FD 3
/* The service's journal stream, when the daemon opened it for the init (with
 * a user namespace: see spawn.h); not O_CLOEXEC in the init. */
#define INIT_JOURNAL_FD 4
#define INIT_PROTOCOL_VERSION 6
#define INIT_LISTEN_FDS_MAX 64 /* SOCKET_SPECS_MAX */
/* The fds of START after the listening sockets, named by its "FDS" line in this order. */
typedef enum StartFdRole {
        START_FD_READOPT, /* "readopt": NAME.sock, listening, for a restarted daemon */
        START_FD_EXIT,    /* "exit": NAME.exit, open for writing: the main process's end */
        START_FD_SECCOMP, /* "seccomp": the filter the daemon built (seccomp-filter.h) */
        START_FD_ENV,     /* "env": EnvironmentFile= texts the daemon read, a sealed memfd (env-file.h) */
        START_FD_LEARN,   /* "learn": isolatectl learn, a memfd the init fills with what it saw (learn.h) */
        START_FD_TMPFILES, /* "tmpfiles": the plan of /run, a sealed memfd shared by inits (tmpfiles-plan.h) */
        _START_FD_ROLE_MAX,
} StartFdRole;
#define INIT_START_FDS_MAX (INIT_LISTEN_FDS_MAX + _START_FD_ROLE_MAX)
#define INIT_MOUNTS_MAX 200 /* HOST_MOUNTS_MAX */
/* Largest datagram: the description's files (paths and texts together at most
 * DESCRIPTION_SIZE_MAX, see description-loader.h), their length headers, the
 * name and the verb. */
#define INIT_MESSAGE_MAX (DESCRIPTION_SIZE_MAX + 65536)
#define INIT_EXIT_START_FAILED 255
#define INIT_SHELLS_MAX 16
#define INIT_SHELL_MESSAGE_MAX (128 * 1024) /* argv and environment of SHELL */

/* NOTIFY_SOCKET inside the sandbox: an abstract socket, which belongs to the
 * service's own network namespace, so no other service reaches it and no
 * mount (ProtectSystem=strict, RootDirectory=) can hide it. */
#define INIT_NOTIFY_SOCKET "@isolated-notify"

/* The daemon's state directory. The init listens on NAME.sock there for a
 * daemon that restarted (same protocol, the init speaking first with MAIN or
 * EXITED), and records in NAME.exit ("EXITED CODE STATUS\n") how the main
 * process ended; the daemon makes both and hands them over with START. The
 * init accepts a connection only from a peer outside its PID namespace (every
 * process of the service is inside it); the directory is root's alone. */
#define INIT_STATE_DIR "/run/isolated/state"

/* --- The codec: every message the init sends is encoded by
 * init_message_format() (in the init) and decoded by init_message_parse() (in
 * the daemon), and nowhere else; likewise the simple requests of the daemon
 * (daemon_request_format()/daemon_request_parse()). The shells' messages
 * (SHELL, SHELL-KILL, PTY; SHELL-EXITED, SHELL-FAILED, PTY) have their codec in
 * shell-protocol.h; START and MOUNTS, which carry fds and whole files, are
 * encoded in the daemon's service.c and decoded in the init's init-control.c,
 * once each.
 *
 * Who trusts whom. The daemon is root on the host; the init is root of the
 * service's user namespace and shares its PID namespace with the service, so a
 * service that took its init over can send anything on the init's socket. The
 * daemon therefore takes nothing the init says on trust: init_message_parse()
 * accepts exactly the grammar above (numbers in range, known words, text one
 * line of valid UTF-8 of bounded length, no NUL, nothing trailing) and the
 * daemon applies a message only to the service whose socket it came on, so an
 * init can at most lie about its own service, never about another one. PIDs in
 * MAIN are the init's view; the daemon takes the PID it acts on from the pidfd
 * that comes with the message, never from the text. The init trusts the
 * daemon, but reads only from the socket pair it was started with or from a
 * connection whose peer is outside its PID namespace (init-listener.h).
 *
 * Handshake: START names the daemon's version; the init answers every
 * connection (the first one after START, each re-adoption) with "HELLO
 * VERSION" before anything else, and a re-adopting daemon sends "HELLO
 * VERSION" right after it connected. An init that does not say HELLO is taken
 * for protocol version 4 (it predates the handshake: a service started before
 * an upgrade). */

#define INIT_TEXT_MAX 1024 /* STATUS=, and the text of FAILED, RELOADED */

typedef enum InitMessageType {
        INIT_MESSAGE_HELLO,        /* "HELLO VERSION" */
        INIT_MESSAGE_MAIN,         /* "MAIN PID\nSTATE=S\nNRESTARTS=N\nSTATUS=TEXT" */
        INIT_MESSAGE_FAILED,       /* "FAILED ERRNO\nTEXT" */
        INIT_MESSAGE_EXITED,       /* "EXITED CODE STATUS[\nRESULT=WORD]" */
        INIT_MESSAGE_RELOADED,     /* "RELOADED 0" / "RELOADED ERRNO\nTEXT" */
        _INIT_MESSAGE_TYPE_MAX,
        _INIT_MESSAGE_TYPE_INVALID = -EINVAL,
} InitMessageType;

/* EXITED's RESULT=: why the init ended the service, where the exit status alone does not tell. */
typedef enum InitEndResult {
        INIT_END_NONE,
        INIT_END_START_LIMIT_HIT, /* "start-limit-hit": Restart= gave up at StartLimitBurst= */
        INIT_END_WATCHDOG,        /* "watchdog": WatchdogSec= passed without WATCHDOG=1 */
        INIT_END_TIMEOUT,         /* "timeout": RuntimeMaxSec= passed */
        INIT_END_EXEC_CONDITION,  /* "exec-condition": ExecCondition= exited 1..254, the start skipped */
        _INIT_END_RESULT_MAX,
        _INIT_END_RESULT_INVALID = -EINVAL,
} InitEndResult;

const char *init_end_result_to_string(InitEndResult r);
InitEndResult init_end_result_from_string(const char *s);

/* MAIN's STATE=. */
typedef enum InitState {
        INIT_STATE_STARTING,
        INIT_STATE_RUNNING,
        INIT_STATE_RELOADING,
        INIT_STATE_STOPPING,
        _INIT_STATE_MAX,
        _INIT_STATE_INVALID = -EINVAL,
} InitState;

typedef struct InitMessage {
        InitMessageType type;
        unsigned version;    /* HELLO */
        pid_t pid;           /* MAIN: as seen inside; 0: none known */
        InitState state;     /* MAIN */
        unsigned n_restarts; /* MAIN */
        int error;           /* FAILED, RELOADED: a positive errno, or 0 */
        int code;            /* EXITED: CLD_EXITED, CLD_KILLED, CLD_DUMPED */
        int status;          /* EXITED: exit status 0..255, or signal 1..64 */
        bool start_limit_hit; /* EXITED: RESULT=start-limit-hit (also end_result) */
        InitEndResult end_result; /* EXITED: RESULT=, INIT_END_NONE without it */
        const char *text;    /* MAIN's STATUS=, the text of FAILED, RELOADED; "" if none.
                              * parse: points into the parsed buffer; format: any string, cut to one
                              * line of at most INIT_TEXT_MAX bytes */
} InitMessage;

const char *init_message_type_to_string(InitMessageType t);
const char *init_state_to_string(InitState s);
InitState init_state_from_string(const char *s);
const char *exit_code_to_string(int code);   /* "exited", "killed", "dumped"; "" for others */
int exit_code_from_string(const char *s);    /* CLD_*, or -EINVAL */

/* Decodes one datagram (size bytes, NUL-terminated at buf[size]) in place.
 * -EBADMSG for anything outside the grammar. */
int init_message_parse(char *buf, size_t size, InitMessage *ret);
/* Encodes m into buf; the length, or -ENOBUFS/-EINVAL. */
int init_message_format(const InitMessage *m, char *buf, size_t size);

/* An EXITED message for a wait status (WIFEXITED/WIFSIGNALED), in m. -EINVAL otherwise. */
int init_message_exited(int wait_status, InitMessage *ret);

/* NAME.exit: "EXITED CODE STATUS\n", the record of how the main process ended, with
 * "RESULT=WORD\n" after it as EXITED has it (result INIT_END_NONE: none); a daemon that was away
 * when the service ended reads it. */
int init_exit_record_format(int wait_status, InitEndResult result, char *buf, size_t size);
/* An empty record: -ENOENT (nothing recorded yet); malformed: -EBADMSG. ret_result may be NULL. */
int init_exit_record_parse(const char *text, int *ret_code, int *ret_status, InitEndResult *ret_result);

/* The daemon's requests without fds: "STOP", "RELOAD", "KILL main|all SIG",
 * "HELLO VERSION", "RESTART". */
typedef enum DaemonRequestType {
        DAEMON_REQUEST_HELLO,
        DAEMON_REQUEST_STOP,
        DAEMON_REQUEST_RELOAD,
        DAEMON_REQUEST_KILL,
        DAEMON_REQUEST_RESTART,
        _DAEMON_REQUEST_TYPE_MAX,
        _DAEMON_REQUEST_TYPE_INVALID = -EINVAL,
} DaemonRequestType;

typedef struct DaemonRequest {
        DaemonRequestType type;
        unsigned version; /* HELLO */
        bool kill_all;    /* KILL: every process of the namespace, else the main process */
        int signal;       /* KILL: 1.._NSIG-1 */
} DaemonRequest;

int daemon_request_parse(const char *buf, size_t size, DaemonRequest *ret);
int daemon_request_format(const DaemonRequest *r, char *buf, size_t size);
