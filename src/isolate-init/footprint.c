/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "footprint.h"

typedef struct Mapping {
        unsigned long start, end;
        bool candidate; /* read-only and backed by a file */
} Mapping;

/* MADV_DONTNEED on a private file mapping throws away its copied-on-write
 * pages: only a mapping none of whose pages is anonymous (no relocation
 * was written to it, as to RELRO) is safe to drop. */
static int drop(const Mapping *m) {
        if (!m->candidate)
                return 0;
        if (madvise((void *) m->start, m->end - m->start, MADV_DONTNEED) < 0)
                return -errno;
        return 1;
}

int footprint_trim(void) {
        Mapping m = {};
        char line[512];
        int dropped = 0;
        FILE *f;

        (void) malloc_trim(0);

        f = fopen("/proc/self/smaps", "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                unsigned long start, end, anonymous;
                char perms[5];
                int path = 0;

                if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &start, &end, perms, &path) >= 3 &&
                    strchr(line, '-') < strchr(line, ' ')) {
                        m = (Mapping) {
                                .start = start,
                                .end = end,
                                .candidate = perms[1] == '-' && perms[3] == 'p' && path > 0 && line[path] == '/',
                        };
                        continue;
                }
                if (sscanf(line, "Anonymous: %lu kB", &anonymous) == 1) {
                        if (anonymous == 0 && drop(&m) > 0)
                                dropped++;
                        m.candidate = false;
                }
        }
        fclose(f);
        return dropped;
}
