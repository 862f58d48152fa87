/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Whether systemd (the version the table was generated from) knows KEY in
 * SECTION ("Unit", "Service" or "Install") of a .service file. */
bool systemd_key_is_known(const char *section, const char *key);
