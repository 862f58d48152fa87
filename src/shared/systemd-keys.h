/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Whether systemd (the version the table was generated from) knows KEY in
 * SECTION ("Unit", "Service" or "Install") of a .service file. */
bool systemd_key_is_known(const char *section, const char *key);

/* The sorted keys systemd knows in SECTION, their number in *ret_n; NULL (and 0) for
 * another section. */
const char *const *systemd_keys(const char *section, size_t *ret_n);
