/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The plan of a private /run: what `systemd-tmpfiles --create --prefix=/run` (but /run/user and
 * /run/isolated) made under an empty /run, recorded once by the daemon (tmpfiles-plan-cache.h of
 * isolated) and replayed by each init into its service's /run (init-tmpfiles.h), so no start pays
 * the tool's own start-up. A sealed memfd, the START role "tmpfiles". The text:
 *
 *   "TMPFILES-PLAN 1\nSTATUS N\nMESSAGES LEN\n" LEN bytes (the tool's stdout and stderr, cut)
 *   then per entry, parents before children:
 *   "T MODE UID GID PATHLEN DATALEN\n" PATHLEN bytes of path, DATALEN bytes of data
 *
 * T is d (directory), f (regular file, data its contents), l (symlink, data its target), p (fifo);
 * MODE octal, at most 07777; UID and GID decimal (the host's numbers, which the service's user
 * namespace maps onto its range unchanged); the path relative to /run, without "", "." or ".."
 * components nor NUL; STATUS the tool's exit status (0..255). Nothing trails the last entry. */

#define TMPFILES_PLAN_MAGIC "TMPFILES-PLAN 1\n"
#define TMPFILES_PLAN_PATH_MAX 4095
#define TMPFILES_PLAN_FILE_MAX (256 * 1024)     /* contents of one file */
#define TMPFILES_PLAN_SIZE_MAX (4 * 1024 * 1024) /* the whole plan */
#define TMPFILES_PLAN_MESSAGES_MAX 4096

/* The tool and how it runs, in the init and in the daemon's scratch namespace alike. */
#define TMPFILES_PATH "/usr/bin/systemd-tmpfiles"
/* Execs systemd-tmpfiles --create --prefix=/run ... with stdin /dev/null, stdout and stderr
 * output_fd (or as they are if < 0), no other fd, no_new_privs, a bounding set of CAP_CHOWN,
 * CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, default signals. In a forked child only. */
__attribute__((noreturn)) void tmpfiles_exec_child(int output_fd);

typedef struct TmpfilesPlanEntry {
        char type; /* 'd', 'f', 'l', 'p' */
        mode_t mode;
        uid_t uid;
        gid_t gid;
        char path[TMPFILES_PLAN_PATH_MAX + 1];
        const char *data; /* f: contents, l: target (NUL-terminated copy in target) */
        size_t data_size;
        char target[TMPFILES_PLAN_PATH_MAX + 1];
} TmpfilesPlanEntry;

typedef struct TmpfilesPlanReader {
        const char *buf;
        size_t size;
        size_t offset;
        int status;
        const char *messages; /* not NUL-terminated */
        size_t messages_size;
} TmpfilesPlanReader;

/* Checks the header; -EBADMSG if malformed. */
int tmpfiles_plan_reader_init(TmpfilesPlanReader *r, const char *buf, size_t size);
/* The next entry: 1, 0 at the end, -EBADMSG for anything outside the grammar. */
int tmpfiles_plan_next(TmpfilesPlanReader *r, TmpfilesPlanEntry *ret);
/* Every entry valid: 0 or -EBADMSG; the number of entries in *ret_n (may be NULL). */
int tmpfiles_plan_validate(const char *buf, size_t size, size_t *ret_n);

typedef struct TmpfilesPlanWriter {
        char *buf;
        size_t size;
        size_t allocated;
        size_t n_entries;
} TmpfilesPlanWriter;

void tmpfiles_plan_writer_done(TmpfilesPlanWriter *w);
/* The header: status 0..255, messages of any size (cut to TMPFILES_PLAN_MESSAGES_MAX). */
int tmpfiles_plan_write_header(TmpfilesPlanWriter *w, int status, const char *messages, size_t messages_size);
/* One entry; -EINVAL for a path or data outside the grammar, -E2BIG past TMPFILES_PLAN_SIZE_MAX. */
int tmpfiles_plan_write_entry(TmpfilesPlanWriter *w, char type, mode_t mode, uid_t uid, gid_t gid, const char *path,
                              const char *data, size_t data_size);
