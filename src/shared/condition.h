/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* [Unit] Condition*= and Assert*=, as systemd.unit(5) has them, evaluated on the
 * host (the daemon's view, before anything of the service is made). Pure of
 * logging; the host is read through root (a test may point it elsewhere).
 *
 * Semantics, as systemd: every non-triggering condition must hold; of the
 * triggering ones ("|" prefix) at least one must, if there are any; "!" negates.
 * Asserts are the same, separately. A condition that cannot be evaluated (an
 * error reading the host, or a kind isolated does not evaluate) counts as not
 * met, as systemd counts a condition it cannot determine ("assuming failed"):
 * never silently true. */

typedef enum ConditionType {
        CONDITION_PATH_EXISTS,
        CONDITION_PATH_EXISTS_GLOB,
        CONDITION_PATH_IS_DIRECTORY,
        CONDITION_PATH_IS_SYMBOLIC_LINK,
        CONDITION_PATH_IS_MOUNT_POINT,
        CONDITION_PATH_IS_READ_WRITE,
        CONDITION_DIRECTORY_NOT_EMPTY,
        CONDITION_FILE_NOT_EMPTY,
        CONDITION_FILE_IS_EXECUTABLE,
        CONDITION_VIRTUALIZATION,
        CONDITION_HOST,
        CONDITION_KERNEL_COMMAND_LINE,
        CONDITION_SECURITY,
        CONDITION_CAPABILITY,
        CONDITION_USER,
        CONDITION_GROUP,
        CONDITION_AC_POWER,
        CONDITION_FIRST_BOOT,
        CONDITION_ENVIRONMENT,
        CONDITION_ARCHITECTURE,
        CONDITION_KERNEL_VERSION,
        CONDITION_OS_RELEASE,
        CONDITION_MEMORY,
        CONDITION_CPUS,
        CONDITION_UNSUPPORTED, /* a kind systemd knows and isolated does not evaluate: not met */
        _CONDITION_TYPE_MAX,
        _CONDITION_TYPE_INVALID = -22,
} ConditionType;

typedef struct Condition {
        ConditionType type;
        char *name;      /* the key as written, without "=": "ConditionPathExists" */
        char *parameter; /* without the prefixes */
        char *where;     /* "FILE:LINE" */
        bool assert;     /* Assert*= */
        bool trigger;    /* "|" */
        bool negate;     /* "!" */
} Condition;

void condition_list_free(Condition *l, size_t n);

/* Is key a Condition*= or Assert*= of systemd 252? */
bool condition_key_is_condition(const char *key);

/* One assignment (specifiers already resolved): appended to *list; an empty value resets the
 * whole list (conditions and asserts, as systemd). -EINVAL with *ret_error for a bad value (a
 * relative path, an unknown capability or security technology...). *ret_notice (may be NULL) is
 * set for a kind isolated does not evaluate. */
int condition_list_add(Condition **list, size_t *n, const char *key, const char *value, const char *where,
                       char **ret_notice, char **ret_error);

/* Where the host is looked at: "/" or a test's directory, for the path conditions; the
 * other kinds read the real /proc, /sys, /run. */
typedef struct ConditionHost {
        const char *root; /* NULL: "/" */
        /* ConditionCapability=: the bounding set of the service's manager, as systemd tests
         * its own (a container's systemd lacks what its sandbox withholds); NULL: ours. */
        const uint64_t *capabilities;
} ConditionHost;

/* 1 met, 0 not met (negation applied), -errno if it cannot be told. */
int condition_test(const Condition *c, const ConditionHost *host);

/* The list's conditions (assert false) or asserts (assert true), as systemd combines them:
 * 1 if they hold; 0 if not, *ret_failed the condition to name (the first failing
 * non-triggering one, else the first triggering one). -ENOMEM only. */
int condition_list_test(const Condition *l, size_t n, bool assert, const ConditionHost *host, const Condition **ret_failed);

/* "ConditionPathExists=!/x at FILE:LINE": for messages. malloc'd, NULL on OOM. */
char *condition_describe(const Condition *c);
