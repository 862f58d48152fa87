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

/* The same, taking the text of a file from preloaded ("PATH\0TEXT\0...",
 * preloaded_size bytes; see environment_files_preload()) where it is there. */
int environment_files_apply_preloaded(char *const *files, const char *preloaded, size_t preloaded_size, char ***env,
                                      char **ret_error);

/* UnsetEnvironment= as systemd applies it, as the last step: a NAME removes every assignment of
 * it, a NAME=VALUE only that exact one. In place, in the NULL-terminated env. */
void environment_unset(char **env, char *const *patterns);

/* Reads those of files that lie below one of dirs (NULL-terminated) into
 * "PATH\0TEXT\0..." (*ret NULL and *ret_size 0 when none), but not those below
 * except (the daemon's state directory): the daemon reads
 * the environment files kept beside the descriptions, a directory the service
 * never sees. A file it cannot read is left out. -ENOMEM. */
int environment_files_preload(char *const *files, const char *const *dirs, const char *except, char **ret,
                              size_t *ret_size);
