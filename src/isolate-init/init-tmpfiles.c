/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init-tmpfiles.h"
#include "log.h"
#include "macro.h"
#include "time-util.h"
#include "tmpfiles-plan.h"

#define TMPFILES_TIMEOUT_MS 10000

/* What the replay has to say, held until init_tmpfiles_report(): written before GO, journald would
 * file it under isolated.service (we are not in the scope yet). */
static char *pending;
static size_t pending_size;
static int pending_status;

static void pend(const char *text, size_t n) {
        char *p = realloc(pending, pending_size + n + 1);

        if (!p)
                return; /* a line lost, not the start */
        memcpy(p + pending_size, text, n);
        pending_size += n;
        p[pending_size] = 0;
        pending = p;
}

static void report(const char *fmt, ...) _printf_(1, 2);
static void report(const char *fmt, ...) {
        char line[TMPFILES_PLAN_PATH_MAX + 256];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        n = n < (int) sizeof(line) - 2 ? n : (int) sizeof(line) - 2;
        line[n++] = '\n';
        pend(line, (size_t) n);
}

static bool replayed;

int init_tmpfiles_after_go(int stream_fd) {
        if (!replayed) /* no plan: the tool, now that we are in the scope and may fork */
                return init_tmpfiles_run(stream_fd);
        if (pending_size > 0) {
                if (stream_fd >= 0)
                        (void) !write(stream_fd, pending, pending_size);
                else
                        log_info("%s", pending);
        }
        if (pending_status != 0)
                log_warning("systemd-tmpfiles --create --prefix=/run exited with status %d: some of tmpfiles.d's "
                            "/run lines are not applied (its own lines above say which).", pending_status);
        pending = mfree(pending);
        pending_size = 0;
        pending_status = 0;
        return 0;
}

/* The directory that holds path (relative to /run), opened beneath it without following anything. */
static int open_parent(int run_fd, const char *path, char *last, int *last_fd, const char **ret_name) {
        const char *slash = strrchr(path, '/');
        size_t n = slash ? (size_t) (slash - path) : 0;
        struct open_how how = {
                .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        *ret_name = slash ? slash + 1 : path;
        if (n == 0)
                return run_fd;
        if (*last_fd >= 0 && strlen(last) == n && memcmp(last, path, n) == 0)
                return *last_fd;
        memcpy(last, path, n);
        last[n] = 0;
        fd = (int) syscall(SYS_openat2, run_fd, last, &how, sizeof(how));
        if (fd < 0) {
                last[0] = 0;
                return negative_errno();
        }
        safe_close(*last_fd);
        *last_fd = fd;
        return fd;
}

static int replay_entry(int run_fd, const TmpfilesPlanEntry *e, char *last, int *last_fd) {
        const char *name;
        int pfd, r;

        pfd = open_parent(run_fd, e->path, last, last_fd, &name);
        if (pfd < 0)
                return pfd;
        switch (e->type) {
        case 'd':
                /* With umask 0 the mode is the entry's, but for the set-ID bits, which mkdir() does not
                 * take: then a chmod after the chown. EEXIST: ours, /run/systemd/journal. */
                if (mkdirat(pfd, name, e->mode & 01777) >= 0) {
                        if (fchownat(pfd, name, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0)
                                return negative_errno();
                        if ((e->mode & 06000) && fchmodat(pfd, name, e->mode, 0) < 0)
                                return negative_errno();
                        return 0;
                }
                if (errno != EEXIST)
                        return negative_errno();
                break;
        case 'p':
                if (mkfifoat(pfd, name, 0600) < 0)
                        return negative_errno();
                break;
        case 'l':
                if (symlinkat(e->target, pfd, name) < 0)
                        return negative_errno();
                if (fchownat(pfd, name, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return negative_errno();
                return 0;
        case 'f': {
                _cleanup_close_ int fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

                if (fd < 0)
                        return negative_errno();
                for (size_t done = 0; done < e->data_size;) {
                        ssize_t k = write(fd, e->data + done, e->data_size - done);

                        if (k < 0)
                                return negative_errno();
                        done += (size_t) k;
                }
                /* chown before chmod: chown clears the set-ID bits. */
                if (fchown(fd, e->uid, e->gid) < 0 || fchmod(fd, e->mode) < 0)
                        return negative_errno();
                return 0;
        }
        default:
                return -EBADMSG;
        }
        /* Made just now by us, and nothing else runs in the namespace yet: the name is what we made. */
        r = fchownat(pfd, name, e->uid, e->gid, AT_SYMLINK_NOFOLLOW);
        if (r >= 0)
                r = fchmodat(pfd, name, e->mode, 0);
        return r < 0 ? negative_errno() : 0;
}

int init_tmpfiles_replay(int plan_fd, int stream_fd) {
        _cleanup_free_ TmpfilesPlanEntry *e = malloc(sizeof(TmpfilesPlanEntry));
        _cleanup_close_ int run_fd = -EBADF, last_fd = -EBADF;
        char last[TMPFILES_PLAN_PATH_MAX + 1] = "";
        uint64_t start = now_usec(CLOCK_MONOTONIC);
        TmpfilesPlanReader reader;
        struct stat st;
        const char *buf;
        size_t n = 0, failed = 0;
        mode_t old_umask;
        int r;

        if (!e)
                return -ENOMEM;
        if (fstat(plan_fd, &st) < 0)
                return negative_errno();
        if (st.st_size <= 0 || st.st_size > TMPFILES_PLAN_SIZE_MAX)
                return -EBADMSG;
        /* Shared by every init (the daemon's cache): mapped, never read with the shared offset. */
        buf = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, plan_fd, 0);
        if (buf == MAP_FAILED)
                return negative_errno();
        r = tmpfiles_plan_reader_init(&reader, buf, (size_t) st.st_size);
        if (r < 0)
                goto finish;
        run_fd = open("/run", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (run_fd < 0) {
                r = negative_errno();
                goto finish;
        }
        /* What the tool said when the daemon ran it, where it would have said it here. */
        if (reader.messages_size > 0)
                pend(reader.messages, reader.messages_size);
        old_umask = umask(0);
        while ((r = tmpfiles_plan_next(&reader, e)) > 0) {
                n++;
                r = replay_entry(run_fd, e, last, &last_fd);
                if (r < 0) {
                        failed++;
                        errno = -r;
                        report("isolate-init: cannot make /run/%s as tmpfiles.d says: %m", e->path);
                }
        }
        (void) umask(old_umask);
        if (r < 0)
                goto finish;
        log_debug("tmpfiles.d plan: %zu entries (%zu failed) in %" PRIu64 " us", n, failed,
                  now_usec(CLOCK_MONOTONIC) - start);
        pending_status = reader.status;
        replayed = true;
        r = 0;
finish:
        (void) munmap((void *) buf, (size_t) st.st_size);
        return r;
}

int init_tmpfiles_run(int stream_fd) {
        _cleanup_close_ int pidfd = -EBADF;
        uint64_t start = now_usec(CLOCK_MONOTONIC);
        siginfo_t si = {};
        pid_t pid;
        int r;

        if (access(TMPFILES_PATH, X_OK) < 0) /* none here (a RootDirectory= without it), or not to run */
                return errno == ENOENT || errno == EACCES ? 0 : negative_errno();
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0)
                tmpfiles_exec_child(stream_fd);
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd >= 0) {
                struct pollfd p = { .fd = pidfd, .events = POLLIN };

                do
                        r = poll(&p, 1, TMPFILES_TIMEOUT_MS);
                while (r < 0 && errno == EINTR);
                if (r == 0) {
                        log_warning("systemd-tmpfiles --create --prefix=/run took longer than %d s, killed; "
                                    "the service starts with /run as far as it got.", TMPFILES_TIMEOUT_MS / 1000);
                        (void) kill(pid, SIGKILL);
                }
        }
        while (waitid(P_PID, (id_t) pid, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return negative_errno();
        log_debug("systemd-tmpfiles --create --prefix=/run: %" PRIu64 " us, %s %d",
                  now_usec(CLOCK_MONOTONIC) - start, si.si_code == CLD_EXITED ? "status" : "signal", si.si_status);
        if (si.si_code != CLD_EXITED || si.si_status == 127)
                return si.si_code == CLD_EXITED ? -ENOEXEC : -EINTR;
        if (si.si_status != 0)
                log_warning("systemd-tmpfiles --create --prefix=/run exited with status %d: some of tmpfiles.d's "
                            "/run lines are not applied (its own lines above say which).", si.si_status);
        return 0;
}
