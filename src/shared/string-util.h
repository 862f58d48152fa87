/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Small string helpers for the parsers. */

/* Formats an error text into *ret_error (if not NULL, replacing what was
 * there) and returns error, or -ENOMEM if formatting failed. */
int error_set(char **ret_error, int error, const char *fmt, ...) _printf_(3, 4);

/* Strips whitespace at both ends, in place; returns s. */
char *strstrip(char *s);

/* Well-formed UTF-8: no overlong form, surrogate or code point past U+10FFFF. */
bool utf8_is_valid(const char *s);

/* The value of a hexadecimal digit, or -EINVAL. */
int unhexchar(char c);

/* Returns the text after prefix if s starts with it, NULL otherwise. */
const char *startswith(const char *s, const char *prefix);
const char *endswith(const char *s, const char *suffix);

/* Like asprintf(), but returns the string or NULL. */
char *strprintf(const char *fmt, ...) _printf_(1, 2);

/* "//a/./b/" -> "/a/b": an absolute path with empty and "." components
 * dropped. A relative path, a ".." component (which systemd does not normalize
 * away either) or one of PATH_MAX or more is -EINVAL. */
int path_normalize_absolute(const char *path, char **ret);

/* The index of s in table[0..n) (entries may be NULL), or -EINVAL: the
 * from_string() half of an enum's name table. */
int table_lookup(const char *const *table, int n, const char *s);
