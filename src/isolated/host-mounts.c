/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host-mounts.h"
#include "macro.h"
#include "string-util.h"

/* File systems the service gets a fresh instance of, or none at all. */
static const char *const api_fs_types[] = {
        "proc",   "sysfs",       "cgroup",   "cgroup2", "devpts",     "mqueue",   "debugfs",
        "tracefs", "securityfs", "bpf",      "configfs", "fusectl",   "pstore",   "binfmt_misc",
        "autofs", "efivarfs",    "nsfs",     "rpc_pipefs", "hugetlbfs", "devtmpfs", "selinuxfs",
};

static bool is_api_path(const char *path) {
        static const char *const roots[] = { "/proc", "/sys", "/dev" };

        for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
                size_t k = strlen(roots[i]);

                if (strncmp(path, roots[i], k) == 0 && (path[k] == '\0' || path[k] == '/'))
                        return true;
        }
        return false;
}

static bool is_api_fs(const char *type) {
        for (size_t i = 0; i < ELEMENTSOF(api_fs_types); i++)
                if (strcmp(type, api_fs_types[i]) == 0)
                        return true;
        return false;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s) {
        char *w = s;

        for (char *r = s; *r;) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
                    r[3] <= '7') {
                        *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 4;
                } else
                        *w++ = *r++;
        }
        *w = '\0';
}

static int clone_one(const char *path, int userns_fd, HostMount *ret) {
        /* Private: a copy of a shared mount would join its peer group, and what the init mounts in
         * the service's tree would propagate back to the host. */
        struct mount_attr idmap = {
                .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_IDMAP,
                .userns_fd = (uint64_t) userns_fd,
                .propagation = MS_PRIVATE,
        };
        struct mount_attr plain = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, .propagation = MS_PRIVATE };
        _cleanup_close_ int fd = -EBADF;
        bool idmapped = false;

        fd = (int) syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (userns_fd >= 0 && syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &idmap, sizeof(idmap)) >= 0)
                idmapped = true;
        else if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &plain, sizeof(plain)) < 0)
                return negative_errno();

        *ret = (HostMount) { .path = strdup(path), .fd = TAKE_FD(fd), .idmapped = idmapped };
        if (!ret->path) {
                safe_close(ret->fd);
                return -ENOMEM;
        }
        return 0;
}

static int host_mount_compare(const void *a, const void *b) {
        const HostMount *x = a, *y = b;
        int r = strcmp(x->path, y->path);

        /* A parent sorts before what is below it; mounts stacked on one path keep their order. */
        return r != 0 ? r : (x->order > y->order) - (x->order < y->order);
}

int host_mounts_clone(int userns_fd, HostMounts *ret) {
        _cleanup_(host_mounts_done) HostMounts m = {};
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        FILE *f;
        int r = 0;

        f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return negative_errno();
        while (getline(&line, &size, f) > 0) {
                /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER */
                char mountpoint[4096], type[256];
                const char *sep = strstr(line, " - ");

                if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mountpoint) != 1 ||
                    sscanf(sep + 3, "%255s", type) != 1)
                        continue;
                unescape_octal(mountpoint);
                if (is_api_path(mountpoint) || is_api_fs(type) || strchr(mountpoint, '\n'))
                        continue;
                if (m.n >= HOST_MOUNTS_MAX) {
                        r = -E2BIG;
                        break;
                }
                HostMount *l = reallocarray(m.mounts, m.n + 1, sizeof(HostMount));
                if (!l) {
                        r = -ENOMEM;
                        break;
                }
                m.mounts = l;
                r = clone_one(mountpoint, userns_fd, &m.mounts[m.n]);
                if (r == -ENOENT || r == -EACCES) { /* gone meanwhile, or not ours to see */
                        r = 0;
                        continue;
                }
                if (r < 0)
                        break;
                m.mounts[m.n].order = m.n;
                m.n++;
        }
        fclose(f);
        if (r < 0)
                return r;
        if (m.n > 0)
                qsort(m.mounts, m.n, sizeof(HostMount), host_mount_compare);
        *ret = m;
        m = (HostMounts) {};
        return 0;
}

void host_mounts_done(HostMounts *m) {
        for (size_t i = 0; i < m->n; i++) {
                free(m->mounts[i].path);
                safe_close(m->mounts[i].fd);
        }
        m->mounts = mfree(m->mounts);
        m->n = 0;
}
