/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "config.h"

/* Fault injection, for tests only (meson -Dfault-injection=true): at a point
 * named in $ISOLATED_FAULT (NAME[,NAME...]) the daemon kills itself with
 * SIGKILL, as `kill -9` would: no cleanup runs. Each point fires once: a
 * marker in FAULT_FIRED_DIR says it did (a test removes them), so the daemon
 * systemd restarts goes past it. The points are the table of fault.c,
 * listed in isolated(8). A normal build has none of it: fault_point() is an
 * empty inline. */
#if ENABLE_FAULT_INJECTION
#define FAULT_FIRED_DIR "/run/isolated/faults"
void fault_point(const char *name);
/* "NAME OPERATION DESCRIPTION" lines, the table's order. */
void fault_list_points(FILE *f);
#else
static inline void fault_point(const char *name) {
}
#endif
