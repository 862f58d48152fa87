/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec-directory.h"
#include "fs-util.h"
#include "string-util.h"
#include "strv.h"

/* mkdir -p of base/rel; the parents get 0755, the last one mode. base (/var/lib, ...) is the
 * host's; below it the service writes, and a symlink it planted there in an earlier run (a
 * directory of StateDirectory=foo foo/sub replaced by a link to /etc) would make us create and
 * hand it a directory anywhere: no component of rel is followed if it is a symlink. */
static int mkdir_parents_and(const char *base, const char *rel, mode_t mode) {
        _cleanup_free_ char *copy = NULL;
        _cleanup_close_ int dir = -EBADF;
        char *p, *slash;
        int r;

        r = mkdir_parents(base);
        if (r < 0)
                return r;
        if (mkdir(base, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        dir = open(base, O_DIRECTORY | O_CLOEXEC | O_PATH);
        if (dir < 0)
                return negative_errno();
        copy = strdup(rel);
        if (!copy)
                return -ENOMEM;
        for (p = copy; p; p = slash) {
                _cleanup_close_ int next = -EBADF;

                while (*p == '/')
                        p++;
                slash = strchr(p, '/');
                if (slash)
                        *slash++ = '\0';
                if (*p == '\0')
                        continue;
                if (strcmp(p, "..") == 0 || strcmp(p, ".") == 0)
                        return -EINVAL;
                if (mkdirat(dir, p, slash && *slash ? 0755 : mode) < 0 && errno != EEXIST)
                        return negative_errno();
                next = openat(dir, p, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_PATH);
                if (next < 0)
                        return errno == ELOOP ? -ENOTDIR : negative_errno();
                safe_close(dir);
                dir = TAKE_FD(next);
        }
        return 0;
}

static int full_path(const char *root, ExecDirectoryType t, const char *rel, char **ret) {
        if (asprintf(ret, "%s%s/%s", root && strcmp(root, "/") != 0 ? root : "", exec_directory_base[t], rel) < 0)
                return -ENOMEM;
        return 0;
}

static int base_path(const char *root, ExecDirectoryType t, char **ret) {
        if (asprintf(ret, "%s%s", root && strcmp(root, "/") != 0 ? root : "", exec_directory_base[t]) < 0)
                return -ENOMEM;
        return 0;
}

int exec_directories_prepare_host(Description *d, char **ret_error) {
        int r;

        for (ExecDirectoryType t = EXEC_DIRECTORY_STATE; t < _EXEC_DIRECTORY_TYPE_MAX; t++)
                for (char **i = d->directories[t].paths; i && *i; i++) {
                        _cleanup_free_ char *host = NULL, *base = NULL, *inside = NULL;

                        r = full_path(d->sandbox.root_directory, t, *i, &host);
                        if (r >= 0)
                                r = base_path(d->sandbox.root_directory, t, &base);
                        if (r >= 0)
                                r = full_path(NULL, t, *i, &inside);
                        if (r < 0)
                                return r;
                        r = mkdir_parents_and(base, *i, d->directories[t].mode);
                        if (r < 0) {
                                if (ret_error && asprintf(ret_error, "Failed to create %s: %s", host, strerror(-r)) < 0)
                                        *ret_error = NULL;
                                return r;
                        }
                        if (!strv_contains(d->sandbox.read_write_paths, inside)) {
                                r = strv_extend(&d->sandbox.read_write_paths, inside);
                                if (r < 0)
                                        return r;
                        }
                }
        return 0;
}

int exec_directories_finish(const Description *d, uid_t uid, gid_t gid, char **ret_error) {
        int r;

        for (ExecDirectoryType t = 0; t < _EXEC_DIRECTORY_TYPE_MAX; t++)
                for (char **i = d->directories[t].paths; i && *i; i++) {
                        _cleanup_free_ char *path = NULL, *base = NULL;
                        _cleanup_close_ int fd = -EBADF;

                        r = full_path(NULL, t, *i, &path);
                        if (r >= 0)
                                r = base_path(NULL, t, &base);
                        if (r < 0)
                                return r;
                        if (t == EXEC_DIRECTORY_RUNTIME) {
                                r = mkdir_parents_and(base, *i, d->directories[t].mode);
                                if (r < 0)
                                        goto fail;
                        }
                        fd = open(path, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_RDONLY);
                        if (fd < 0) {
                                r = negative_errno();
                                goto fail;
                        }
                        if (fchmod(fd, d->directories[t].mode) < 0 ||
                            (uid != (uid_t) -1 && fchown(fd, uid, gid) < 0)) {
                                r = negative_errno();
                                goto fail;
                        }
                        continue;
                fail:
                        if (ret_error && asprintf(ret_error, "Failed to set up %s: %s", path, strerror(-r)) < 0)
                                *ret_error = NULL;
                        return r;
                }
        return 0;
}

static int add_below_root(char ***l, const char *root, const char *path) {
        if (*path == '-')
                path++;
        if (!root || strcmp(root, "/") == 0)
                return strv_extend(l, path);
        return strv_consume(l, strprintf("%s%s", root, path));
}

int sandbox_host_writable_paths(const Description *d, char ***ret) {
        const SandboxOptions *o = &d->sandbox;
        _cleanup_strv_free_ char **l = NULL;
        int r = 0;

        if (o->protect_system != PROTECT_SYSTEM_STRICT)
                r = strv_extend(&l, "/");
        for (char **p = o->read_write_paths; r >= 0 && p && *p; p++)
                r = add_below_root(&l, o->root_directory, *p);
        for (ExecDirectoryType t = EXEC_DIRECTORY_STATE; r >= 0 && t < _EXEC_DIRECTORY_TYPE_MAX; t++)
                for (char **i = d->directories[t].paths; r >= 0 && i && *i; i++) {
                        char *path = NULL;

                        r = full_path(o->root_directory, t, *i, &path);
                        if (r >= 0)
                                r = strv_consume(&l, path);
                }
        for (size_t i = 0; r >= 0 && i < o->n_bind_mounts; i++)
                if (!o->bind_mounts[i].read_only)
                        r = strv_extend(&l, o->bind_mounts[i].source);
        if (r >= 0 && !o->private_tmp)
                r = strv_extend(&l, "/tmp");
        if (r >= 0 && !o->private_tmp)
                r = strv_extend(&l, "/var/tmp");
        if (r >= 0 && !o->private_devices)
                r = strv_extend(&l, "/dev/shm");
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}
