/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "description.h"
#include "macro.h"

/* "isolatectl security": what a service can still do, mechanism by mechanism, in the spirit of
 * systemd-analyze security. Each mechanism has a weight (how much it matters, as systemd's
 * weights: 100 to 2000) and an exposure from 0 (closed) to 10 (wide open); the overall figure is
 * the weighted mean, 0.0 to 10.0. Pure: computed from the effective Description alone. */

#define SECURITY_EXPOSURE_MAX 10U

typedef struct SecurityItem {
        const char *id;          /* "UserNamespace", "ReadOnlyHost", ...: stable, for scripts */
        const char *description; /* what the row is about, one short phrase */
        char *detail;            /* what is in effect: "private (65536 IDs)", "CAP_SYS_ADMIN CAP_NET_ADMIN" */
        unsigned weight;
        unsigned exposure;       /* 0..SECURITY_EXPOSURE_MAX */
} SecurityItem;

typedef struct SecurityReport {
        SecurityItem *items;
        size_t n;
        double exposure; /* 0.0..10.0 */
} SecurityReport;

SecurityReport *security_report_free(SecurityReport *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(SecurityReport *, security_report_free);

/* -ENOMEM, or 0 and the report. d is a parsed (finalized) description. */
int security_assess(const Description *d, SecurityReport **ret);

/* systemd-analyze's words for an overall exposure: PERFECT, SAFE, OK, MEDIUM, EXPOSED, UNSAFE,
 * DANGEROUS. */
const char *security_exposure_word(double exposure);
