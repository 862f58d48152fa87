/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"
#include "sandbox-options.h"

/* The seccomp filters the daemon built, each in a sealed memfd handed to every
 * init whose description asks for the same filter: building one is most of
 * the sandbox's cost at a start (libseccomp, cold in a fresh init), and most
 * services share the default. At most SECCOMP_CACHE_MAX, the least recently
 * used giving way. */

#define SECCOMP_CACHE_MAX 16U

typedef struct SeccompCache SeccompCache;

SeccompCache *seccomp_cache_new(void);
SeccompCache *seccomp_cache_free(SeccompCache *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(SeccompCache *, seccomp_cache_free);

/* The memfd of o's filter (the cache's: do not close), built now if it is not
 * cached. -errno. */
int seccomp_cache_get(SeccompCache *c, const SandboxOptions *o, int *ret_fd);
