/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec-directory.h"
#include "fs-util.h"
#include "strv.h"

/* mkdir -p; the parents get 0755, the last one mode. Never follows a symlink in the last component. */
static int mkdir_parents_and(const char *path, mode_t mode) {
        int r;

        r = mkdir_parents(path);
        if (r < 0)
                return r;
        if (mkdir(path, mode) < 0) {
                struct stat st;

                if (errno != EEXIST)
                        return negative_errno();
                if (lstat(path, &st) < 0)
                        return negative_errno();
                if (!S_ISDIR(st.st_mode))
                        return -ENOTDIR;
        }
        return 0;
}

static int full_path(const char *root, ExecDirectoryType t, const char *rel, char **ret) {
        if (asprintf(ret, "%s%s/%s", root && strcmp(root, "/") != 0 ? root : "", exec_directory_base[t], rel) < 0)
                return -ENOMEM;
        return 0;
}

int exec_directories_prepare_host(Description *d, char **ret_error) {
        int r;

        for (ExecDirectoryType t = EXEC_DIRECTORY_STATE; t < _EXEC_DIRECTORY_TYPE_MAX; t++)
                for (char **i = d->directories[t].paths; i && *i; i++) {
                        _cleanup_free_ char *host = NULL, *inside = NULL;

                        r = full_path(d->sandbox.root_directory, t, *i, &host);
                        if (r >= 0)
                                r = full_path(NULL, t, *i, &inside);
                        if (r < 0)
                                return r;
                        r = mkdir_parents_and(host, d->directories[t].mode);
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
                        _cleanup_free_ char *path = NULL;
                        _cleanup_close_ int fd = -EBADF;

                        r = full_path(NULL, t, *i, &path);
                        if (r < 0)
                                return r;
                        if (t == EXEC_DIRECTORY_RUNTIME) {
                                r = mkdir_parents_and(path, d->directories[t].mode);
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
