/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Gives back to the kernel the memory that only the setup used: the clean
 * file-backed pages of every read-only mapping (the parser, the mount code,
 * libseccomp, most of libc) and the free top of the heap. The steady loop
 * faults in the few pages it runs. Returns the number of mappings dropped,
 * or -errno. */
int footprint_trim(void);
