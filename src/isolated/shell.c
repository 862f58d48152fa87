/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus-error.h"
#include "init-protocol.h"
#include "log.h"
#include "manager.h"
#include "service.h"
#include "shell-protocol.h"
#include "shell.h"
#include "socket-util.h"
#include "strv.h"

/* More than the init runs at once (INIT_SHELLS_MAX): the init refuses the rest with a reason. */
#define SHELL_CALLS_MAX 64

typedef struct ShellCall ShellCall;
static ShellCall *shell_call_free(ShellCall *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(ShellCall *, shell_call_free);

typedef struct ShellCall {
        Service *service;
        uint64_t id;
        bool pty; /* OpenPTY, else Shell */
        sd_bus_message *call;
        sd_bus_track *caller; /* a caller that goes away takes its shell with it */
} ShellCall;

struct ShellCalls {
        uint64_t next_id;
        ShellCall *calls[SHELL_CALLS_MAX];
        size_t n;
};

static ShellCall *shell_call_free(ShellCall *c) {
        if (!c)
                return NULL;
        sd_bus_track_unref(c->caller);
        sd_bus_message_unref(c->call);
        return mfree(c);
}

/* "Failed to WHAT in NAME: TEXT", named after error. */
static void reply_error(ShellCall *c, int error, const char *what, const char *name, const char *text) {
        (void) sd_bus_reply_method_errnof(c->call, error, "Failed to %s in %s: %s", what, name, text);
}

ShellCalls *shell_calls_free(ShellCalls *sc) {
        if (!sc)
                return NULL;
        for (size_t i = 0; i < sc->n; i++) {
                (void) sd_bus_reply_method_errorf(sc->calls[i]->call, SD_BUS_ERROR_FAILED, "The service is gone.");
                shell_call_free(sc->calls[i]);
        }
        return mfree(sc);
}

void shell_calls_abort(Service *s) {
        ShellCalls *sc = s->shells;

        for (size_t i = 0; sc && i < sc->n; i++) {
                ShellCall *c = sc->calls[i];

                if (c->pty)
                        reply_error(c, ESRCH, "open a terminal", s->name, "the service ended");
                else
                        /* Not reported: it died with the service's PID namespace. */
                        (void) sd_bus_reply_method_return(c->call, "si", "killed", (int32_t) SIGKILL);
                shell_call_free(c);
        }
        if (sc)
                sc->n = 0;
}

/* Removes the call from the list; the caller frees it. */
static ShellCall *take_call(Service *s, uint64_t id, bool pty) {
        ShellCalls *sc = s->shells;

        for (size_t i = 0; sc && i < sc->n; i++)
                if (sc->calls[i]->id == id && sc->calls[i]->pty == pty) {
                        ShellCall *c = sc->calls[i];

                        sc->calls[i] = sc->calls[--sc->n];
                        return c;
                }
        return NULL;
}

static void close_all(int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                fds[i] = safe_close(fds[i]);
}

static bool is_terminal(int fd) {
        struct stat st;

        return fstat(fd, &st) >= 0 && S_ISCHR(st.st_mode) && isatty(fd);
}

/* What the init says is checked as coming from a process the service may own:
 * only IDs of this service's own calls count, the rest is dropped. */
bool shell_handle_message(Service *s, const char *msg, int *fds, size_t n_fds) {
        _cleanup_(shell_call_freep) ShellCall *c = NULL;
        ShellReply reply;
        int r;

        r = shell_reply_decode(msg, &reply);
        if (r == -ENOMSG)
                return false;
        if (r < 0) {
                log_warning("%s: garbled shell message from the init: %.64s", s->name, msg);
                close_all(fds, n_fds);
                return true;
        }
        c = take_call(s, reply.id, reply.type == SHELL_REPLY_PTY);
        if (!c) {
                close_all(fds, n_fds);
                return true;
        }

        switch (reply.type) {
        case SHELL_REPLY_EXITED:
                (void) sd_bus_reply_method_return(c->call, "si", shell_exit_code_to_string(reply.code),
                                                  (int32_t) reply.status);
                break;
        case SHELL_REPLY_FAILED:
                reply_error(c, reply.error, "run a shell", s->name, reply.text[0] ? reply.text : strerror(reply.error));
                break;
        default:
                if (reply.error == 0 && (n_fds != 2 || !is_terminal(fds[0]) || !is_terminal(fds[1])))
                        reply.error = EPROTO;
                if (reply.error != 0)
                        reply_error(c, reply.error, "open a terminal", s->name, strerror(reply.error));
                else
                        (void) sd_bus_reply_method_return(c->call, "hh", fds[0], fds[1]); /* duplicated */
        }
        close_all(fds, n_fds);
        return true;
}

static int check_running(Service *s, sd_bus_error *error) {
        if (!s->released || service_init_exited(s) || s->control_fd < 0 ||
            (s->state != SERVICE_RUNNING && s->state != SERVICE_RELOADING && s->state != SERVICE_ACTIVE_EXITED))
                return sd_bus_error_setf(error, BUS_ERROR_NOT_RUNNING, "%s is not running (%s).", s->name,
                                         service_state_to_string(s->state));
        return 0;
}

/* The caller left (isolatectl interrupted): its shell is hung up, as a terminal's would be. */
static int on_caller_gone(sd_bus_track *track, void *userdata) {
        ShellCall *c = userdata;
        Service *s = c->service;
        char msg[64];

        if (!s->released || service_init_exited(s) || s->control_fd < 0)
                return 0;
        log_debug("%s: the caller of shell %" PRIu64 " went away, hanging it up.", s->name, c->id);
        (void) shell_simple_format("SHELL-KILL", c->id, msg, sizeof(msg));
        if (send(s->control_fd, msg, strlen(msg), MSG_NOSIGNAL) < 0)
                log_debug_errno(errno, "%s: cannot send SHELL-KILL: %m", s->name);
        return 0;
}

static int add_call(Service *s, sd_bus_message *m, bool pty, uint64_t *ret_id, sd_bus_error *error) {
        _cleanup_(shell_call_freep) ShellCall *c = NULL;
        ShellCalls *sc = s->shells;
        int r;

        if (!sc) {
                sc = s->shells = calloc(1, sizeof(ShellCalls));
                if (!sc)
                        return -ENOMEM;
                sc->next_id = 1;
        }
        if (sc->n >= SHELL_CALLS_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED, "Too many shells wait for %s.",
                                         s->name);
        c = calloc(1, sizeof(ShellCall));
        if (!c)
                return -ENOMEM;
        *c = (ShellCall) { .service = s, .id = sc->next_id, .pty = pty, .call = sd_bus_message_ref(m) };
        if (!pty) {
                r = sd_bus_track_new(sd_bus_message_get_bus(m), &c->caller, on_caller_gone, c);
                if (r >= 0)
                        r = sd_bus_track_add_sender(c->caller, m);
                if (r < 0)
                        return r;
        }
        sc->calls[sc->n++] = TAKE_PTR(c);
        *ret_id = sc->next_id++;
        return 0;
}

static void drop_call(Service *s, uint64_t id, bool pty) {
        shell_call_free(take_call(s, id, pty));
}


int shell_bus_shell(Service *s, sd_bus_message *m, sd_bus_error *error) {
        _cleanup_strv_free_ char **argv = NULL, **env = NULL;
        _cleanup_free_ char *msg = NULL;
        int fds[3];
        size_t size;
        uint64_t id;
        int r;

        r = sd_bus_message_read_strv(m, &argv);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(m, &env);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "hhh", &fds[0], &fds[1], &fds[2]);
        if (r < 0)
                return r;

        r = manager_check_manage(s->manager, m, "shell", s->name, error);
        if (r <= 0)
                return r < 0 ? r : 1; /* 0: polkit asked; the call comes back */

        /* Only TERM of the caller reaches the shell; the rest is the service's own. */
        for (char **e = env; e && *e; e++)
                if (strncmp(*e, "TERM=", 5) != 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Only TERM= may be passed to a shell, not '%.32s'.", *e);
        if (argv && argv[0] && isempty(argv[0]))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "The command is empty.");
        /* No directory, file or other handle of the caller's reaches the service. */
        for (int i = 0; i < 3; i++) {
                struct stat st;

                if (fstat(fds[i], &st) < 0)
                        return -errno;
                if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) && !S_ISCHR(st.st_mode))
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                                "The shell's stdin, stdout and stderr must be pipes, sockets or terminals.");
        }

        r = check_running(s, error);
        if (r < 0)
                return r;
        r = add_call(s, m, false, &id, error);
        if (r < 0)
                return r;

        r = shell_request_encode(id, argv, env, &msg, &size);
        if (r >= 0)
                r = send_with_fds(s->control_fd, msg, size, fds, 3);
        if (r < 0) {
                drop_call(s, id, false);
                if (r == -E2BIG)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "The command line is too long.");
                return sd_bus_error_set_errnof(error, r, "Failed to ask the init of %s for a shell: %m", s->name);
        }
        log_debug("%s: shell %" PRIu64 " asked for.", s->name, id);
        return 1; /* the reply comes with SHELL-EXITED */
}

int shell_bus_open_pty(Service *s, sd_bus_message *m, sd_bus_error *error) {
        char msg[64];
        uint64_t id;
        int r;

        r = manager_check_manage(s->manager, m, "shell", s->name, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = check_running(s, error);
        if (r < 0)
                return r;
        r = add_call(s, m, true, &id, error);
        if (r < 0)
                return r;
        (void) shell_simple_format("PTY", id, msg, sizeof(msg));
        if (send(s->control_fd, msg, strlen(msg), MSG_NOSIGNAL) < 0) {
                r = -errno;
                drop_call(s, id, true);
                return sd_bus_error_set_errnof(error, r, "Failed to ask the init of %s for a terminal: %m", s->name);
        }
        return 1;
}

int shell_method_shell_service(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Service *s = NULL;
        int r;

        r = manager_bus_lookup_service(userdata, m, &s, error);
        if (r < 0)
                return r;
        return shell_bus_shell(s, m, error);
}

int shell_method_open_service_pty(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Service *s = NULL;
        int r;

        r = manager_bus_lookup_service(userdata, m, &s, error);
        if (r < 0)
                return r;
        return shell_bus_open_pty(s, m, error);
}
