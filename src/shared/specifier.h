/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "macro.h"

/* The "%x" specifiers of systemd.unit(5) that make sense for an isolated
 * service. Pure: what comes from the host (host name, machine and boot id, a
 * user's home) is read through the functions of the context, so tests can
 * substitute their own. Never logs. */

typedef struct SpecifierContext {
        const char *name; /* NAME, without ".service" */
        const char *user; /* User=, NULL for root */

        /* Each returns 0 and a new string, or -errno. NULL: the real host's. */
        int (*get_hostname)(char **ret);
        int (*get_machine_id)(char **ret); /* 32 hex digits */
        int (*get_boot_id)(char **ret);    /* 32 hex digits */
        int (*get_kernel_release)(char **ret);
        /* Home, shell and uid of a user name, as getpwnam(). */
        int (*get_user)(const char *user, char **ret_home, char **ret_shell, uid_t *ret_uid);
} SpecifierContext;

/* Resolves the specifiers in text: %n %N %p %P %i %I %j %J %H %l %m %b %v %t
 * %S %C %L %T %V %E %h %s %u %U %g %G %%. A "%" before a character that is
 * no letter or digit, or at the end, stays as it is (as systemd does).
 * Returns -EBADSLT with *ret_error naming the specifier for a letter systemd
 * does not know or isolated does not resolve, or -errno if a lookup failed. */
int specifier_expand(const char *text, const SpecifierContext *c, char **ret, char **ret_error);

/* The real host's lookups, as used when a context function is NULL. */
int specifier_host_hostname(char **ret);
int specifier_host_machine_id(char **ret);
int specifier_host_boot_id(char **ret);
int specifier_host_kernel_release(char **ret);
int specifier_host_user(const char *user, char **ret_home, char **ret_shell, uid_t *ret_uid);
