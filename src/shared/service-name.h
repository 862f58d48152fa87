/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Service names, as systemd's unit names without ".service" (unit_name_is_valid() of
 * systemd 252): a plain name "PREFIX", an instance "PREFIX@INSTANCE" of the template
 * "PREFIX@". PREFIX is [A-Za-z0-9_.-], no leading dot; INSTANCE is non-empty, of
 * [A-Za-z0-9:_.\-] and further "@". The whole name is at most 64 characters.
 * Never logs. */

#define SERVICE_NAME_MAX 64
/* For error messages: what a valid name looks like. */
#define SERVICE_NAME_RULE                                                                                              \
        "1-64 characters of A-Z a-z 0-9 _ . -, not starting with a dot, or an instance PREFIX@INSTANCE "               \
        "(INSTANCE also of : \\ @)"

/* A plain name or an instance: what can be started. */
bool service_name_is_valid(const char *name);
/* "PREFIX@": a template, which cannot run by itself. */
bool service_name_is_template(const char *name);
/* "PREFIX@INSTANCE". */
bool service_name_is_instance(const char *name);

/* The instance of an instance name ("15-main" of "postgresql@15-main"); NULL for others. */
const char *service_name_instance(const char *name);
/* The length of the prefix: up to the first "@", else the whole name. */
size_t service_name_prefix_len(const char *name);
/* The template of an instance ("postgresql@" of "postgresql@15-main"): -EINVAL for others. */
int service_name_template(const char *name, char **ret);
/* systemd's unit_name_unescape(): "-" is "/", "\xNN" a byte; -EINVAL for a bad escape. */
int service_name_unescape(const char *s, size_t n, char **ret);

/* The service name a file stands for, as systemd-analyze verify takes it: the file name
 * without ".service" (else up to its first dot); a template PREFIX@ is verified as the
 * instance PREFIX@i. The result may be invalid: the caller checks. */
int service_name_from_file(const char *path, char **ret);

/* The transient scope of a service: "isolated-NAME.scope". systemd allows no instance of a
 * scope ("templates are not allowed"), so an instance's "@" is "\x40" there, and "\" is "\x5c"
 * (as systemd-escape writes them): isolated-postgresql\x4015-main.scope. NULL on OOM. */
char *service_name_to_scope(const char *name);
/* The service name of such a scope unit name; -EINVAL if it is none of ours. */
int service_name_from_scope(const char *unit, char **ret);
