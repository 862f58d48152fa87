/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Word splitting as systemd's extract_first_word() does it for unit files. */

typedef enum ExtractFlags {
        EXTRACT_UNQUOTE = 1 << 0,         /* "..." and '...' group and are removed */
        EXTRACT_CUNESCAPE = 1 << 1,       /* C escapes are decoded */
        EXTRACT_CUNESCAPE_RELAX = 1 << 2, /* an unknown escape is kept verbatim instead of failing */
        EXTRACT_RELAX = 1 << 3,           /* unbalanced quotes and a trailing backslash are accepted */
} ExtractFlags;

#define WHITESPACE " \t\n\r"

/* Takes the next whitespace-separated word off *p. Returns 1 and the word in
 * *ret, 0 at the end (*ret = NULL), or -EINVAL on a bad escape, unbalanced
 * quotes or a trailing backslash. *ret_unknown_escape (if not NULL) is set to
 * true when an unknown escape was kept under EXTRACT_CUNESCAPE_RELAX. */
int extract_first_word(const char **p, char **ret, ExtractFlags flags, bool *ret_unknown_escape);

/* Decodes one C escape at s (the text after the backslash), at most len bytes.
 * Returns how many bytes it used and the code point in *ret, or -EINVAL for an
 * unknown or invalid escape (including a NUL character). *ret_eight_bit is set
 * when *ret is a raw byte (\xNN, \NNN) rather than a code point. */
int cunescape_one(const char *s, size_t len, unsigned *ret, bool *ret_eight_bit);

/* Writes code point c as UTF-8 to buf (at least 4 bytes); returns the length. */
size_t utf8_encode(unsigned c, char *buf);
