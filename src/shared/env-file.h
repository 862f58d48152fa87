/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* EnvironmentFile= as systemd.exec(5) reads it. Never logs. */

#define ENVIRONMENT_FILE_SIZE_MAX (4U * 1024U * 1024U)

/* Parses the text of an environment file: KEY=VALUE lines, "#" and ";"
 * comments, leading whitespace ignored, whitespace around "=" ignored,
 * '...' and "..." quoting (in "..." a backslash escapes " \ ` $ and a
 * newline), a backslash continuing an unquoted value onto the next line, a
 * line without "=" ignored — the state machine of systemd's
 * parse_env_file(). The assignments are appended to *env (a later KEY
 * replacing an earlier one). Returns -EINVAL with *ret_error "LINE: ..." for
 * an invalid variable name or invalid UTF-8. */
int environment_file_parse(const char *text, char ***env, char **ret_error);

/* Reads each EnvironmentFile= entry of files in order ("-/path": a missing file
 * is fine) and applies its assignments to *env, replacing earlier values of
 * the same KEY. Errors name the file ("PATH:LINE: ..." or "PATH: ..."). */
int environment_files_apply(char *const *files, char ***env, char **ret_error);
