/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-cache.h"
#include "seccomp-filter.h"

typedef struct Entry {
        char *key;
        int fd;
        unsigned long long used; /* tick of the last use */
} Entry;

struct SeccompCache {
        Entry entries[SECCOMP_CACHE_MAX];
        size_t n;
        unsigned long long tick;
};

SeccompCache *seccomp_cache_new(void) {
        return calloc(1, sizeof(SeccompCache));
}

SeccompCache *seccomp_cache_free(SeccompCache *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n; i++) {
                free(c->entries[i].key);
                safe_close(c->entries[i].fd);
        }
        return mfree(c);
}

int seccomp_cache_get(SeccompCache *c, const SandboxOptions *o, int *ret_fd) {
        _cleanup_free_ struct sock_fprog *prog = NULL;
        _cleanup_free_ char *key = NULL;
        Entry *e;
        int fd, r;

        key = seccomp_filter_key(o);
        if (!key)
                return -ENOMEM;
        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->entries[i].key, key) == 0) {
                        c->entries[i].used = ++c->tick;
                        *ret_fd = c->entries[i].fd;
                        return 0;
                }

        r = seccomp_filter_build(o, &prog);
        if (r < 0)
                return r;
        r = seccomp_filter_to_memfd(prog, &fd);
        if (r < 0)
                return r;

        if (c->n < SECCOMP_CACHE_MAX)
                e = &c->entries[c->n++];
        else {
                e = &c->entries[0];
                for (size_t i = 1; i < c->n; i++)
                        if (c->entries[i].used < e->used)
                                e = &c->entries[i];
                free(e->key);
                safe_close(e->fd);
        }
        *e = (Entry) { .key = TAKE_PTR(key), .fd = fd, .used = ++c->tick };
        *ret_fd = fd;
        return 0;
}
