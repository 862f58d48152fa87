/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/mount.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "description.h"
#include "log.h"
#include "macro.h"
#include "time-util.h"
#include "tmpfiles-plan-cache.h"
#include "tmpfiles-plan.h"

#define BUILD_TIMEOUT_MS 10000
#define RACY_NS (INT64_C(100) * 1000000) /* ten ticks of HZ=100 */

/* systemd 252's search path of tmpfiles.d (CONF_PATHS, /run's left out: see the header), then what
 * resolving the names read, and the tool. */
static const char *const config_dirs[] = { "/etc/tmpfiles.d", "/usr/local/lib/tmpfiles.d", "/usr/lib/tmpfiles.d",
                                           "/lib/tmpfiles.d" };
static const char *const config_files[] = { "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", TMPFILES_PATH };

static struct {
        int fd;           /* the sealed plan; -EBADF: none */
        bool unusable;    /* the last attempt made none: run the tool in each init */
        bool racy;        /* an input changed too recently for its mtime to tell the next change */
        bool hostname_dependent; /* a tmpfiles.d file names %H or %l: the plan is of our hostname */
        char hostname[HOST_NAME_MAX + 1];
        char *fingerprint; /* what the plan (or the failed attempt) was made from */
        size_t fingerprint_size;
} cache = { .fd = -EBADF };

typedef struct Buffer {
        char *data;
        size_t size, allocated;
} Buffer;

static int buffer_add(Buffer *b, const void *p, size_t n) {
        if (b->size + n > b->allocated) {
                size_t a = b->allocated * 2 > b->size + n + 1024 ? b->allocated * 2 : b->size + n + 1024;
                char *d = realloc(b->data, a);

                if (!d)
                        return -ENOMEM;
                b->data = d;
                b->allocated = a;
        }
        memcpy(b->data + b->size, p, n);
        b->size += n;
        return 0;
}

/* The newest mtime seen by fingerprint(), in ns since the epoch. */
static int64_t newest_mtime;

static int add_stat(Buffer *b, const char *name, int r, const struct stat *st) {
        uint64_t t[6] = { (uint64_t) r };

        if (r >= 0) {
                int64_t ns = (int64_t) st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;

                if (ns > newest_mtime)
                        newest_mtime = ns;
                t[1] = st->st_dev;
                t[2] = st->st_ino;
                t[3] = (uint64_t) st->st_size;
                t[4] = (uint64_t) st->st_mtim.tv_sec;
                t[5] = (uint64_t) st->st_mtim.tv_nsec ^ ((uint64_t) st->st_mode << 32);
        }
        if (buffer_add(b, name, strlen(name) + 1) < 0)
                return -ENOMEM;
        return buffer_add(b, t, sizeof(t));
}

/* One stat per input: cheap enough for every start (a few dozen statx). */
static int fingerprint(Buffer *b) {
        dev_t seen_dev[ELEMENTSOF(config_dirs)];
        ino_t seen_ino[ELEMENTSOF(config_dirs)];
        int r;

        for (size_t i = 0; i < ELEMENTSOF(config_files); i++) {
                struct stat st;

                r = stat(config_files[i], &st) < 0 ? -errno : 0;
                if (add_stat(b, config_files[i], r, &st) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < ELEMENTSOF(config_dirs); i++) {
                _cleanup_close_ int fd = open(config_dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                struct stat st;
                bool dup = false;
                DIR *d;

                r = fd < 0 || fstat(fd, &st) < 0 ? -errno : 0;
                seen_dev[i] = r < 0 ? 0 : st.st_dev;
                seen_ino[i] = r < 0 ? 0 : st.st_ino;
                for (size_t j = 0; r >= 0 && j < i; j++)
                        dup = dup || (seen_dev[j] == st.st_dev && seen_ino[j] == st.st_ino);
                if (add_stat(b, config_dirs[i], r, &st) < 0)
                        return -ENOMEM;
                if (r < 0 || dup) /* /lib/tmpfiles.d of a merged /usr is /usr/lib's */
                        continue;
                d = fdopendir(fd);
                if (!d)
                        return -ENOMEM;
                fd = -EBADF;
                for (struct dirent *de; (de = readdir(d));) {
                        if (de->d_name[0] == '.')
                                continue;
                        r = fstatat(dirfd(d), de->d_name, &st, 0) < 0 ? -errno : 0; /* a symlink's target */
                        if (add_stat(b, de->d_name, r, &st) < 0) {
                                closedir(d);
                                return -ENOMEM;
                        }
                }
                closedir(d);
        }
        return 0;
}

/* The tree under dir_fd (path: its place below /run, "" for /run itself), parents first. */
static int walk(TmpfilesPlanWriter *w, int dir_fd, const char *path, unsigned depth) {
        DIR *d;
        int r = 0;

        if (depth > 64)
                return -ELOOP;
        d = fdopendir(dir_fd);
        if (!d) {
                safe_close(dir_fd);
                return -errno;
        }
        for (struct dirent *de; r >= 0 && (de = readdir(d));) {
                char sub[TMPFILES_PLAN_PATH_MAX + 1];
                struct stat st;
                mode_t mode;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if ((size_t) snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "/" : "", de->d_name) >= sizeof(sub)) {
                        r = -ENAMETOOLONG;
                        break;
                }
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = -errno;
                        break;
                }
                mode = st.st_mode & 07777;
                if (S_ISDIR(st.st_mode)) {
                        int fd;

                        r = tmpfiles_plan_write_entry(w, 'd', mode, st.st_uid, st.st_gid, sub, NULL, 0);
                        if (r < 0)
                                break;
                        fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        r = fd < 0 ? -errno : walk(w, fd, sub, depth + 1);
                } else if (S_ISLNK(st.st_mode)) {
                        char target[TMPFILES_PLAN_PATH_MAX + 1];
                        ssize_t n = readlinkat(dirfd(d), de->d_name, target, sizeof(target));

                        if (n <= 0 || (size_t) n >= sizeof(target))
                                r = n < 0 ? -errno : -ENAMETOOLONG;
                        else
                                r = tmpfiles_plan_write_entry(w, 'l', 0, st.st_uid, st.st_gid, sub, target, (size_t) n);
                } else if (S_ISFIFO(st.st_mode))
                        r = tmpfiles_plan_write_entry(w, 'p', mode, st.st_uid, st.st_gid, sub, NULL, 0);
                else if (S_ISREG(st.st_mode)) {
                        _cleanup_free_ char *data = NULL;
                        _cleanup_close_ int fd = -EBADF;
                        size_t size = 0;

                        if (st.st_size > TMPFILES_PLAN_FILE_MAX) {
                                r = -EFBIG;
                                break;
                        }
                        fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        data = malloc((size_t) st.st_size + 1);
                        if (fd < 0 || !data) {
                                r = fd < 0 ? -errno : -ENOMEM;
                                break;
                        }
                        while (size < (size_t) st.st_size) {
                                ssize_t k = read(fd, data + size, (size_t) st.st_size - size);

                                if (k <= 0)
                                        break;
                                size += (size_t) k;
                        }
                        r = tmpfiles_plan_write_entry(w, 'f', mode, st.st_uid, st.st_gid, sub, data, size);
                } else
                        r = -EOPNOTSUPP; /* a socket, a device node: not a plan's */
        }
        closedir(d);
        return r;
}

/* In the scratch namespace: run the tool over an empty /run, then record what it made into out_fd.
 * Exits with 0, or with the errno that stopped it. */
__attribute__((noreturn)) static void scratch_child(int out_fd) {
        _cleanup_(tmpfiles_plan_writer_done) TmpfilesPlanWriter w = {};
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        char messages[TMPFILES_PLAN_MESSAGES_MAX];
        size_t n_messages = 0;
        int pipe_fds[2], status = 0, r;
        bool dev_log;
        siginfo_t si = {};
        pid_t pid;

        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                _exit(errno);
        /* Nothing of the host's tree is the tool's to change, though it runs as the host's root. */
        if (syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro)) < 0)
                _exit(errno);
        dev_log = access("/run/systemd/journal/dev-log", F_OK) >= 0;
        if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m,nr_inodes=64k") < 0)
                _exit(errno);
        /* What the init's /run has before the tool runs: journald's syslog socket's directory. */
        if (dev_log)
                if (mkdir("/run/systemd", 0755) < 0 || mkdir("/run/systemd/journal", 0755) < 0)
                        _exit(errno);
        if (access(TMPFILES_PATH, X_OK) < 0) {
                /* None, or not to run: as the init leaves /run. */
                if (errno != ENOENT && errno != EACCES)
                        _exit(errno);
        } else {
                if (pipe2(pipe_fds, O_CLOEXEC) < 0)
                        _exit(errno);
                pid = fork();
                if (pid < 0)
                        _exit(errno);
                if (pid == 0) {
                        /* Killed with us when we are, past BUILD_TIMEOUT_MS. */
                        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                        tmpfiles_exec_child(pipe_fds[1]);
                }
                close(pipe_fds[1]);
                for (;;) {
                        char discard[512];
                        ssize_t k;

                        if (n_messages < sizeof(messages))
                                k = read(pipe_fds[0], messages + n_messages, sizeof(messages) - n_messages);
                        else
                                k = read(pipe_fds[0], discard, sizeof(discard));
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k <= 0)
                                break;
                        if (n_messages < sizeof(messages))
                                n_messages += (size_t) k;
                }
                close(pipe_fds[0]);
                while (waitid(P_PID, (id_t) pid, &si, WEXITED) < 0)
                        if (errno != EINTR)
                                _exit(errno);
                if (si.si_code != CLD_EXITED || si.si_status == 127)
                        _exit(ENOEXEC);
                status = si.si_status;
        }
        r = tmpfiles_plan_write_header(&w, status, messages, n_messages);
        if (r >= 0) {
                int fd = open("/run", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                r = fd < 0 ? -errno : walk(&w, fd, "", 0);
        }
        if (r < 0)
                _exit(-r);
        for (size_t done = 0; done < w.size;) {
                ssize_t k = write(out_fd, w.buf + done, w.size - done);

                if (k < 0)
                        _exit(errno);
                done += (size_t) k;
        }
        _exit(0);
}

static int build(int *ret_fd) {
        _cleanup_close_ int fd = -EBADF, pidfd = -EBADF;
        uint64_t start = now_usec(CLOCK_MONOTONIC);
        siginfo_t si = {};
        size_t n = 0;
        struct stat st;
        void *p;
        pid_t pid;
        int r;

        fd = memfd_create("isolated-tmpfiles-plan", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return negative_errno();
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0)
                scratch_child(fd);
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd >= 0) {
                struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

                do
                        r = poll(&pfd, 1, BUILD_TIMEOUT_MS);
                while (r < 0 && errno == EINTR);
                if (r == 0)
                        (void) kill(pid, SIGKILL);
        }
        while (waitid(P_PID, (id_t) pid, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return negative_errno();
        if (si.si_code != CLD_EXITED)
                return -ETIME;
        if (si.si_status != 0)
                return -si.si_status;
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0 || fstat(fd, &st) < 0)
                return negative_errno();
        /* What the inits will read: checked once here. */
        p = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
                return negative_errno();
        r = tmpfiles_plan_validate(p, (size_t) st.st_size, &n);
        (void) munmap(p, (size_t) st.st_size);
        if (r < 0)
                return r;
        log_info("tmpfiles.d: plan of /run made: %zu entries, %jd bytes, %" PRIu64 " us%s", n, (intmax_t) st.st_size,
                 now_usec(CLOCK_MONOTONIC) - start,
                 cache.racy ? " (an input changed less than 0.1 s ago: made again at the next start)" : "");
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* Whether a file of tmpfiles.d has a specifier of the hostname, which the service has its own of:
 * every file, every line, so "%%H" counts too (then a service of another name runs the tool). */
static bool names_hostname(void) {
        for (size_t i = 0; i < ELEMENTSOF(config_dirs); i++) {
                _cleanup_close_ int fd = open(config_dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
                bool found = false;

                if (!d)
                        continue;
                fd = -EBADF;
                for (struct dirent *de; !found && (de = readdir(d));) {
                        _cleanup_close_ int f = de->d_name[0] == '.' ? -EBADF :
                                openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
                        char buf[65536];
                        ssize_t n;

                        if (f < 0)
                                continue;
                        while (!found && (n = read(f, buf, sizeof(buf) - 1)) > 0) {
                                buf[n] = 0;
                                for (char *q = buf; !found && (q = memchr(q, '%', (size_t) (buf + n - q)));
                                     q++)
                                        found = q[1] == 'H' || q[1] == 'l' || q + 1 == buf + n; /* a cut: say so */
                        }
                }
                closedir(d);
                if (found)
                        return true;
        }
        return false;
}

static bool path_overlaps(const char *a, const char *b) {
        size_t na, nb;

        a += *a == '-'; /* "ignore if missing" */
        na = strlen(a);
        nb = strlen(b);
        while (na > 1 && a[na - 1] == '/')
                na--;
        if (na == 1 && a[0] == '/')
                return true;
        if (na <= nb)
                return strncmp(a, b, na) == 0 && (b[na] == '/' || b[na] == 0);
        return strncmp(a, b, nb) == 0 && a[nb] == '/';
}

static bool covers_inputs(const char *path) {
        for (size_t i = 0; i < ELEMENTSOF(config_dirs); i++)
                if (path_overlaps(path, config_dirs[i]))
                        return true;
        for (size_t i = 0; i < ELEMENTSOF(config_files); i++)
                if (path_overlaps(path, config_files[i]))
                        return true;
        return false;
}

/* Whether the service's tool would read what ours reads. */
static bool plan_applies(const Description *d) {
        const SandboxOptions *o = &d->sandbox;

        if (o->root_directory)
                return false;
        for (size_t i = 0; i < o->n_bind_mounts; i++)
                if (covers_inputs(o->bind_mounts[i].destination))
                        return false;
        for (size_t i = 0; i < o->n_temporary_filesystems; i++)
                if (covers_inputs(o->temporary_filesystems[i].path))
                        return false;
        for (char **p = o->inaccessible_paths; p && *p; p++)
                if (covers_inputs(*p))
                        return false;
        return true;
}

/* How far newest_mtime is from being older than RACY_NS, in ns; <= 0: settled. */
static int64_t racy_ns_left(void) {
        struct timespec now;

        (void) clock_gettime(CLOCK_REALTIME, &now);
        return newest_mtime + RACY_NS - ((int64_t) now.tv_sec * 1000000000 + now.tv_nsec);
}

int tmpfiles_plan_cache_unsettled_usec(uint64_t *ret_usec) {
        Buffer b = {};
        int64_t left;
        int r;

        newest_mtime = 0;
        r = fingerprint(&b);
        free(b.data);
        if (r < 0)
                return r;
        left = racy_ns_left();
        *ret_usec = left > 0 ? ((uint64_t) left + 999) / 1000 : 0;
        return 0;
}

void tmpfiles_plan_cache_flush(void) {
        cache.fd = safe_close(cache.fd);
        cache.unusable = cache.racy = false;
        cache.fingerprint = mfree(cache.fingerprint);
        cache.fingerprint_size = 0;
}

int tmpfiles_plan_cache_get(const Description *d, int *ret_fd) {
        Buffer b = {};
        int fd = -EBADF, r;

        *ret_fd = -EBADF;
        if (!plan_applies(d))
                return 0;
        newest_mtime = 0;
        r = fingerprint(&b);
        if (r < 0) {
                free(b.data);
                return r;
        }
        if ((cache.fd >= 0 || cache.unusable) && !cache.racy && b.size == cache.fingerprint_size &&
            memcmp(b.data, cache.fingerprint, b.size) == 0) {
                free(b.data);
                if (!cache.hostname_dependent || strcmp(description_hostname(d), cache.hostname) == 0)
                        *ret_fd = cache.fd;
                return 0;
        }
        /* Taken before the build: a change while it runs makes the next start build again. */
        tmpfiles_plan_cache_flush();
        cache.fingerprint = b.data;
        cache.fingerprint_size = b.size;
        /* A file written again within its timestamps' granularity (the kernel's coarse clock: a
         * tick, at most 10 ms) and at the same size would look unchanged ("racy git"): a plan made
         * from an input younger than RACY_NS is made again at the next start. */
        cache.racy = racy_ns_left() > 0;
        r = build(&fd);
        if (r < 0) {
                errno = -r;
                log_info("tmpfiles.d: no plan of /run (%m): each service runs systemd-tmpfiles itself until "
                         "tmpfiles.d changes.");
                cache.unusable = true;
                return 0;
        }
        cache.fd = fd;
        cache.hostname_dependent = names_hostname();
        if (cache.hostname_dependent && gethostname(cache.hostname, sizeof(cache.hostname) - 1) < 0)
                cache.hostname[0] = 0; /* none is a service's */
        if (!cache.hostname_dependent || strcmp(description_hostname(d), cache.hostname) == 0)
                *ret_fd = fd;
        return 0;
}
