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
#include "env-file.h"
#include "exec-directory.h"
#include "init-control.h"
#include "init-listener.h"
#include "init-protocol.h"
#include "init-setup.h"
#include "init-tmpfiles.h"
#include "learn.h"
#include "log.h"
#include "seccomp-filter.h"
#include "sandbox-mount.h"
#include "sandbox-process.h"
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

/* A memfd the daemon wrote, whole, at most max bytes. */
static int read_memfd(int fd, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        struct stat st;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (st.st_size < 0 || (size_t) st.st_size > max)
                return -E2BIG;
        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        if (pread(fd, buf, (size_t) st.st_size, 0) != st.st_size)
                return -EIO;
        buf[st.st_size] = 0;
        *ret = TAKE_PTR(buf);
        *ret_size = (size_t) st.st_size;
        return 0;
}

static int run(void) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_(description_sources_freep) DescriptionSources *sources = NULL;
        _cleanup_free_ char *invocation_env = NULL, *error = NULL, *preloaded_env = NULL;
        size_t preloaded_env_size = 0;
        _cleanup_(init_start_done) InitStart start = INIT_START_NULL;
        _cleanup_(init_setup_done) InitSetup setup = { .stream_fd = -EBADF, .tmpfiles_plan_fd = -EBADF };
        _cleanup_close_ int signal_fd = -EBADF, notify_fd = -EBADF;
        _cleanup_(init_listener_done) InitListener listener = INIT_LISTENER_NULL;
        _cleanup_(spawn_context_done) SpawnContext spawn = {};
        _cleanup_(supervisor_done) Supervisor s = { .main_pidfd = -EBADF };
        _cleanup_free_ struct sock_fprog *seccomp = NULL;
        char *extra_env[3] = {};
        char go_invocation_id[33] = "";
        size_t n_extra_env = 0;
        int r;

        /* Before anything else: no process of the service may open our /proc entries (fd, mem,
         * environ) or ptrace us, also as the same user inside its user namespace. Our forked children
         * stay so until their exec. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return start_failedf(-errno, "Failed to make the init non-dumpable: %m");

        log_setup();

        /* Pin no mount of the daemon's, leak no fd of it: only stdio, the control socket and the
         * journal stream the daemon may have opened for us. */
        (void) chdir("/");
        (void) close_range(INIT_JOURNAL_FD + 1, ~0U, 0);
        if (fcntl(INIT_JOURNAL_FD, F_SETFD, FD_CLOEXEC) >= 0)
                setup.stream_fd = INIT_JOURNAL_FD;

        r = ensure_std_fds();
        if (r < 0)
                return start_failedf(r, "Failed to open /dev/null: %m");

        /* Before the first fork: a fast child's SIGCHLD is never lost. */
        r = signals_setup(&signal_fd);
        if (r < 0)
                return start_failedf(r, "Failed to set up signal handling: %m");

        r = control_receive_start(INIT_CONTROL_FD, &start);
        if (r == -EPROTONOSUPPORT)
                return start_failedf(r, "Unsupported protocol version, expected START %d.", INIT_PROTOCOL_VERSION);
        if (r < 0)
                return start_failedf(r, "Failed to receive START message: %m");

        snprintf(log_prefix, sizeof(log_prefix), "isolate-init[%s]", start.name);
        log_set_prefix(log_prefix);
        /* Our half of the handshake: START named the daemon's version, we name ours. */
        r = control_send_hello(INIT_CONTROL_FD);
        if (r < 0)
                return start_failedf(r, "Failed to greet the daemon: %m");

        r = description_sources_deserialize(start.text, strlen(start.text), &sources);
        if (r < 0)
                return start_failedf(r, "Malformed description files in the START message: %m");
        start.text = mfree(start.text);
        r = description_parse_sources(start.name, sources, &d, NULL, &error);
        if (r < 0)
                return error ? start_failed(r, error) : start_failedf(r, "Failed to parse %s.service: %m", start.name);
        sources = description_sources_free(sources);
        if (start.n_fds != d->n_listen)
                return start_failedf(-EBADMSG, "The START message carried %zu listening sockets, the description has %zu.",
                                     start.n_fds, d->n_listen);
        if (start.role_fds[START_FD_SECCOMP] >= 0) {
                r = seccomp_filter_from_fd(start.role_fds[START_FD_SECCOMP], &seccomp);
                if (r < 0)
                        return start_failedf(r, "Failed to read the seccomp filter of the START message: %m");
                start.role_fds[START_FD_SECCOMP] = safe_close(start.role_fds[START_FD_SECCOMP]);
        }
        if (start.role_fds[START_FD_LEARN] >= 0) {
                r = learn_setup(TAKE_FD(start.role_fds[START_FD_LEARN]));
                if (r < 0)
                        return start_failedf(r, "Failed to set up learning: %m");
                /* Our filter is the learning one, with its refusals sent to us. */
                seccomp = mfree(seccomp);
        }
        init_listener_take(&listener, TAKE_FD(start.role_fds[START_FD_READOPT]), TAKE_FD(start.role_fds[START_FD_EXIT]));
        if (start.role_fds[START_FD_ENV] >= 0) {
                r = read_memfd(start.role_fds[START_FD_ENV], ENVIRONMENT_FILE_SIZE_MAX * 64, &preloaded_env,
                               &preloaded_env_size);
                if (r < 0)
                        return start_failedf(r, "Failed to read the environment files of the START message: %m");
                start.role_fds[START_FD_ENV] = safe_close(start.role_fds[START_FD_ENV]);
        }

        /* Made by the daemon on the host already where it can (with a user namespace we cannot write
         * there): what is left adds them to ReadWritePaths=. */
        r = exec_directories_prepare_host(d, &error);
        if (r < 0)
                return error ? start_failed(r, error) : start_failedf(r, "Failed to create the service's directories: %m");

        /* The host's, before the sandbox's mounts cover /etc. */
        r = spawn_load_locale();
        if (r < 0)
                return start_failedf(r, "Out of memory.");

        /* Pipelined: all of the sandbox but what needs the scope is built while systemd's job for
         * it runs; the cgroup namespace and hierarchies wait for GO, and so does every fork. */
        sandbox_mount_defer_cgroupfs(true);
        setup.description = d;
        setup.mount_paths = start.mount_paths;
        setup.mount_fds = start.mount_fds;
        setup.n_mounts = start.n_mounts;
        setup.tmpfiles_plan_fd = start.role_fds[START_FD_TMPFILES];
        r = init_setup_run(&setup, &error);
        if (r < 0)
                return error ? start_failed(r, error) : start_failedf(r, "Failed to set up the sandbox: %m");
        for (size_t i = 0; i < start.n_mounts; i++)
                start.mount_fds[i] = safe_close(start.mount_fds[i]);
        start.role_fds[START_FD_TMPFILES] = safe_close(start.role_fds[START_FD_TMPFILES]);

        /* Bound before any process of the service starts, so no early READY=1 is lost. */
        if (description_notify_access(d) != NOTIFY_ACCESS_NONE || d->type == SERVICE_NOTIFY) {
                r = notify_socket_open(&notify_fd);
                if (r < 0)
                        return start_failedf(r, "Failed to create the notification socket: %m");
                extra_env[n_extra_env++] = (char *) "NOTIFY_SOCKET=" INIT_NOTIFY_SOCKET;
        }

        /* The scope's job is done and the network up: we are in the scope's cgroup now. */
        r = control_receive_go(INIT_CONTROL_FD, go_invocation_id);
        if (r < 0)
                return start_failedf(r, "Failed to receive GO: %m");
        r = init_tmpfiles_after_go(setup.stream_fd);
        if (r < 0)
                return start_failedf(r, "Failed to prepare /run from tmpfiles.d: %m");
        r = init_setup_cgroup(&setup, &error);
        if (r < 0)
                return error ? start_failed(r, error) : start_failedf(r, "Failed to set up the cgroup namespace: %m");

        /* As systemd: the scope's activation, as the journal tags it. */
        if (*go_invocation_id || !isempty(start.invocation_id)) {
                invocation_env = strprintf("INVOCATION_ID=%s", *go_invocation_id ? go_invocation_id : start.invocation_id);
                if (!invocation_env)
                        return start_failedf(-ENOMEM, "Out of memory.");
                extra_env[n_extra_env++] = invocation_env;
        }

        spawn.preloaded_env = preloaded_env;
        spawn.preloaded_env_size = preloaded_env_size;
        r = spawn_context_prepare(&spawn, d, setup.stream_fd, extra_env, TAKE_PTR(seccomp), &error);
        if (r >= 0)
                r = spawn_context_set_listen_fds(&spawn, start.name, start.fds, start.n_fds);
        if (r < 0)
                return error ? start_failed(r, error) : start_failedf(r, "Failed to prepare the service's processes: %m");

        r = exec_directories_finish(d, spawn.sandbox.switch_user ? spawn.sandbox.uid : (uid_t) -1,
                                    spawn.sandbox.gid, &error);
        if (r < 0)
                return error ? start_failed(r, error) : start_failedf(r, "Failed to set up the service's directories: %m");

        /* Nothing is mounted or made any more: what we would need to change that goes now. */
        r = sandbox_init_drop_capabilities(&d->sandbox, d->permissions_start_only);
        if (r < 0)
                return start_failedf(r, "Failed to drop the init's own capabilities: %m");

        /* After the drop: capabilities and the bounding set are a thread's own, and the learning
         * thread gets only what is left. */
        r = learn_seccomp_start();
        if (r < 0)
                return start_failedf(r, "Failed to start the learning thread: %m");

        /* The journal stream stays open: every command of the service (ExecReload=, ExecStop=, a
         * restart) writes to it. */
        s.description = d;
        s.spawn = &spawn;
        s.control_fd = INIT_CONTROL_FD;
        s.signal_fd = signal_fd;
        s.notify_fd = notify_fd;
        s.listener = listener.listen_fd >= 0 || listener.exit_fd >= 0 ? &listener : NULL;
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
