/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "description-loader.h"
#include "description.h"
#include "init-control.h"
#include "init-listener.h"
#include "init-protocol.h"
#include "init-setup.h"
#include "log.h"
#include "spawn.h"
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

static int run(void) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_(description_sources_freep) DescriptionSources *sources = NULL;
        _cleanup_free_ char *name = NULL, *text = NULL, *error = NULL;
        _cleanup_(init_setup_done) InitSetup setup = { .stream_fd = -EBADF };
        _cleanup_close_ int signal_fd = -EBADF, pidfd = -EBADF;
        _cleanup_(init_listener_done) InitListener listener = INIT_LISTENER_NULL;
        Supervisor s;
        pid_t pid;
        int r;

        log_setup();

        r = ensure_std_fds();
        if (r < 0)
                return start_failedf(r, "Failed to open /dev/null: %m");

        r = signals_setup(&signal_fd);
        if (r < 0)
                return start_failedf(r, "Failed to set up signal handling: %m");

        r = control_receive_start(INIT_CONTROL_FD, &name, &text);
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

        /* Before the sandbox covers /run: the daemon's state directory is reachable only now. */
        r = init_listener_open(&listener, INIT_STATE_DIR, name);
        if (r < 0)
                log_debug_errno(r, "No re-adoption socket in " INIT_STATE_DIR ": %m");

        setup.description = d;
        r = init_setup_run(&setup, &error);
        if (r < 0)
                return error ? start_failed(r, error) : start_failedf(r, "Failed to set up the sandbox: %m");

        r = spawn_main(d, setup.stream_fd, &pid, &error);
        if (r < 0)
                return error ? start_failed(r, error) : start_failedf(r, "Failed to start the main process: %m");

        /* The service holds its own copy; the init needs no journal connection. */
        init_setup_done(&setup);

        /* Before any reaping, so it refers to the main process even if that ended already. */
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
                log_warning_errno(errno, "Failed to open pidfd of the main process: %m");

        r = control_send_main(INIT_CONTROL_FD, pid, pidfd);
        if (r < 0)
                log_warning_errno(r, "Failed to report the main process: %m");

        s = (Supervisor) {
                .description = d,
                .control_fd = INIT_CONTROL_FD,
                .signal_fd = signal_fd,
                .main_pid = pid,
                .main_pidfd = pidfd,
                .listener = listener.listen_fd >= 0 ? &listener : NULL,
        };
        return supervisor_run(&s);
}

int main(int argc, char *argv[]) {
        int r;

        r = run();
        return r < 0 ? EXIT_FAILURE : r;
}
