/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "learn.h"
#include "log.h"
#include "sandbox-mount.h"
#include "string-util.h"
#include "strv.h"

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

#define FOREACH_STRING(x, ...)                                                                     \
        for (const char *const *x##_l = (const char *const[]) { __VA_ARGS__, NULL }, *x; (x = *x##_l); x##_l++)

#define ATTR_SAFE (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

typedef struct MountContext {
        const SandboxOptions *options;
        int root_fd;      /* the new root: /, RootDirectory=, or the root built from the host's mounts */
        bool new_root;    /* root_fd is entered at the end: it needs /proc, /sys (and /dev) of its own */
        bool staged;      /* the new root was built from the host's mounts (a user namespace) */
        char **writable;  /* what the service writes and keeps from one start to the next */
        char **error;     /* where a failure is described */
        uint64_t run_mnt_id; /* the service's own /run, as made (0: not yet) */
} MountContext;

/* The mount ID of what fd is on; 0 if the kernel does not say. */
static uint64_t mount_id_of(int fd) {
        struct statx sx;

        if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0 || !(sx.stx_mask & STATX_MNT_ID))
                return 0;
        return sx.stx_mnt_id;
}

static int fail(MountContext *c, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(MountContext *c, int r, const char *fmt, ...) {
        _cleanup_free_ char *what = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&what, fmt, ap) < 0)
                what = NULL;
        va_end(ap);
        if (c->error && what) {
                free(*c->error);
                *c->error = strprintf("Failed to %s: %s", what, strerror(-r));
        }
        return r;
}

/* A path inside the new root, a symlink resolved as if the new root were /. */
static int open_in_root(int root_fd, const char *path, int flags) {
        struct open_how how = {
                .flags = (uint64_t) (O_PATH | O_CLOEXEC | flags),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        while (*path == '/')
                path++;
        fd = (int) syscall(SYS_openat2, root_fd, *path ? path : ".", &how, sizeof(how));
        return fd < 0 ? negative_errno() : fd;
}

/* The longest path of writable (ReadWritePaths=, with the exec directories) strictly above path,
 * its length; 0 if none. "/" does not count: below it the service may write anything anyway. */
static size_t writable_prefix(char *const *writable, const char *path) {
        size_t best = 0, n = strlen(path);

        for (char *const *w = writable; w && *w; w++) {
                const char *q = **w == '-' ? *w + 1 : *w;
                size_t k = strlen(q);

                while (k > 0 && q[k - 1] == '/')
                        k--;
                if (k > best && k < n && strncmp(path, q, k) == 0 && path[k] == '/')
                        best = k;
        }
        return best;
}

/* As open_in_root(), but below a path the service can write a symlink is its own, planted by an
 * earlier run (ReadWritePaths=/var/lib/foo/data of StateDirectory=foo made a link to /, a bind
 * source made a link to /run of the host): there nothing is followed, neither a symlink nor "..". */
static int open_in_root_confined(int root_fd, char *const *writable, const char *path, int flags) {
        _cleanup_free_ char *above = NULL;
        _cleanup_close_ int dir = -EBADF;
        size_t k = writable_prefix(writable, path);
        struct open_how how = {
                .flags = (uint64_t) (O_PATH | O_CLOEXEC | flags),
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        const char *rest;
        int fd;

        if (k == 0)
                return open_in_root(root_fd, path, flags);
        above = strndup(path, k);
        if (!above)
                return -ENOMEM;
        dir = open_in_root_confined(root_fd, writable, above, O_DIRECTORY);
        if (dir < 0)
                return dir;
        for (rest = path + k; *rest == '/'; rest++)
                ;
        fd = (int) syscall(SYS_openat2, dir, *rest ? rest : ".", &how, sizeof(how));
        return fd < 0 ? negative_errno() : fd;
}

static int is_mount_root(int fd) {
        struct statx sx;

        if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE, &sx) < 0)
                return negative_errno();
        if (!(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
                return -EOPNOTSUPP;
        return !!(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static int set_attr(int fd, bool recursive, uint64_t set, uint64_t clr) {
        struct mount_attr attr = { .attr_set = set, .attr_clr = clr };

        if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0)
                return negative_errno();
        return 0;
}

/* A detached copy of the mount(s) at dfd/path, like mount --(r)bind. */
static int clone_tree(int dfd, const char *path, bool recursive) {
        int fd = open_tree(dfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0) |
                                              (*path ? 0 : AT_EMPTY_PATH));
        return fd < 0 ? negative_errno() : fd;
}

static int attach_fd(int mnt_fd, int target_fd) {
        if (move_mount(mnt_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return negative_errno();
        return 0;
}

static int attach(MountContext *c, int mnt_fd, const char *path) {
        _cleanup_close_ int target = -EBADF;

        target = open_in_root(c->root_fd, path, 0);
        if (target < 0)
                return target;
        return attach_fd(mnt_fd, target);
}

/* A new superblock of type, configured with "key=value"/"flag" strings, not yet attached. */
static int new_fs(const char *type, const char *const *opts, uint64_t attrs) {
        _cleanup_close_ int fs = -EBADF;
        int m;

        fs = fsopen(type, FSOPEN_CLOEXEC);
        if (fs < 0)
                return negative_errno();
        (void) fsconfig(fs, FSCONFIG_SET_STRING, "source", type, 0);
        for (const char *const *o = opts; o && *o; o++) {
                _cleanup_free_ char *k = strdup(*o);
                char *eq;
                int r;

                if (!k)
                        return -ENOMEM;
                eq = strchr(k, '=');
                if (eq) {
                        *eq = '\0';
                        r = fsconfig(fs, FSCONFIG_SET_STRING, k, eq + 1, 0);
                } else
                        r = fsconfig(fs, FSCONFIG_SET_FLAG, k, NULL, 0);
                if (r < 0)
                        return negative_errno();
        }
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return negative_errno();
        m = fsmount(fs, FSMOUNT_CLOEXEC, (unsigned) attrs);
        return m < 0 ? negative_errno() : m;
}

static int mount_new_fs(MountContext *c, const char *path, const char *type, const char *const *opts, uint64_t attrs) {
        _cleanup_close_ int m = -EBADF;
        int r;

        m = new_fs(type, opts, attrs);
        if (m < 0)
                return fail(c, m, "create %s for %s", type, path);
        r = attach(c, m, path);
        if (r < 0)
                return fail(c, r, "mount %s on %s", type, path);
        return 0;
}

/* mkdir -p inside the new root. */
static int mkdir_in_root(int root_fd, const char *path) {
        _cleanup_free_ char *p = strdup(path);
        char *s;

        if (!p)
                return -ENOMEM;
        for (s = p + 1;; s++) {
                if (*s == '/' || *s == '\0') {
                        char saved = *s;
                        _cleanup_close_ int fd = -EBADF;

                        *s = '\0';
                        fd = open_in_root(root_fd, p, O_DIRECTORY);
                        if (fd == -ENOENT) {
                                _cleanup_close_ int parent = -EBADF;
                                char *slash = strrchr(p, '/');

                                *slash = '\0';
                                parent = open_in_root(root_fd, *p ? p : "/", O_DIRECTORY);
                                *slash = '/';
                                if (parent < 0)
                                        return parent;
                                if (mkdirat(parent, slash + 1, 0755) < 0 && errno != EEXIST)
                                        return negative_errno();
                        } else if (fd < 0)
                                return fd;
                        *s = saved;
                        if (saved == '\0')
                                return 0;
                }
        }
}

/* An empty file to mount a non-directory on, its parents made as needed. */
static int touch_in_root(int root_fd, const char *path) {
        _cleanup_free_ char *dir = strdup(path);
        _cleanup_close_ int parent = -EBADF, fd = -EBADF;
        char *slash;
        int r;

        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        *slash = '\0';
        if (*dir) {
                r = mkdir_in_root(root_fd, dir);
                if (r < 0)
                        return r;
        }
        parent = open_in_root(root_fd, *dir ? dir : "/", O_DIRECTORY);
        if (parent < 0)
                return parent;
        fd = openat(parent, slash + 1, O_CREAT | O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}

/* Read-only (or writable again) PATH and every mount below it. A path that is not
 * the root of a mount is first bound onto itself, as systemd does. */
static int make_read_only(MountContext *c, const char *path, bool ro, bool ignore_missing) {
        _cleanup_close_ int target = -EBADF, clone = -EBADF;
        uint64_t set = ro ? MOUNT_ATTR_RDONLY : 0, clr = ro ? 0 : MOUNT_ATTR_RDONLY;
        int r;

        target = open_in_root_confined(c->root_fd, c->writable, path, 0);
        if (target == -ENOENT && ignore_missing)
                return 0;
        if (target < 0)
                return fail(c, target, "open %s", path);

        r = is_mount_root(target);
        if (r < 0)
                return fail(c, r, "inspect %s", path);
        if (r > 0) {
                r = set_attr(target, true, set, clr);
                if (r < 0)
                        return fail(c, r, "make %s %s", path, ro ? "read-only" : "writable");
                return 0;
        }

        clone = clone_tree(target, "", true);
        if (clone < 0)
                return fail(c, clone, "bind %s", path);
        r = set_attr(clone, true, set, clr);
        if (r < 0)
                return fail(c, r, "make %s %s", path, ro ? "read-only" : "writable");
        r = attach_fd(clone, target);
        if (r < 0)
                return fail(c, r, "bind %s onto itself", path);
        return 0;
}

/* NoExecPaths= (noexec true), ExecPaths= (false): PATH and every mount below it, bound onto
 * itself first if it is no mount of its own, as make_read_only(). */
static int make_noexec(MountContext *c, const char *path, bool noexec, bool ignore_missing) {
        _cleanup_close_ int target = -EBADF, clone = -EBADF;
        uint64_t set = noexec ? MOUNT_ATTR_NOEXEC : 0, clr = noexec ? 0 : MOUNT_ATTR_NOEXEC;
        const char *what = noexec ? "non-executable" : "executable";
        int r;

        target = open_in_root(c->root_fd, path, 0);
        if (target == -ENOENT && ignore_missing)
                return 0;
        if (target < 0)
                return fail(c, target, "open %s", path);
        r = is_mount_root(target);
        if (r < 0)
                return fail(c, r, "inspect %s", path);
        if (r > 0) {
                r = set_attr(target, true, set, clr);
                if (r < 0)
                        return fail(c, r, "make %s %s", path, what);
                return 0;
        }
        clone = clone_tree(target, "", true);
        if (clone < 0)
                return fail(c, clone, "bind %s", path);
        r = set_attr(clone, true, set, clr);
        if (r < 0)
                return fail(c, r, "make %s %s", path, what);
        r = attach_fd(clone, target);
        if (r < 0)
                return fail(c, r, "bind %s onto itself", path);
        return 0;
}

/* Covers PATH with something empty of its kind: an empty read-only tmpfs for a
 * directory, a read-only /dev/null for anything else. */
static int make_inaccessible(MountContext *c, const char *path, bool ignore_missing) {
        static const char *const empty_opts[] = { "mode=0000", "size=4k", "nr_inodes=1", NULL };
        _cleanup_close_ int target = -EBADF, m = -EBADF;
        struct stat st;
        int r;

        target = open_in_root_confined(c->root_fd, c->writable, path, 0);
        if (target == -ENOENT && ignore_missing)
                return 0;
        if (target < 0)
                return fail(c, target, "open %s", path);
        if (fstat(target, &st) < 0)
                return fail(c, negative_errno(), "inspect %s", path);

        if (S_ISDIR(st.st_mode))
                m = new_fs("tmpfs", empty_opts, MOUNT_ATTR_RDONLY | ATTR_SAFE);
        else {
                _cleanup_close_ int null = open_in_root(c->root_fd, "/dev/null", 0);

                m = null < 0 ? null : clone_tree(null, "", false);
                if (m >= 0) {
                        r = set_attr(m, false, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, 0);
                        if (r < 0)
                                return fail(c, r, "make a mask for %s", path);
                }
        }
        if (m < 0)
                return fail(c, m, "make a mask for %s", path);
        r = attach_fd(m, target);
        if (r == -ENOENT) {
                /* Replaced on the host meanwhile (useradd renames a new /etc/shadow into place): mask
                 * what is there now. */
                safe_close(target);
                target = open_in_root_confined(c->root_fd, c->writable, path, 0);
                r = target < 0 ? target : attach_fd(m, target);
                if (r == -ENOENT && ignore_missing)
                        return 0;
        }
        if (r < 0)
                return fail(c, r, "mask %s", path);
        return 0;
}

static int setup_protect_system(MountContext *c) {
        const SandboxOptions *o = c->options;
        int r;

        /* Learning: the host tree is the throwaway overlay, written as the service likes. */
        if (learn_active() && c->staged)
                return 0;
        switch (o->protect_system) {
        case PROTECT_SYSTEM_NO:
                return 0;
        case PROTECT_SYSTEM_STRICT:
                r = make_read_only(c, "/", true, false);
                if (r < 0)
                        return r;
                /* The API file systems stay as they are meant to be: /proc, and /dev when it
                 * is the host's; /sys is handled on its own. A new root gets a proc of its own
                 * (setup_proc()) over the root's /proc directory, which stays read-only: made
                 * writable, that directory of the host's file system (idmapped: the service's
                 * root writes there as the host's) would wait under the proc mount. */
                if (!c->new_root) {
                        r = make_read_only(c, "/proc", false, false);
                        if (r < 0)
                                return r;
                }
                if (!o->private_devices)
                        return make_read_only(c, "/dev", false, true);
                return 0;
        case PROTECT_SYSTEM_FULL:
                r = make_read_only(c, "/etc", true, true);
                if (r < 0)
                        return r;
                __attribute__((fallthrough));
        case PROTECT_SYSTEM_YES:
                FOREACH_STRING(p, "/usr", "/boot", "/efi") {
                        r = make_read_only(c, p, true, true);
                        if (r < 0)
                                return r;
                }
                return 0;
        default:
                return -EINVAL;
        }
}

/* journald's syslog socket, bound over FILE (an empty file made for it): syslog(3) reaches the
 * journal, which attributes each line to the sender's own cgroup (the service's scope). Only that
 * socket: nothing else of the host's /run/systemd shows. */
static int attach_dev_log(MountContext *c, int *dev_log, const char *path) {
        int r;

        if (*dev_log < 0) /* no journald on the host */
                return 0;
        r = touch_in_root(c->root_fd, path);
        if (r < 0)
                return fail(c, r, "create %s", path);
        r = set_attr(*dev_log, false, MOUNT_ATTR_RDONLY | ATTR_SAFE, 0);
        if (r < 0)
                return fail(c, r, "protect %s", path);
        r = attach(c, *dev_log, path);
        if (r < 0)
                return fail(c, r, "bind journald's syslog socket on %s", path);
        *dev_log = safe_close(*dev_log);
        return 0;
}

static int setup_dev(MountContext *c, int *dev_nodes, int *dev_log) {
        static const char *const tmpfs_opts[] = { "mode=0755", "size=4m", "nr_inodes=1024", NULL };
        /* max=: the kernel counts ptys machine-wide (kernel.pty.max, less the host's devpts's
         * reserve), so a devpts of its own without a bound lets one service take every pty of
         * every other service and container; INIT_SHELLS_MAX shells fit many times over. */
        static const char *const pts_opts[] = { "ptmxmode=0666", "mode=0620", "gid=5", "max=128", NULL };
        const char *const shm_opts[] = { "mode=1777", sandbox_tmpfs_size(c->options), sandbox_tmpfs_inodes(c->options), NULL };
        static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
        static const char *const links[][2] = {
                { "ptmx", "pts/ptmx" },        { "fd", "/proc/self/fd" },       { "stdin", "/proc/self/fd/0" },
                { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
        };
        _cleanup_close_ int dev = -EBADF;
        int r;

        if (!c->options->private_devices) {
                _cleanup_close_ int host_dev = -EBADF;

                /* A root built from the host's mounts has no /dev of its own: the host's, as asked. */
                if (!c->staged)
                        return 0;
                host_dev = clone_tree(AT_FDCWD, "/dev", true);
                r = host_dev < 0 ? host_dev : attach(c, host_dev, "/dev");
                return r < 0 ? fail(c, r, "bind /dev") : 0;
        }

        r = mount_new_fs(c, "/dev", "tmpfs", tmpfs_opts, ATTR_SAFE);
        if (r < 0)
                return r;
        dev = open_in_root(c->root_fd, "/dev", O_DIRECTORY);
        if (dev < 0)
                return fail(c, dev, "open /dev");

        /* The host's nodes, bound over empty files: no mknod, and nodev on the tmpfs holds. */
        for (size_t i = 0; i < ELEMENTSOF(nodes); i++) {
                _cleanup_free_ char *path = strprintf("/dev/%s", nodes[i]);

                if (dev_nodes[i] < 0)
                        continue;
                if (!path)
                        return -ENOMEM;
                r = touch_in_root(c->root_fd, path);
                if (r < 0)
                        return fail(c, r, "create %s", path);
                r = set_attr(dev_nodes[i], false, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, 0);
                if (r < 0)
                        return fail(c, r, "protect %s", path);
                r = attach(c, dev_nodes[i], path);
                if (r < 0)
                        return fail(c, r, "bind %s", path);
        }

        FOREACH_STRING(d, "/dev/pts", "/dev/shm", "/dev/mqueue") {
                r = mkdir_in_root(c->root_fd, d);
                if (r < 0)
                        return fail(c, r, "create %s", d);
        }
        /* A devpts of its own: no host terminal is reachable through ptmx. */
        r = mount_new_fs(c, "/dev/pts", "devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
        if (r < 0)
                return r;
        r = mount_new_fs(c, "/dev/shm", "tmpfs", shm_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (r < 0)
                return r;
        r = mount_new_fs(c, "/dev/mqueue", "mqueue", NULL, ATTR_SAFE);
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(links); i++)
                if (symlinkat(links[i][1], dev, links[i][0]) < 0)
                        return fail(c, negative_errno(), "create /dev/%s", links[i][0]);

        /* As on a booted host (systemd-journald-dev-log.socket's Symlinks=): /dev/log links to
         * journald's socket in /run (bound there by setup_tmp_and_run()), and /dev stays writable as
         * systemd's PrivateDevices= /dev is, so that a syslog daemon (rsyslog's imuxsock) can replace
         * the link by a socket of its own, as it does on a host without journald. */
        if (*dev_log >= 0 && symlinkat("/run/systemd/journal/dev-log", dev, "log") < 0)
                return fail(c, negative_errno(), "create /dev/log");
        return 0;
}

static int setup_proc(MountContext *c) {
        static const char *const read_only[] = {
                "/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs", "/proc/acpi",
                "/proc/asound", "/proc/latency_stats", "/proc/timer_stats",
        };
        static const char *const masked[] = {
                "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug"
        };
        const char *opts[3] = {};
        size_t n_opts = 0;
        int r;

        /* ProtectProc=, ProcSubset=: options of the service's own /proc, as systemd mounts it. */
        if (c->options->protect_proc != PROTECT_PROC_DEFAULT)
                opts[n_opts++] = c->options->protect_proc == PROTECT_PROC_NOACCESS     ? "hidepid=noaccess"
                                 : c->options->protect_proc == PROTECT_PROC_INVISIBLE ? "hidepid=invisible"
                                                                                       : "hidepid=ptraceable";
        if (c->options->proc_subset == PROC_SUBSET_PID)
                opts[n_opts++] = "subset=pid";
        if (c->new_root) {
                r = mount_new_fs(c, "/proc", "proc", opts, ATTR_SAFE);
                if (r < 0)
                        return r;
        } else if (n_opts > 0)
                return fail(c, -EOPNOTSUPP, "apply ProtectProc=/ProcSubset=: the service has no /proc of its own (HostRoot=yes)");

        /* The kernel checks the uid, not a capability, for writes to /proc/sys. */
        if (c->options->protect_kernel_tunables)
                for (size_t i = 0; i < ELEMENTSOF(read_only); i++) {
                        r = make_read_only(c, read_only[i], true, true);
                        if (r < 0)
                                return r;
                }

        for (size_t i = 0; i < ELEMENTSOF(masked); i++) {
                r = make_inaccessible(c, masked[i], true);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The cgroup hierarchies as the host has them (read before the old root goes), mounted anew: in the
 * cgroup namespace the service sees its own cgroup as the root, so /sys/fs/cgroup/memory.max on v2 is
 * its own limit. One "TYPE MOUNTPOINT OPTIONS" per hierarchy, in the order of mountinfo. */
static int cgroupfs_list(MountContext *c, char ***ret) {
        _cleanup_strv_free_ char **list = NULL;
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        FILE *f;
        int r = 0;

        f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return fail(c, negative_errno(), "read /proc/self/mountinfo");
        while (r >= 0 && getline(&line, &size, f) > 0) {
                char mountpoint[512], type[32], super[512];
                const char *sep = strstr(line, " - ");

                if (!sep || sscanf(line, "%*s %*s %*s %*s %511s", mountpoint) != 1 ||
                    sscanf(sep + 3, "%31s %*s %511s", type, super) != 2)
                        continue;
                if (strcmp(mountpoint, "/sys/fs/cgroup") == 0 && strcmp(type, "cgroup2") == 0) {
                        strv_free(list);
                        list = NULL;
                        r = strv_extend(&list, "cgroup2 /sys/fs/cgroup -");
                        break;
                }
                if (!startswith(mountpoint, "/sys/fs/cgroup/") || strchr(mountpoint + 15, '/') ||
                    (strcmp(type, "cgroup") != 0 && strcmp(type, "cgroup2") != 0))
                        continue;
                _cleanup_free_ char *e = strprintf("%s %s %s", type, mountpoint, super);
                r = e ? strv_extend(&list, e) : -ENOMEM;
        }
        fclose(f);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(list);
        return 0;
}

static int cgroupfs_mount(MountContext *c, char *const *list) {
        static const char *const tmpfs_opts[] = { "mode=0755", "size=64k", "nr_inodes=64", NULL };
        uint64_t attrs = ATTR_SAFE | (c->options->protect_control_groups ? MOUNT_ATTR_RDONLY : 0);
        bool v1 = false;
        int r = 0;

        for (char *const *l = list; r >= 0 && l && *l; l++) {
                char mountpoint[512], type[32], super[512];

                if (sscanf(*l, "%31s %511s %511s", type, mountpoint, super) != 3)
                        return -EINVAL;
                if (strcmp(mountpoint, "/sys/fs/cgroup") == 0) {
                        r = mount_new_fs(c, "/sys/fs/cgroup", "cgroup2", NULL, attrs);
                        break;
                }
                if (!v1) {
                        r = mount_new_fs(c, "/sys/fs/cgroup", "tmpfs", tmpfs_opts, ATTR_SAFE);
                        if (r < 0)
                                break;
                        v1 = true;
                }
                /* The hierarchy's options but rw/ro: "cpu", "name=systemd", ... */
                _cleanup_strv_free_ char **opts = NULL;
                for (char *o = super, *save = NULL, *w; (w = strtok_r(o, ",", &save)); o = NULL)
                        if (strcmp(w, "rw") != 0 && strcmp(w, "ro") != 0 && strv_extend(&opts, w) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                if (r < 0)
                        break;
                r = mkdir_in_root(c->root_fd, mountpoint);
                if (r < 0) {
                        r = fail(c, r, "create %s", mountpoint);
                        break;
                }
                r = mount_new_fs(c, mountpoint, type, (const char *const *) opts, attrs);
        }
        if (r >= 0 && v1) {
                _cleanup_close_ int fd = open_in_root(c->root_fd, "/sys/fs/cgroup", O_DIRECTORY);

                r = fd < 0 ? fd : set_attr(fd, false, MOUNT_ATTR_RDONLY, 0);
                if (r < 0)
                        r = fail(c, r, "make /sys/fs/cgroup read-only");
        }
        return r;
}

/* sandbox_mount_defer_cgroupfs(): what setup_sys() found, for sandbox_mount_cgroupfs(). */
static bool cgroupfs_deferred;
static char **cgroupfs_pending;

static int setup_cgroupfs(MountContext *c) {
        _cleanup_strv_free_ char **list = NULL;
        int r;

        r = cgroupfs_list(c, &list);
        if (r < 0)
                return r;
        if (cgroupfs_deferred) {
                strv_free(cgroupfs_pending);
                cgroupfs_pending = TAKE_PTR(list);
                return 0;
        }
        return cgroupfs_mount(c, list);
}

void sandbox_mount_defer_cgroupfs(bool defer) {
        cgroupfs_deferred = defer;
}

int sandbox_mount_cgroupfs(const SandboxOptions *o, char **ret_error) {
        _cleanup_strv_free_ char **list = TAKE_PTR(cgroupfs_pending);
        MountContext c = { .options = o, .root_fd = -EBADF, .error = ret_error, .staged = true, .new_root = true };
        int r;

        if (!list)
                return 0;
        c.root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (c.root_fd < 0)
                return fail(&c, negative_errno(), "open /");
        r = cgroupfs_mount(&c, list);
        safe_close(c.root_fd);
        return r;
}

static int setup_sys(MountContext *c, int *sys_clone) {
        const SandboxOptions *o = c->options;
        int r;

        /* A sysfs of its own network namespace: only its own network devices show. */
        if (c->staged) {
                _cleanup_close_ int m = new_fs("sysfs", NULL,
                                               ATTR_SAFE | (o->protect_kernel_tunables ? MOUNT_ATTR_RDONLY : 0));

                if (m >= 0) {
                        r = attach(c, m, "/sys");
                        if (r < 0)
                                return fail(c, r, "mount sysfs on /sys");
                        r = setup_cgroupfs(c);
                        if (r < 0)
                                return r;
                } else {
                        /* The host's /sys then, as a bind of the original root's, not covered yet. */
                        *sys_clone = clone_tree(AT_FDCWD, "/sys", true);
                        if (*sys_clone < 0)
                                return fail(c, *sys_clone, "bind /sys");
                }
        }

        if (*sys_clone >= 0) {
                r = attach(c, *sys_clone, "/sys");
                if (r < 0)
                        return fail(c, r, "mount /sys");
        }

        if (o->protect_kernel_tunables) {
                r = make_read_only(c, "/sys", true, true);
                if (r < 0)
                        return r;
        } else if (o->protect_system == PROTECT_SYSTEM_STRICT) {
                r = make_read_only(c, "/sys", false, true);
                if (r < 0)
                        return r;
        }

        /* Only if it is a mount of its own: never change the attributes of /sys by accident. */
        if (o->protect_control_groups != o->protect_kernel_tunables ||
            (o->protect_control_groups && o->protect_system != PROTECT_SYSTEM_STRICT)) {
                _cleanup_close_ int fd = open_in_root(c->root_fd, "/sys/fs/cgroup", 0);

                if (fd >= 0 && is_mount_root(fd) > 0) {
                        r = set_attr(fd, true, o->protect_control_groups ? MOUNT_ATTR_RDONLY : 0,
                                     o->protect_control_groups ? 0 : MOUNT_ATTR_RDONLY);
                        if (r < 0)
                                return fail(c, r, "make /sys/fs/cgroup %s",
                                            o->protect_control_groups ? "read-only" : "writable");
                }
        }
        return 0;
}

static int setup_tmp_and_run(MountContext *c, int *dev_log) {
        const char *const tmp_opts[] = { "mode=1777", sandbox_tmpfs_size(c->options), sandbox_tmpfs_inodes(c->options), NULL };
        const char *const run_opts[] = { "mode=0755", sandbox_tmpfs_size(c->options), sandbox_tmpfs_inodes(c->options), NULL };
        int r;

        if (c->options->private_tmp)
                FOREACH_STRING(p, "/tmp", "/var/tmp") {
                        _cleanup_close_ int fd = open_in_root(c->root_fd, p, O_DIRECTORY);

                        if (fd == -ENOENT)
                                continue;
                        r = mount_new_fs(c, p, "tmpfs", tmp_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
                        if (r < 0)
                                return r;
                }

        /* After the journal stream was opened: from now on no host socket under /run is reachable
         * (a read-only bind would not stop connect()). */
        r = mount_new_fs(c, "/run", "tmpfs", run_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (r < 0)
                return r;
        _cleanup_close_ int run_fd = open_in_root(c->root_fd, "/run", O_DIRECTORY);
        c->run_mnt_id = run_fd >= 0 ? mount_id_of(run_fd) : 0;
        /* The host's /dev (PrivateDevices=no) has /dev/log as a symlink to the socket's place in
         * /run, and so has the service's own /dev: the socket goes there, alone. */
        return attach_dev_log(c, dev_log, "/run/systemd/journal/dev-log");
}

/* A bind mount of NAME on the detached mount M. Linux before 6.15 (Debian 12's 6.1) refuses to
 * clone from a mount that is not attached (EINVAL), so M is attached for the while on an empty
 * directory of the service's own /run, the file cloned from there, and M detached again. */
static int clone_detached_file(MountContext *c, int m, const char *name) {
        static const char dir[] = ".isolated-mount";
        _cleanup_close_ int run_fd = -EBADF, dir_fd = -EBADF, mnt_fd = -EBADF;
        _cleanup_free_ char *path = NULL, *proc_path = NULL;
        int file, r;

        run_fd = open_in_root(c->root_fd, "/run", O_DIRECTORY);
        if (run_fd < 0)
                return run_fd;
        if (mkdirat(run_fd, dir, 0700) < 0)
                return negative_errno();
        dir_fd = openat(run_fd, dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        r = dir_fd < 0 ? negative_errno() : attach_fd(m, dir_fd);
        if (r < 0) {
                (void) unlinkat(run_fd, dir, AT_REMOVEDIR);
                return r;
        }
        path = strprintf("%s/%s", dir, name);
        file = path ? clone_tree(run_fd, path, false) : -ENOMEM;
        /* The mount on the directory, by a fd of its root: nothing but us can have reached it. */
        mnt_fd = openat(run_fd, dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (mnt_fd < 0)
                r = negative_errno();
        else {
                proc_path = strprintf("/proc/self/fd/%d", mnt_fd);
                r = !proc_path ? -ENOMEM : umount2(proc_path, MNT_DETACH) < 0 ? negative_errno() : 0;
        }
        if (r >= 0 && file < 0)
                r = file;
        if (r >= 0 && unlinkat(run_fd, dir, AT_REMOVEDIR) < 0)
                r = negative_errno();
        if (r < 0) {
                if (file >= 0)
                        safe_close(file);
                return r;
        }
        return file;
}

/* The service's /etc/hosts: the root's own, its 127.0.1.1 line (the host's name) replaced by the
 * service's hostname, and ::1 named localhost if no line does, as a booted Debian has it (netcfg
 * writes both): a private copy on a tiny tmpfs of its own, bound read-only over /etc/hosts. */
/* A detached mount of the service's /etc/hosts, read-only, on /etc/hosts. */
static int attach_hosts(MountContext *c, int file) {
        _cleanup_close_ int target = -EBADF;
        int r;

        r = set_attr(file, false, MOUNT_ATTR_RDONLY | ATTR_SAFE, 0);
        if (r < 0)
                return fail(c, r, "make the service's /etc/hosts read-only");
        target = open_in_root_confined(c->root_fd, c->writable, "/etc/hosts", 0);
        r = target < 0 ? target : attach_fd(file, target);
        if (r < 0)
                return fail(c, r, "bind the service's /etc/hosts on /etc/hosts");
        return 0;
}

/* The service's /etc/hosts as a file of its own /run, bound on /etc/hosts and unlinked there before
 * anything of the service runs (a mount of an unlinked file cannot be attached, one attached keeps
 * its file): no file system of its own to make, and none to take down (a detached mount's umount
 * waits for an RCU grace period). 1 if done; 0 if /run has no room for it, or is not the tmpfs made
 * for it (a BindPaths= over /run may have put a host directory there since). */
static int hosts_in_run(MountContext *c, const char *text, size_t n) {
        static const char name[] = ".isolated-hosts";
        _cleanup_close_ int run_fd = -EBADF, fd = -EBADF, file = -EBADF;
        int r = 0;

        run_fd = open_in_root(c->root_fd, "/run", O_DIRECTORY);
        if (run_fd < 0 || c->run_mnt_id == 0 || mount_id_of(run_fd) != c->run_mnt_id)
                return 0;
        fd = openat(run_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return errno == EEXIST ? 0 : negative_errno(); /* a path key's mount point: the other way */
        if (write(fd, text, n) != (ssize_t) n)
                r = errno == ENOSPC || errno == EDQUOT || errno == 0 ? 0 : negative_errno();
        else {
                file = clone_tree(run_fd, name, false);
                r = file < 0 ? file : attach_hosts(c, file);
                if (r >= 0)
                        r = 1;
        }
        if (unlinkat(run_fd, name, 0) < 0 && r >= 0)
                return negative_errno();
        return r;
}

static int setup_hosts(MountContext *c) {
        /* Not blocking on a FIFO the service may have put there (ReadWritePaths=/etc). */
        struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        _cleanup_close_ int in_fd = -EBADF, m = -EBADF, out_fd = -EBADF, file = -EBADF;
        _cleanup_free_ char *line = NULL, *text = NULL, *size_opt = NULL;
        char host[HOST_NAME_MAX + 1] = {}, *dot;
        bool localhost6 = false;
        size_t size = 0, n = 0;
        struct stat st;
        FILE *in, *out;
        int r;

        if (gethostname(host, sizeof(host) - 1) < 0)
                return fail(c, negative_errno(), "read the hostname");
        in_fd = (int) syscall(SYS_openat2, c->root_fd, "etc/hosts", &how, sizeof(how));
        if (in_fd < 0 && (errno == ENOENT || errno == ENOTDIR)) /* a RootDirectory= without one */
                return 0;
        if (in_fd < 0)
                return fail(c, negative_errno(), "open /etc/hosts");
        if (fstat(in_fd, &st) < 0)
                return fail(c, negative_errno(), "inspect /etc/hosts");
        if (!S_ISREG(st.st_mode)) /* not a file to copy: left as it is */
                return 0;
        in = fdopen(in_fd, "re");
        if (!in)
                return fail(c, negative_errno(), "read /etc/hosts");
        in_fd = -EBADF;
        out = open_memstream(&text, &n);
        if (!out) {
                fclose(in);
                return -ENOMEM;
        }
        while (getline(&line, &size, in) > 0) {
                const char *p = line + strspn(line, " \t");
                size_t k = strcspn(p, " \t\n#");

                if (k == 9 && strncmp(p, "127.0.1.1", 9) == 0)
                        continue;
                if (k == 3 && strncmp(p, "::1", 3) == 0)
                        for (const char *w = p + k; *w && *w != '#' && !localhost6;) {
                                size_t l;

                                w += strspn(w, " \t\n");
                                l = strcspn(w, " \t\n#");
                                localhost6 = l == 9 && strncmp(w, "localhost", 9) == 0;
                                w += l;
                        }
                fputs(line, out);
                if (*line == '\0' || line[strlen(line) - 1] != '\n')
                        fputc('\n', out);
        }
        r = ferror(in) ? -EIO : 0;
        fclose(in);
        dot = strchr(host, '.');
        if (dot)
                fprintf(out, "127.0.1.1\t%s\t%.*s\n", host, (int) (dot - host), host);
        else
                fprintf(out, "127.0.1.1\t%s\n", host);
        if (!localhost6)
                fputs("::1\tlocalhost ip6-localhost ip6-loopback\n", out);
        if (fclose(out) != 0)
                return -ENOMEM;
        if (r < 0)
                return fail(c, r, "read /etc/hosts");

        /* Usually the copy goes into the service's own /run, under a name unlinked again once the file
         * is cloned: no file system of its own to make, and none to take down (a detached mount's
         * umount waits for an RCU grace period). */
        r = hosts_in_run(c, text, n);
        if (r < 0)
                return c->error && *c->error ? r : fail(c, r, "write the service's /etc/hosts");
        if (r > 0)
                return 0;

        /* Too large for /run (a host's block list in /etc/hosts has megabytes): a tmpfs as large
         * as the copy, and no more. */
        size_opt = strprintf("size=%zu", n + 4096);
        if (!size_opt)
                return -ENOMEM;
        m = new_fs("tmpfs", (const char *const[]) { "mode=0755", "nr_inodes=4", size_opt, NULL }, ATTR_SAFE);
        if (m < 0)
                return fail(c, m, "create the tmpfs of /etc/hosts");
        out_fd = openat(m, "hosts", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (out_fd < 0)
                return fail(c, negative_errno(), "create the service's /etc/hosts");
        if (write(out_fd, text, n) != (ssize_t) n)
                return fail(c, errno > 0 ? -errno : -EIO, "write the service's /etc/hosts");
        file = clone_detached_file(c, m, "hosts");
        if (file < 0)
                return fail(c, file, "bind the service's /etc/hosts");
        return attach_hosts(c, file);
}

typedef enum PathKind {
        PATH_READ_ONLY,
        PATH_READ_WRITE,
        PATH_INACCESSIBLE,
        PATH_BIND,
        PATH_TMPFS,
        PATH_NOEXEC, /* NoExecPaths=, ExecPaths=: after every other mount, parents first */
        PATH_EXEC,
} PathKind;

typedef struct PathEntry {
        const char *path;
        PathKind kind;
        bool ignore_missing;
        size_t index; /* into bind_mounts/temporary_filesystems */
        int order;
} PathEntry;

static int path_entry_compare(const void *a, const void *b) {
        const PathEntry *x = a, *y = b;
        int r = strcmp(x->path, y->path);

        /* A parent before what is below it, so the more specific entry wins; else file order. */
        if (r != 0)
                return r;
        return x->order - y->order;
}

static int add_path_entries(PathEntry **list, size_t *n, char **paths, PathKind kind) {
        for (char **p = paths; p && *p; p++) {
                PathEntry *l = reallocarray(*list, *n + 1, sizeof(PathEntry));

                if (!l)
                        return -ENOMEM;
                *list = l;
                l[*n] = (PathEntry) {
                        .path = **p == '-' ? *p + 1 : *p,
                        .kind = kind,
                        .ignore_missing = **p == '-',
                        .order = (int) *n,
                };
                (*n)++;
        }
        return 0;
}

/* A Bind*Paths= source in an API file system the service gets its own of (/dev, /proc, /sys):
 * taken when the bind is made, as the service sees it there (the staged root has none of the
 * host's, and the host's would show its devices and processes). haproxy's
 * BindReadOnlyPaths=/dev/log:... gets the service's /dev/log, journald's syslog socket, which
 * is what systemd binds there from the host. */
#define BIND_SOURCE_DEFERRED (-EINPROGRESS)

static bool bind_source_is_api(const char *source) {
        FOREACH_STRING(p, "/dev", "/proc", "/sys") {
                size_t k = strlen(p);

                if (strncmp(source, p, k) == 0 && (source[k] == '\0' || source[k] == '/'))
                        return true;
        }
        return false;
}

/* Whether the directory at fd (O_PATH) has no entry. */
static int dir_is_empty(int fd) {
        DIR *d;
        struct dirent *e;
        int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW), r = 1;

        if (dfd < 0)
                return negative_errno();
        d = fdopendir(dfd);
        if (!d) {
                r = negative_errno();
                safe_close(dfd);
                return r;
        }
        while ((e = readdir(d)))
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                        r = 0;
                        break;
                }
        closedir(d);
        return r;
}

/* A Bind*Paths= mount point missing where the service's tree is read-only (the host's files):
 * systemd creates it on the host, isolated writes nothing there. If the closest directory that
 * exists above it is empty (a package's /var/lib/haproxy/dev, made for a chroot's /dev/log),
 * that directory is covered by a tiny tmpfs of its mode and owner, which holds the mount point
 * and is then read-only: nothing of the host is hidden, nothing reaches it. Else -ENOTEMPTY. */
static int make_mount_point_in_empty_dir(MountContext *c, const char *destination, bool directory) {
        _cleanup_free_ char *above = strdup(destination), *mode = NULL, *uid = NULL, *gid = NULL;
        _cleanup_close_ int dir = -EBADF, m = -EBADF;
        struct stat st;
        char *slash;
        int r;

        if (!above)
                return -ENOMEM;
        for (;;) {
                slash = strrchr(above, '/');
                if (!slash || slash == above)
                        return -ENOTEMPTY; /* up to /, which is not empty */
                *slash = '\0';
                dir = open_in_root(c->root_fd, above, O_DIRECTORY);
                if (dir != -ENOENT)
                        break;
        }
        if (dir < 0)
                return dir;
        r = dir_is_empty(dir);
        if (r <= 0)
                return r < 0 ? r : -ENOTEMPTY;
        if (fstat(dir, &st) < 0)
                return negative_errno();
        mode = strprintf("mode=%04o", (unsigned) (st.st_mode & 07777));
        uid = strprintf("uid=%u", (unsigned) st.st_uid);
        gid = strprintf("gid=%u", (unsigned) st.st_gid);
        if (!mode || !uid || !gid)
                return -ENOMEM;
        m = new_fs("tmpfs", (const char *const[]) { mode, uid, gid, "size=64k", "nr_inodes=64", NULL },
                   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (m < 0)
                return m;
        r = attach_fd(m, dir);
        if (r < 0)
                return r;
        r = directory ? mkdir_in_root(c->root_fd, destination) : touch_in_root(c->root_fd, destination);
        if (r < 0)
                return r;
        return set_attr(m, false, MOUNT_ATTR_RDONLY, 0);
}

static int apply_bind(MountContext *c, const BindMount *b, int *clone) {
        _cleanup_close_ int target = -EBADF;
        struct stat st;
        int r;

        if (*clone == BIND_SOURCE_DEFERRED) {
                _cleanup_close_ int source = open_in_root(c->root_fd, b->source, 0);

                *clone = source < 0 ? source : clone_tree(source, "", b->recursive);
                if (*clone == -ENOENT && b->ignore_missing)
                        return 0;
                if (*clone < 0)
                        return fail(c, *clone, "bind %s", b->source);
        }
        if (*clone < 0) /* a missing "-" source */
                return 0;
        if (fstat(*clone, &st) < 0)
                return fail(c, negative_errno(), "inspect %s", b->source);

        target = open_in_root(c->root_fd, b->destination, 0);
        if (target == -ENOENT) {
                r = S_ISDIR(st.st_mode) ? mkdir_in_root(c->root_fd, b->destination)
                                        : touch_in_root(c->root_fd, b->destination);
                if ((r == -EROFS || r == -EACCES || r == -EPERM) &&
                    make_mount_point_in_empty_dir(c, b->destination, S_ISDIR(st.st_mode)) >= 0)
                        r = 0;
                if (r < 0)
                        return fail(c, r, "create mount point %s (where the service's tree is read-only, "
                                    "only in an empty directory)", b->destination);
                target = open_in_root(c->root_fd, b->destination, 0);
        }
        if (target < 0)
                return fail(c, target, "open %s", b->destination);

        r = set_attr(*clone, b->recursive, b->read_only ? MOUNT_ATTR_RDONLY : 0, b->read_only ? 0 : MOUNT_ATTR_RDONLY);
        if (r < 0 && !(r == -EPERM || r == -EROFS))
                return fail(c, r, "make %s %s", b->destination, b->read_only ? "read-only" : "writable");
        r = attach_fd(*clone, target);
        if (r < 0)
                return fail(c, r, "bind %s on %s", b->source, b->destination);
        *clone = safe_close(*clone);
        return 0;
}

static int apply_tmpfs(MountContext *c, const TemporaryFileSystem *t) {
        _cleanup_strv_free_ char **opts = NULL;
        uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
        const char *q = t->options;
        bool mode = false;
        int r;

        for (; q && *q;) {
                size_t k = strcspn(q, ",");
                _cleanup_free_ char *w = strndup(q, k);

                if (!w)
                        return -ENOMEM;
                if (strcmp(w, "ro") == 0)
                        attrs |= MOUNT_ATTR_RDONLY;
                else if (strcmp(w, "rw") == 0)
                        attrs &= ~(uint64_t) MOUNT_ATTR_RDONLY;
                else if (strcmp(w, "noexec") == 0)
                        attrs |= MOUNT_ATTR_NOEXEC;
                else if (strcmp(w, "exec") == 0)
                        attrs &= ~(uint64_t) MOUNT_ATTR_NOEXEC;
                else if (strcmp(w, "nosuid") == 0 || strcmp(w, "nodev") == 0)
                        ;
                else if (strcmp(w, "suid") == 0 || strcmp(w, "dev") == 0)
                        ; /* never: a tmpfs of the service keeps nosuid and nodev */
                else {
                        mode = mode || startswith(w, "mode=");
                        r = strv_consume(&opts, TAKE_PTR(w));
                        if (r < 0)
                                return r;
                }
                q += k;
                if (*q)
                        q++;
        }
        if (!mode) {
                r = strv_extend(&opts, "mode=0755");
                if (r < 0)
                        return r;
        }

        r = mkdir_in_root(c->root_fd, t->path);
        if (r < 0)
                return fail(c, r, "create %s", t->path);
        return mount_new_fs(c, t->path, "tmpfs", (const char *const *) opts, attrs);
}

static int setup_paths(MountContext *c, int *bind_clones) {
        static char *const home[] = { "-/home", "-/root", NULL };
        static char *const modules[] = { "-/usr/lib/modules", "-/lib/modules", NULL };
        const SandboxOptions *o = c->options;
        _cleanup_free_ PathEntry *list = NULL;
        size_t n = 0;
        int r;

        r = add_path_entries(&list, &n, o->read_only_paths, PATH_READ_ONLY);
        if (r >= 0)
                r = add_path_entries(&list, &n, o->read_write_paths, PATH_READ_WRITE);
        if (r >= 0)
                r = add_path_entries(&list, &n, o->inaccessible_paths, PATH_INACCESSIBLE);
        if (r >= 0)
                r = add_path_entries(&list, &n, o->no_exec_paths, PATH_NOEXEC);
        if (r >= 0)
                r = add_path_entries(&list, &n, o->exec_paths, PATH_EXEC);
        if (r >= 0 && o->protect_kernel_modules)
                r = add_path_entries(&list, &n, (char **) modules, PATH_INACCESSIBLE);
        if (r >= 0 && o->protect_home != PROTECT_HOME_NO)
                r = add_path_entries(&list, &n, (char **) home,
                                     o->protect_home == PROTECT_HOME_YES ? PATH_INACCESSIBLE
                                     : o->protect_home == PROTECT_HOME_READ_ONLY ? PATH_READ_ONLY
                                                                                 : PATH_TMPFS);
        if (r < 0)
                return r;
        for (size_t i = 0; i < o->n_bind_mounts; i++) {
                PathEntry *l = reallocarray(list, n + 1, sizeof(PathEntry));

                if (!l)
                        return -ENOMEM;
                list = l;
                list[n] = (PathEntry) { .path = o->bind_mounts[i].destination, .kind = PATH_BIND, .index = i, .order = (int) n };
                n++;
        }
        for (size_t i = 0; i < o->n_temporary_filesystems; i++) {
                PathEntry *l = reallocarray(list, n + 1, sizeof(PathEntry));

                if (!l)
                        return -ENOMEM;
                list = l;
                list[n] = (PathEntry) { .path = o->temporary_filesystems[i].path, .kind = PATH_TMPFS, .index = i,
                                        .order = (int) n, .ignore_missing = false };
                n++;
        }
        if (n > 0)
                qsort(list, n, sizeof(PathEntry), path_entry_compare);

        for (size_t i = 0; i < n; i++) {
                const PathEntry *e = &list[i];

                switch (e->kind) {
                case PATH_READ_ONLY:
                case PATH_READ_WRITE:
                        r = make_read_only(c, e->path, e->kind == PATH_READ_ONLY, e->ignore_missing);
                        break;
                case PATH_INACCESSIBLE:
                        r = make_inaccessible(c, e->path, e->ignore_missing);
                        break;
                case PATH_BIND:
                        r = apply_bind(c, &o->bind_mounts[e->index], &bind_clones[e->index]);
                        break;
                case PATH_TMPFS:
                        if (e->ignore_missing) { /* ProtectHome=tmpfs */
                                _cleanup_close_ int fd = open_in_root(c->root_fd, e->path, 0);
                                static const TemporaryFileSystem home_tmpfs = { .options = (char *) "ro" };
                                TemporaryFileSystem t = home_tmpfs;

                                if (fd == -ENOENT) {
                                        r = 0;
                                        break;
                                }
                                t.path = (char *) e->path;
                                r = apply_tmpfs(c, &t);
                        } else
                                r = apply_tmpfs(c, &o->temporary_filesystems[e->index]);
                        break;
                case PATH_NOEXEC:
                case PATH_EXEC:
                        r = 0; /* below, once everything is mounted */
                        break;
                default:
                        r = -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        /* The exec flags last, so that they cover what was mounted below them; in path order, so
         * that ExecPaths= below a NoExecPaths= path makes it executable again. */
        for (size_t i = 0; i < n; i++) {
                const PathEntry *e = &list[i];

                if (e->kind != PATH_NOEXEC && e->kind != PATH_EXEC)
                        continue;
                r = make_noexec(c, e->path, e->kind == PATH_NOEXEC, e->ignore_missing);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int enter_root(MountContext *c) {
        /* The old root is detached in one go: nothing of the host stays reachable through it. */
        if (fchdir(c->root_fd) < 0)
                return fail(c, negative_errno(), "enter %s", c->options->root_directory ?: "the new root");
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return fail(c, negative_errno(), "pivot_root into %s", c->options->root_directory ?: "the new root");
        if (umount2(".", MNT_DETACH) < 0)
                return fail(c, negative_errno(), "detach the old root");
        if (chdir("/") < 0)
                return fail(c, negative_errno(), "enter /");
        return 0;
}

/* Learning: host mount N as the lower layer of an overlay whose upper and work directories are
 * N/upper and N/work on layers_fd, our tmpfs, reachable as layers_path; the overlay's mount,
 * detached. The host's mount is attached at N/lower first: overlayfs takes a layer only from our own
 * mount namespace (a detached mount's namespace is the daemon's user namespace's, where we have no
 * CAP_SYS_ADMIN). The layers are given as paths, not as file descriptors ("lowerdir+"): Linux 6.1's
 * overlayfs parses its options as one string and refuses a descriptor (EOPNOTSUPP); a path is taken
 * by every kernel. The paths are ours (digits below layers_path: no ':', ',' or '\' to escape). */
static int learn_overlay(int layers_fd, const char *layers_path, size_t index, int host_fd) {
        _cleanup_close_ int fs = -EBADF, dir = -EBADF, lower_fd = -EBADF;
        char name[32], lower[PATH_MAX], upper[PATH_MAX], work[PATH_MAX];
        int m;

        snprintf(name, sizeof(name), "%zu", index);
        if (snprintf(lower, sizeof(lower), "%s/%s/lower", layers_path, name) >= (int) sizeof(lower) ||
            snprintf(upper, sizeof(upper), "%s/%s/upper", layers_path, name) >= (int) sizeof(upper) ||
            snprintf(work, sizeof(work), "%s/%s/work", layers_path, name) >= (int) sizeof(work))
                return -ENAMETOOLONG;
        if (mkdirat(layers_fd, name, 0755) < 0)
                return negative_errno();
        dir = openat(layers_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir < 0 || mkdirat(dir, "upper", 0755) < 0 || mkdirat(dir, "work", 0755) < 0 ||
            mkdirat(dir, "lower", 0755) < 0)
                return negative_errno();
        lower_fd = openat(dir, "lower", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (lower_fd < 0)
                return negative_errno();
        m = attach_fd(host_fd, lower_fd);
        if (m < 0)
                return m;
        fs = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fs < 0)
                return negative_errno();
        if (fsconfig(fs, FSCONFIG_SET_STRING, "source", "isolated-learn", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return negative_errno();
        m = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        return m < 0 ? negative_errno() : m;
}

/* overlayfs in a user namespace keeps what it marks (an opaque directory) as user.overlay.* xattrs
 * of its upper layer; a tmpfs has user xattrs from Linux 6.6 only. Without them (Debian 12's 6.1) the
 * overlay still works, but a directory of the host's tree cannot be removed while learning (EIO):
 * said once, as a notice. */
static void learn_check_xattrs(int layers_fd) {
        if (fsetxattr(layers_fd, "user.isolate-init", "1", 1, 0) < 0) {
                if (errno == EOPNOTSUPP)
                        log_notice("Learning: this kernel's tmpfs has no user extended attributes, so the "
                                   "overlay cannot remove a directory of the host's tree (EIO) while learning.");
                return;
        }
        (void) fremovexattr(layers_fd, "user.isolate-init");
}

/* The service's root, on a small tmpfs over /tmp of the init's old tree (gone with it): "/" first,
 * then every other host mount at its place, a symlink on the way resolved inside the new root. */
static int build_root(MountContext *c, char *const *paths, const int *fds, size_t n, int *ret_fd) {
        static const char *const opts[] = { "mode=0700", "size=16k", "nr_inodes=8", NULL };
        const char *const layer_opts[] = { "mode=0755", sandbox_tmpfs_size(c->options), sandbox_tmpfs_inodes(c->options), NULL };
        _cleanup_close_ int staging = -EBADF, tmp = -EBADF, root = -EBADF, layers = -EBADF;
        _cleanup_free_ int *overlays = NULL;
        int r;

        if (strcmp(paths[0], "/") != 0)
                return fail(c, -EINVAL, "build the root: the first host mount is %s, not /", paths[0]);
        staging = new_fs("tmpfs", opts, ATTR_SAFE);
        if (staging < 0)
                return fail(c, staging, "create the staging tmpfs");
        tmp = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (tmp < 0)
                return fail(c, negative_errno(), "open /tmp");
        r = attach_fd(staging, tmp);
        if (r < 0)
                return fail(c, r, "mount the staging tmpfs");
        staging = safe_close(staging);
        tmp = safe_close(tmp);
        tmp = open("/tmp", O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (tmp < 0 || mkdirat(tmp, "root", 0755) < 0)
                return fail(c, negative_errno(), "create the staging root");
        root = openat(tmp, "root", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (root < 0)
                return fail(c, negative_errno(), "open the staging root");
        if (learn_active()) {
                _cleanup_close_ int m = -EBADF, dir = -EBADF;

                /* The layers' tmpfs, attached beside the root for as long as we build (then it goes
                 * with the old tree; our fd stays): every host mount becomes an overlay. */
                m = new_fs("tmpfs", layer_opts, ATTR_SAFE);
                if (m < 0)
                        return fail(c, m, "create the tmpfs of the learning layers");
                if (mkdirat(tmp, "learn", 0700) < 0)
                        return fail(c, negative_errno(), "create the learning layers");
                dir = openat(tmp, "learn", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                r = dir < 0 ? negative_errno() : attach_fd(m, dir);
                if (r < 0)
                        return fail(c, r, "mount the learning layers");
                layers = openat(tmp, "learn", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (layers < 0)
                        return fail(c, negative_errno(), "open the learning layers");
                learn_check_xattrs(layers);
                overlays = malloc(n * sizeof(int));
                if (!overlays)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++)
                        overlays[i] = -EBADF;
                for (size_t i = 0; i < n; i++) {
                        overlays[i] = learn_overlay(layers, "/tmp/learn", i, fds[i]);
                        if (overlays[i] < 0 && i > 0) {
                                /* A file system overlayfs cannot stack on (FUSE, another overlay...):
                                 * the host's mount as it is, read-only; writes there fail and are
                                 * not learned. */
                                log_warning_errno(overlays[i], "Learning: cannot stack an overlay on %s, "
                                                  "it stays read-only: %m", paths[i]);
                                r = set_attr(fds[i], false, MOUNT_ATTR_RDONLY, 0);
                                if (r < 0) {
                                        r = fail(c, r, "make the host's %s read-only", paths[i]);
                                        for (size_t j = 0; j < i; j++)
                                                safe_close(overlays[j]);
                                        return r;
                                }
                                continue;
                        }
                        if (overlays[i] < 0) {
                                r = fail(c, overlays[i], "make the host's %s an overlay to learn", paths[i]);
                                for (size_t j = 0; j < i; j++)
                                        safe_close(overlays[j]);
                                return r;
                        }
                }
        }
        r = attach_fd(overlays ? overlays[0] : fds[0], root);
        if (r < 0) {
                r = fail(c, r, "mount the host's / as the root");
                goto finish;
        }
        root = safe_close(root);
        root = openat(tmp, "root", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (root < 0) {
                r = fail(c, negative_errno(), "open the new root");
                goto finish;
        }

        for (size_t i = 1; i < n; i++) {
                _cleanup_close_ int target = open_in_root(root, paths[i], 0);

                if (target == -ENOENT || target == -ENOTDIR) /* below a path that is no directory here */
                        continue;
                if (target < 0) {
                        r = fail(c, target, "open %s in the new root", paths[i]);
                        goto finish;
                }
                r = attach_fd(overlays && overlays[i] >= 0 ? overlays[i] : fds[i], target);
                if (r < 0) {
                        r = fail(c, r, "mount the host's %s", paths[i]);
                        goto finish;
                }
        }
        if (overlays)
                learn_set_layers(TAKE_FD(layers), paths, n);
        *ret_fd = TAKE_FD(root);
        r = 0;
finish:
        for (size_t i = 0; overlays && i < n; i++)
                safe_close(overlays[i]);
        return r;
}

static int clone_bind_source(int host_root_fd, char *const *writable, const BindMount *b) {
        _cleanup_close_ int fd = -EBADF;

        if (host_root_fd < 0)
                return clone_tree(AT_FDCWD, b->source, b->recursive);
        fd = open_in_root_confined(host_root_fd, writable, b->source, 0);
        if (fd < 0)
                return fd;
        return clone_tree(fd, "", b->recursive);
}

int sandbox_mount_apply(const SandboxOptions *o, char *const *mount_paths, const int *mount_fds, size_t n_mounts,
                        char **ret_error) {
        static const char *const nodes[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty" };
        int dev_nodes[ELEMENTSOF(nodes)], sys_clone = -EBADF, host_root_fd = -EBADF, dev_log = -EBADF, *bind_clones = NULL;
        MountContext c = { .options = o, .root_fd = -EBADF, .error = ret_error };
        int r = 0;

        for (size_t i = 0; i < ELEMENTSOF(nodes); i++)
                dev_nodes[i] = -EBADF;
        bind_clones = calloc(o->n_bind_mounts + 1, sizeof(int));
        if (!bind_clones)
                return -ENOMEM;
        for (size_t i = 0; i < o->n_bind_mounts; i++)
                bind_clones[i] = -EBADF;

        /* ReadWritePaths= (with the exec directories) and both ends of a writable Bind*Paths=. */
        for (char **p = o->read_write_paths; r >= 0 && p && *p; p++)
                r = strv_extend(&c.writable, *p);
        for (size_t i = 0; r >= 0 && i < o->n_bind_mounts; i++)
                if (!o->bind_mounts[i].read_only) {
                        r = strv_extend(&c.writable, o->bind_mounts[i].source);
                        if (r >= 0)
                                r = strv_extend(&c.writable, o->bind_mounts[i].destination);
                }
        if (r < 0)
                goto finish;

        c.staged = n_mounts > 0;
        c.new_root = c.staged || o->root_directory;
        if (learn_active() && !c.staged) {
                r = fail(&c, -EOPNOTSUPP, "learn: without a user namespace of its own (HostRoot=yes) the host's tree cannot be");
                goto finish;
        }
        if (c.staged) {
                r = build_root(&c, mount_paths, mount_fds, n_mounts, &host_root_fd);
                if (r < 0)
                        goto finish;
        }

        /* First take every source from the original root, before anything covers it. */
        if (o->private_devices)
                for (size_t i = 0; i < ELEMENTSOF(nodes); i++) {
                        dev_nodes[i] = clone_tree(AT_FDCWD, nodes[i], false);
                        if (dev_nodes[i] < 0 && dev_nodes[i] != -ENOENT) {
                                r = fail(&c, dev_nodes[i], "bind %s", nodes[i]);
                                goto finish;
                        }
                }
        dev_log = clone_tree(AT_FDCWD, "/run/systemd/journal/dev-log", false);
        if (dev_log < 0 && dev_log != -ENOENT) {
                r = fail(&c, dev_log, "bind journald's syslog socket");
                goto finish;
        }
        for (size_t i = 0; i < o->n_bind_mounts; i++) {
                const BindMount *b = &o->bind_mounts[i];

                if (bind_source_is_api(b->source)) {
                        bind_clones[i] = BIND_SOURCE_DEFERRED;
                        continue;
                }
                bind_clones[i] = clone_bind_source(host_root_fd, c.writable, b);
                if (bind_clones[i] == -ENOENT && b->ignore_missing)
                        continue;
                if (bind_clones[i] < 0) {
                        r = fail(&c, bind_clones[i], "bind %s", b->source);
                        goto finish;
                }
        }

        /* Staged, the sandbox gets a sysfs of its own and the original /sys stays uncovered until
         * the new root is entered: cloned only if that sysfs cannot be had (setup_sys()). A clone
         * not used costs its teardown when closed: an RCU grace period for its dozen mounts. */
        if (c.new_root && !c.staged) {
                sys_clone = clone_tree(AT_FDCWD, "/sys", true);
                if (sys_clone < 0) {
                        r = fail(&c, sys_clone, "bind /sys");
                        goto finish;
                }
        }
        if (o->root_directory && c.staged) {
                _cleanup_close_ int dir = open_in_root(host_root_fd, o->root_directory, O_DIRECTORY), m = -EBADF;

                /* The new root becomes a mount of its own, so that pivot_root() can take it. */
                m = dir < 0 ? dir : clone_tree(dir, "", true);
                r = m < 0 ? m : attach_fd(m, dir);
                if (r < 0) {
                        r = fail(&c, r, "bind RootDirectory=%s", o->root_directory);
                        goto finish;
                }
                c.root_fd = open_in_root(host_root_fd, o->root_directory, O_DIRECTORY);
                if (c.root_fd < 0) {
                        r = fail(&c, c.root_fd, "open %s", o->root_directory);
                        goto finish;
                }
        } else if (o->root_directory) {
                _cleanup_close_ int m = -EBADF;

                /* The new root becomes a mount of its own, so that pivot_root() can take it. */
                m = clone_tree(AT_FDCWD, o->root_directory, true);
                r = m < 0 ? m : move_mount(m, "", AT_FDCWD, o->root_directory, MOVE_MOUNT_F_EMPTY_PATH) < 0 ? negative_errno() : 0;
                if (r < 0) {
                        r = fail(&c, r, "bind RootDirectory=%s", o->root_directory);
                        goto finish;
                }
                c.root_fd = open(o->root_directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
        } else if (c.staged)
                c.root_fd = fcntl(host_root_fd, F_DUPFD_CLOEXEC, 3);
        else
                c.root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (c.root_fd < 0) {
                r = fail(&c, negative_errno(), "open %s", o->root_directory ?: "/");
                goto finish;
        }

        r = setup_protect_system(&c);
        if (r >= 0)
                r = setup_dev(&c, dev_nodes, &dev_log);
        if (r >= 0)
                r = setup_proc(&c);
        if (r >= 0)
                r = setup_sys(&c, &sys_clone);
        if (r >= 0)
                r = setup_tmp_and_run(&c, &dev_log);
        if (r >= 0)
                r = setup_paths(&c, bind_clones);
        if (r >= 0)
                r = setup_hosts(&c);
        if (r >= 0 && c.new_root)
                r = enter_root(&c);

finish:
        for (size_t i = 0; i < ELEMENTSOF(nodes); i++)
                safe_close(dev_nodes[i]);
        for (size_t i = 0; i < o->n_bind_mounts; i++)
                safe_close(bind_clones[i]);
        free(bind_clones);
        strv_free(c.writable);
        safe_close(sys_clone);
        safe_close(dev_log);
        safe_close(host_root_fd);
        safe_close(c.root_fd);
        return r;
}
