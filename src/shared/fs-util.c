/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "macro.h"
#include "strv.h"

int mkdir_parents(const char *path) {
        char buf[PATH_MAX];

        if (strlen(path) >= sizeof(buf))
                return -ENAMETOOLONG;
        strcpy(buf, path);
        for (char *p = strchr(buf + 1, '/'); p; p = strchr(p + 1, '/')) {
                *p = 0;
                if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                *p = '/';
        }
        return 0;
}

#define CONFINED_LINKS_MAX 40 /* as the kernel's MAXSYMLINKS */

typedef struct FileId {
        dev_t dev;
        ino_t ino;
} FileId;

static bool is_confined_root(int fd, const FileId *roots, size_t n_roots) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return true; /* cannot tell: the stricter way */
        for (size_t i = 0; i < n_roots; i++)
                if (roots[i].dev == st.st_dev && roots[i].ino == st.st_ino)
                        return true;
        return false;
}

/* The walk's state: the directory reached, whether it is below a confined root, what is left. */
typedef struct ConfinedWalk {
        int dir;
        bool confined;
        char *todo; /* the rest of the path, with the targets of the links followed spliced in */
        size_t at;
        unsigned links;
        const FileId *roots;
        size_t n_roots;
} ConfinedWalk;

/* The walk goes on from fd (ours now): "/" or ".." (confined only if fd is a root), or a directory
 * entered (below a root or a root itself). */
static int walk_move(ConfinedWalk *w, int fd, bool keep_confined) {
        if (fd < 0)
                return negative_errno();
        safe_close(w->dir);
        w->dir = fd;
        w->confined = (keep_confined && w->confined) || is_confined_root(fd, w->roots, w->n_roots);
        return 0;
}

static int walk_reset_to_root(ConfinedWalk *w) {
        return walk_move(w, open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), false);
}

static int walk_enter(ConfinedWalk *w, const char *name) {
        int fd = openat(w->dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;

        if (fd < 0)
                return errno == ELOOP ? -ENOTDIR : negative_errno();
        if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) { /* swapped for a link since the look */
                safe_close(fd);
                return -ENOTDIR;
        }
        return walk_move(w, fd, true);
}

/* A symlink outside the confined roots: its target replaces it in what is left of the walk. */
static int walk_follow(ConfinedWalk *w, const char *name) {
        char target[PATH_MAX];
        ssize_t n;
        char *todo;
        int r;

        if (w->confined || ++w->links > CONFINED_LINKS_MAX)
                return -ELOOP;
        n = readlinkat(w->dir, name, target, sizeof(target) - 1);
        if (n < 0)
                return negative_errno();
        if (n == 0 || (size_t) n >= sizeof(target) - 1)
                return n == 0 ? -ENOENT : -ENAMETOOLONG;
        target[n] = 0;
        if (asprintf(&todo, "%s/%s", target, w->todo + w->at) < 0)
                return -ENOMEM;
        free(w->todo);
        w->todo = todo;
        w->at = 0;
        if (target[0] == '/') {
                r = walk_reset_to_root(w);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int walk_step(ConfinedWalk *w, const char *name, bool create) {
        struct stat st;

        if (strcmp(name, ".") == 0)
                return 0;
        if (strcmp(name, "..") == 0)
                return w->confined ? -ELOOP : walk_move(w, openat(w->dir, "..", O_PATH | O_DIRECTORY | O_CLOEXEC), false);
        if (fstatat(w->dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno != ENOENT || !create)
                        return negative_errno();
                if (mkdirat(w->dir, name, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                return walk_enter(w, name);
        }
        if (S_ISLNK(st.st_mode))
                return walk_follow(w, name);
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        return walk_enter(w, name);
}

int open_parent_confined(const char *path, char *const *confined_roots, bool create, int *ret_fd,
                         const char **ret_name) {
        _cleanup_free_ FileId *roots = NULL;
        ConfinedWalk w = { .dir = -EBADF };
        const char *name;
        size_t n_roots = 0;
        int r;

        if (path[0] != '/')
                return -EINVAL;
        name = strrchr(path, '/') + 1;
        if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return -EINVAL;
        roots = calloc(strv_length(confined_roots) + 1, sizeof(FileId));
        if (!roots)
                return -ENOMEM;
        for (char *const *p = confined_roots; p && *p; p++) {
                struct stat st;

                if (stat(**p == '-' ? *p + 1 : *p, &st) >= 0 && S_ISDIR(st.st_mode))
                        roots[n_roots++] = (FileId) { st.st_dev, st.st_ino };
        }
        w.roots = roots;
        w.n_roots = n_roots;
        w.todo = strndup(path, (size_t) (name - path));
        if (!w.todo)
                return -ENOMEM;
        r = walk_reset_to_root(&w);
        while (r >= 0) {
                char component[NAME_MAX + 1];
                size_t k;

                while (w.todo[w.at] == '/')
                        w.at++;
                if (!w.todo[w.at])
                        break;
                k = strcspn(w.todo + w.at, "/");
                if (k > NAME_MAX) {
                        r = -ENAMETOOLONG;
                        break;
                }
                memcpy(component, w.todo + w.at, k);
                component[k] = 0;
                w.at += k;
                r = walk_step(&w, component, create);
        }
        free(w.todo);
        if (r < 0) {
                safe_close(w.dir);
                return r;
        }
        *ret_fd = w.dir;
        *ret_name = name;
        return 0;
}
