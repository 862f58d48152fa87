/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "description-loader.h"
#include "description.h"
#include "exec-directory.h"
#include "init-control.h"
#include "init-listener.h"
#include "init-protocol.h"
#include "init-setup.h"
#include "log.h"
#include "seccomp-filter.h"
#include "spawn.h"
#include "string-util.h"
#include "supervisor.h"

static char log_prefix[sizeof("isolate-init[]") + 64];

/* Our stderr is the daemon's: use "<N>" priorities if that is a journal stream. */
static void log_setup(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long dev, ino;
        struct stat st;

        if (e && sscanf(e, "%lu:%lu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) >= 0 &&
            st.st_dev == (dev_t) dev && st.st_ino == (ino_t) ino)
                log_set_kernel_style(1);
        log_set_prefix("isolate-init");
}

/* So no fd we open lands on 0, 1 or 2 and is clobbered by the service's stdio. */
static int ensure_std_fds(void) {
        for (int fd = 0; fd < 3; fd++) {
                int null_fd;

                if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
                        continue;
                null_fd = open("/dev/null", O_RDWR); /* the lowest free number: fd */
                if (null_fd < 0)
                        return negative_errno();
        }
        return 0;
}

static int start_failed(int error, const char *text) {
        int r;

        log_error("%s", text);
        r = control_send_failed(INIT_CONTROL_FD, error, text);
        if (r < 0)
                log_warning_errno(r, "Failed to report the failed start: %m");
        return INIT_EXIT_START_FAILED;
}

static int start_failedf(int error, const char *fmt, ...) {
        _cleanup_free_ char *text = NULL;
        va_list ap;
        int r;

        errno = error < 0 ? -error : error; /* for %m */
        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        return start_failed(error, r < 0 ? "Out of memory." : text);
}

/* ListenStream=, ListenDatagram=: held for every main process the init starts. */
typedef struct ListenFds {
        int fds[INIT_START_FDS_MAX];
        size_t n;
} ListenFds;

static void listen_fds_done(ListenFds *l) {
        for (size_t i = 0; i < l->n; i++)
                safe_close(l->fds[i]);
        l->n = 0;
}

static int run(void) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_(description_sources_freep) DescriptionSources *sources = NULL;
        _cleanup_free_ char *name = NULL, *invocation_id = NULL, *invocation_env = NULL, *text = NULL, *error = NULL;
        _cleanup_(init_setup_done) InitSetup setup = { .stream_fd = -EBADF };
        _cleanup_close_ int signal_fd = -EBADF, notify_fd = -EBADF;
        _cleanup_(init_listener_done) InitListener listener = INIT_LISTENER_NULL;
        _cleanup_(spawn_context_done) SpawnContext spawn = {};
        _cleanup_(supervisor_done) Supervisor s = { .main_pidfd = -EBADF };
        _cleanup_(listen_fds_done) ListenFds listen = {};
        _cleanup_free_ struct sock_fprog *seccomp = NULL;
        char *extra_env[3] = {};
        size_t n_extra_env = 0;
        int r;

        log_setup();

        /* Not dumpable: no process of the service opens our /proc/1/mem or environ, nor those of a child
         * between its fork and its exec (a child inherits it; exec makes the command dumpable again). */
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

        /* Pin no mount of the daemon's, leak no fd of it: only stdio and the control socket. */
        (void) chdir("/");
        (void) close_range(INIT_CONTROL_FD + 1, ~0U, 0);

        r = ensure_std_fds();
        if (r < 0)
                return start_failedf(r, "Failed to open /dev/null: %m");

        /* Before the first fork: a fast child's SIGCHLD is never lost. */
        r = signals_setup(&signal_fd);
        if (r < 0)
                return start_failedf(r, "Failed to set up signal handling: %m");

        r = control_receive_start(INIT_CONTROL_FD, &name, &invocation_id, &text, listen.fds, &listen.n);
        if (r == -EPROTONOSUPPORT)
                return start_failedf(r, "Unsupported protocol version, expected START %d.", INIT_PROTOCOL_VERSION);
        if (r < 0)
                return start_failedf(r, "Failed to receive START message: %m");

        snprintf(log_prefix, sizeof(log_prefix), "isolate-init[%s]", name);
        log_set_prefix(log_prefix);

        r = description_sources_deserialize(text, strlen(text), &sources);
        if (r < 0)
                return start_failedf(r, "Malformed description files in the START message: %m");
        text = mfree(text);
        r = description_parse_sources(name, sources, &d, NULL, &error);
        if (r < 0)
                return error ? start_failed(r, error) : start_failedf(r, "Failed to parse %s.service: %m", name);
        sources = description_sources_free(sources);
        /* The fd after the sockets, if any, is the seccomp filter the daemon built. */
        if (listen.n == d->n_listen + 1) {
                _cleanup_close_ int filter_fd = listen.fds[--listen.n];

                r = seccomp_filter_from_fd(filter_fd, &seccomp);
                if (r < 0)
                        return start_failedf(r, "Failed to read the seccomp filter of the START message: %m");
        } else if (listen.n != d->n_listen)
                return start_failedf(-EBADMSG, "The START message carried %zu listening sockets, the description has %zu.",
                                     listen.n, d->n_listen);

        /* Before the sandbox covers /run: the daemon's state directory is reachable only now. */
        r = init_listener_open(&listener, INIT_STATE_DIR, name);
        if (r < 0)
                log_debug_errno(r, "No re-adoption socket in " INIT_STATE_DIR ": %m");

        /* On the host, before the mounts; they become ReadWritePaths=. */
        r = exec_directories_prepare_host(d, &error);
        if (r < 0)
                return error ? start_failed(r, error) : start_failedf(r, "Failed to create the service's directories: %m");

        setup.description = d;
        r = init_setup_run(&setup, &error);
        if (r < 0)
                return error ? start_failed(r, error) : start_failedf(r, "Failed to set up the sandbox: %m");

        /* Bound before any process of the service starts, so no early READY=1 is lost. */
        if (description_notify_access(d) != NOTIFY_ACCESS_NONE || d->type == SERVICE_NOTIFY) {
                r = notify_socket_open(&notify_fd);
                if (r < 0)
                        return start_failedf(r, "Failed to create the notification socket: %m");
                extra_env[n_extra_env++] = (char *) "NOTIFY_SOCKET=" INIT_NOTIFY_SOCKET;
        }

        /* As systemd: the scope's activation, as the journal tags it. */
        if (!isempty(invocation_id)) {
                invocation_env = strprintf("INVOCATION_ID=%s", invocation_id);
                if (!invocation_env)
                        return start_failedf(-ENOMEM, "Out of memory.");
                extra_env[n_extra_env++] = invocation_env;
        }

        r = spawn_context_prepare(&spawn, d, setup.stream_fd, extra_env, TAKE_PTR(seccomp), &error);
        if (r >= 0)
                r = spawn_context_set_listen_fds(&spawn, name, listen.fds, listen.n);
        if (r < 0)
                return error ? start_failed(r, error) : start_failedf(r, "Failed to prepare the service's processes: %m");

        r = exec_directories_finish(d, spawn.sandbox.switch_user ? spawn.sandbox.uid : (uid_t) -1,
                                    spawn.sandbox.gid, &error);
        if (r < 0)
                return error ? start_failed(r, error) : start_failedf(r, "Failed to set up the service's directories: %m");

        /* The journal stream stays open: every command of the service (ExecReload=, ExecStop=, a
         * restart) writes to it. */
        s.description = d;
        s.spawn = &spawn;
        s.control_fd = INIT_CONTROL_FD;
        s.signal_fd = signal_fd;
        s.notify_fd = notify_fd;
        s.listener = listener.listen_fd >= 0 ? &listener : NULL;
        return supervisor_run(&s);
}

int main(int argc, char *argv[]) {
        int r;

        /* Freed small chunks go back to the bins at once, not to fastbins that keep them apart from
         * their free neighbours: what the setup freed then coalesces, the few allocations that last
         * the service's life land low in the heap, and footprint_trim() gives the rest back. (The
         * daemon starts us with the per-thread cache off, which only a tunable can do.) */
        (void) mallopt(M_MXFAST, 0);

        r = run();
        return r < 0 ? EXIT_FAILURE : r;
}
