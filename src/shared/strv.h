/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* NULL-terminated string arrays that own their strings. */
char **strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char *const *l);
/* Appends a copy of value; on failure *l is unchanged. */
int strv_extend(char ***l, const char *value);
/* Takes ownership of value, also on failure (then it is freed). */
int strv_consume(char ***l, char *value);
char **strv_copy(char *const *l);
bool strv_contains(char *const *l, const char *value);
