/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Creates every parent directory of the absolute path (mode 0755, like
 * mkdir -p), not the last component itself. -errno. */
int mkdir_parents(const char *path);
