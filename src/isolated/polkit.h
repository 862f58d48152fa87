/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "macro.h"

#define POLKIT_ACTION_MANAGE "org.isolated1.manage"

typedef struct PolkitRegistry PolkitRegistry;

PolkitRegistry *polkit_registry_free(PolkitRegistry *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(PolkitRegistry *, polkit_registry_free);

/* May the sender of call do action? Root always may. For anyone else polkit is
 * asked asynchronously: the first time this returns 0 and, once polkit has
 * answered, call is dispatched again from the start, so the method handler
 * runs again and this time gets the answer: 1 (authorized) or <0 with error set
 * (org.freedesktop.DBus.Error.AccessDenied). details are key/value pairs
 * (NULL-terminated) handed to polkit, e.g. "service", "demo", "verb", "stop". */
/* The effective UID of the sender of call (asked once per call: the answer of the last call is
 * kept). */
int bus_caller_euid(sd_bus_message *call, uid_t *ret);
/* Forgets it (the daemon's exit). */
void bus_caller_cache_clear(void);

int polkit_check_authorization(PolkitRegistry **registry, sd_bus_message *call, const char *action,
                               const char *const *details, sd_bus_error *error);
