/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "footprint.h"

typedef enum MappingKind {
        MAPPING_KEEP,
        MAPPING_FILE,  /* read-only, private, backed by a file, no page copied on write */
        MAPPING_STACK,
} MappingKind;

typedef struct Mapping {
        unsigned long start, end;
        unsigned dev_major, dev_minor;
        unsigned long inode;
        MappingKind kind;
} Mapping;

#define MAPPINGS_MAX 64

static bool mapping_contains(const Mapping *m, const void *p) {
        return (unsigned long) p >= m->start && (unsigned long) p < m->end;
}

static bool mapping_same_file(const Mapping *a, const Mapping *b) {
        return a->inode != 0 && a->inode == b->inode && a->dev_major == b->dev_major && a->dev_minor == b->dev_minor;
}

/* A page fault on a file mapping maps the whole 64 kB window around it that is
 * in the page cache ("fault-around"), clipped to the mapping: one touch of the
 * steady loop would bring back 16 pages of the init's own code, all of them
 * private to this process. A readahead hint on every other page splits the
 * mapping into one-page mappings (neighbours with different flags do not
 * merge), so only the pages the loop really runs come back. MADV_RANDOM only
 * changes readahead on a page-cache miss. Done for the init's own file alone:
 * the shared libraries' pages are mostly shared with every other process, and
 * each split costs the kernel a mapping (about 200 bytes). */
static void split_pages(const Mapping *m, unsigned long page) {
        /* Every page at an odd page number, whatever the range: a later trim, over mappings split
         * already and found again as one range, picks the same pages, so no neighbours merge. */
        for (unsigned long a = m->start | page; a < m->end; a += 2 * page)
                (void) madvise((void *) a, page, MADV_RANDOM);
}

/* MADV_DONTNEED on a private file mapping throws away its copied-on-write
 * pages: only a mapping none of whose pages is anonymous (no relocation was
 * written to it, as to RELRO) is safe to drop. */
static int drop_file(const Mapping *m, bool own, unsigned long page) {
        if (own)
                split_pages(m, page);
        return madvise((void *) m->start, m->end - m->start, MADV_DONTNEED) < 0 ? -errno : 1;
}

/* The stack below the deepest frame in use held the setup's deepest calls (the
 * parser, the mounts) and those of the commands just run: give those pages
 * back. Not inlined, so its own frame is the deepest in use (footprint_trim()'s
 * table of mappings lies above it); the page under the one it is in stays, for
 * madvise()'s few bytes of frame. */
static __attribute__((noinline)) int drop_stack_below(const Mapping *m, unsigned long page) {
        unsigned long end = ((unsigned long) __builtin_frame_address(0) & ~(page - 1)) - page;

        if (end <= m->start || end > m->end)
                return 0;
        return madvise((void *) m->start, end - m->start, MADV_DONTNEED) < 0 ? -errno : 1;
}

int footprint_trim(void) {
        unsigned long page = (unsigned long) sysconf(_SC_PAGESIZE);
        Mapping m = {}, found[MAPPINGS_MAX], own = {};
        size_t n_found = 0;
        char line[512];
        int dropped = 0;
        FILE *f;

        f = fopen("/proc/self/smaps", "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                unsigned long start, end, inode, anonymous;
                unsigned dev_major, dev_minor;
                char perms[5];
                int path = 0;

                if (sscanf(line, "%lx-%lx %4s %*s %x:%x %lu %n", &start, &end, perms, &dev_major, &dev_minor, &inode,
                           &path) >= 6 &&
                    strchr(line, '-') < strchr(line, ' ')) {
                        m = (Mapping) {
                                .start = start,
                                .end = end,
                                .dev_major = dev_major,
                                .dev_minor = dev_minor,
                                .inode = inode,
                        };
                        if (perms[1] == '-' && perms[3] == 'p' && path > 0 && line[path] == '/')
                                m.kind = MAPPING_FILE;
                        else if (path > 0 && strncmp(line + path, "[stack]", 7) == 0)
                                m.kind = MAPPING_STACK;
                        if (mapping_contains(&m, (const void *) footprint_trim))
                                own = m;
                        continue;
                }
                if (sscanf(line, "Anonymous: %lu kB", &anonymous) == 1) {
                        Mapping *last = n_found > 0 ? &found[n_found - 1] : NULL;

                        if (m.kind == MAPPING_FILE && anonymous == 0 && last && last->kind == MAPPING_FILE &&
                            last->end == m.start && mapping_same_file(last, &m))
                                /* The one-page mappings of an earlier trim: one range again. */
                                last->end = m.end;
                        else if (m.kind == MAPPING_STACK || (m.kind == MAPPING_FILE && anonymous == 0))
                                if (n_found < MAPPINGS_MAX)
                                        found[n_found++] = m;
                        m.kind = MAPPING_KEEP;
                }
        }
        fclose(f);

        /* Before the pages go: malloc's code would fault in again if it ran after. The heap's top
         * goes back now that stdio's buffer for the file was freed too. */
        (void) malloc_trim(0);

        /* Only now: splitting a mapping while /proc/self/smaps is read would show it again. */
        for (size_t i = 0; i < n_found; i++) {
                int r = found[i].kind == MAPPING_STACK ? drop_stack_below(&found[i], page)
                                                        : drop_file(&found[i], mapping_same_file(&found[i], &own), page);
                if (r > 0)
                        dropped++;
        }
        return dropped;
}
