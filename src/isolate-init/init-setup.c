/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "init-setup.h"
#include "init-tmpfiles.h"
#include "log.h"
#include "sandbox-mount.h"
#include "string-util.h"

typedef struct SetupStep {
        const char *what; /* completes "Failed to ..." */
        int (*run)(InitSetup *s);
} SetupStep;


static int setup_mount_propagation(InitSetup *s) {
        /* Nothing mounted in here may leak back to the host, nor host mounts in. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return negative_errno();
        return 0;
}

static int setup_proc(InitSetup *s) {
        /* A procfs of the new PID namespace: the service sees only its own processes. With the host's
         * mounts handed over, it is mounted in the root built from them instead. */
        if (s->n_mounts > 0)
                return 0;
        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return negative_errno();
        return 0;
}

static int setup_hostname(InitSetup *s) {
        const char *h = description_hostname(s->description);

        if (sethostname(h, strlen(h)) < 0)
                return negative_errno();
        return 0;
}

static int setup_loopback(InitSetup *s) {
        _cleanup_close_ int fd = -EBADF;
        struct ifreq ifr = {};

        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();

        strncpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name) - 1);
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return negative_errno();
        if (ifr.ifr_flags & IFF_UP)
                return 0;

        ifr.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                return negative_errno();
        return 0;
}

/* sd_journal_stream_fd() without libsystemd, so the init maps no more than it
 * needs: journald's stdout protocol is a header of seven lines. */
static int journal_stream_fd(const Description *d, const char *unit) {
        static const struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/run/systemd/journal/stdout" };
        _cleanup_free_ char *header = NULL;
        _cleanup_close_ int fd = -EBADF;
        int n, large = 8 * 1024 * 1024;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        if (connect(fd, (const struct sockaddr *) &sa, sizeof(sa)) < 0)
                return negative_errno();
        if (shutdown(fd, SHUT_RD) < 0)
                return negative_errno();
        (void) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &large, sizeof(large));
        /* identifier, unit id, priority, level prefix, syslog, kmsg, console. journald attributes
         * a line to the unit of the stream's peer when it reads it; the unit id is its fallback
         * once that peer is gone (a zombie on cgroup v1 sits in the root cgroup): without it, what
         * ExecStop= wrote just before the init exited could lose its unit. */
        header = process_options_journal_header(&d->sandbox.process, description_syslog_identifier(d), unit);
        if (!header)
                return -ENOMEM;
        n = (int) strlen(header);
        if (write(fd, header, (size_t) n) != n)
                return errno > 0 ? -errno : -EIO;
        return TAKE_FD(fd);
}

static int setup_journal_stream(InitSetup *s) {
        _cleanup_free_ char *unit = service_name_to_scope(s->description->name);
        int fd;

        /* Opened from inside the scope, since journald attributes a stream to the peer that
         * connected. Must precede anything that covers /run. */
        if (!unit)
                return -ENOMEM;
        if (s->stream_fd >= 0) /* opened for us by the daemon, as root (spawn.h of isolated) */
                return 0;
        fd = journal_stream_fd(s->description, unit);
        if (fd < 0) {
                log_warning_errno(fd, "Failed to connect to the journal, using stderr of the init instead: %m");
                return 0;
        }

        safe_close(s->stream_fd);
        s->stream_fd = fd;
        return 0;
}

static int setup_sandbox_mounts(InitSetup *s) {
        /* After the journal step: this covers /run. */
        return sandbox_mount_apply(&s->description->sandbox, s->mount_paths, s->mount_fds, s->n_mounts, &s->error);
}

static int setup_run_tmpfiles(InitSetup *s) {
        /* In the service's root, before any of its commands (ExecStartPre= and RuntimeDirectory=
         * come after, as on a booted host). */
        if (s->tmpfiles_plan_fd >= 0) /* the daemon ran the tool already: replay what it made */
                return init_tmpfiles_replay(s->tmpfiles_plan_fd, s->stream_fd);
        return 0; /* the tool itself forks: after GO (init_tmpfiles_after_go()) */
}

/* In order. The process side of the sandbox (rlimits, user, capabilities, no_new_privs,
 * seccomp) is applied to the main process alone, just before its exec (spawn.c): the init
 * keeps its capabilities to stop the service. */
static const SetupStep setup_steps[] = {
        { "make mount propagation private", setup_mount_propagation },
        { "mount /proc",                   setup_proc              },
        { "set hostname",                  setup_hostname          },
        { "bring up loopback interface",   setup_loopback          },
        { "connect to the journal",        setup_journal_stream    },
        { "set up the sandbox's mounts",   setup_sandbox_mounts    },
        { "prepare /run from tmpfiles.d",   setup_run_tmpfiles      },
};

int init_setup_cgroup(InitSetup *s, char **ret_error) {
        /* After GO: the init sits in its scope now, so the service sees the scope as its cgroup root. */
        if (unshare(CLONE_NEWCGROUP) < 0) {
                int r = negative_errno();

                if (ret_error)
                        *ret_error = strprintf("Failed to create cgroup namespace: %s", strerror(-r));
                return r;
        }
        return sandbox_mount_cgroupfs(&s->description->sandbox, ret_error);
}

void init_setup_done(InitSetup *s) {
        s->stream_fd = safe_close(s->stream_fd);
        s->error = mfree(s->error);
}

int init_setup_run(InitSetup *s, char **ret_error) {
        int r;

        for (size_t i = 0; i < ELEMENTSOF(setup_steps); i++) {
                r = setup_steps[i].run(s);
                if (r < 0) {
                        char *text = NULL;

                        if (ret_error && s->error) {
                                *ret_error = TAKE_PTR(s->error);
                                return r;
                        }
                        if (ret_error &&
                            asprintf(&text, "Failed to %s: %s", setup_steps[i].what, strerror(-r)) >= 0)
                                *ret_error = text;
                        return r;
                }
        }

        return 0;
}
