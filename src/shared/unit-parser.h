/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The systemd.syntax(7) layer: sections, comments, continuation lines. Knows
 * nothing about keys; it hands each assignment to a callback. */

/* Called for each "Key=Value" (value with surrounding whitespace stripped).
 * Returns <0 to stop; it may set *ret_error to a message (without file:line,
 * which the parser prepends). */
typedef int (*UnitAssignmentFunc)(
                const char *section, const char *key, const char *value, unsigned line, void *userdata, char **ret_error);

/* Parses TEXT (at most DESCRIPTION_SIZE_MAX bytes, a UTF-8 BOM allowed, lines up
 * to 1 MiB), calling func for each assignment. "#"/";" comment lines, "[Section]"
 * headers, backslash continuation (comment lines inside a continuation are
 * skipped). An assignment outside any section, a line without "=", or a bad
 * section header is -EINVAL with *ret_error "FILENAME:LINE: ...". */
int unit_file_parse(const char *filename, const char *text, UnitAssignmentFunc func, void *userdata, char **ret_error);

/* Called for each "[Section]" header, before the assignments in it. */
typedef int (*UnitSectionFunc)(const char *section, unsigned line, void *userdata, char **ret_error);

/* As unit_file_parse(), and also calls section_func (if not NULL) for each
 * section header. */
int unit_file_parse_full(
                const char *filename,
                const char *text,
                UnitSectionFunc section_func,
                UnitAssignmentFunc func,
                void *userdata,
                char **ret_error);

/* Called for each bad line (a line without "=", an assignment outside any section, a bad
 * section header, or a callback's -EINVAL), with the error "FILENAME:LINE: ..."; <0 stops. */
typedef int (*UnitErrorFunc)(const char *error, unsigned line, void *userdata);

/* As unit_file_parse_full(), but a bad line does not end the parse: it goes to error_func
 * and the next line is read (the assignments after a bad section header are skipped up to
 * the next good one). Only a text or a line too large, or -ENOMEM, end it. */
int unit_file_parse_each(
                const char *filename,
                const char *text,
                UnitSectionFunc section_func,
                UnitAssignmentFunc func,
                UnitErrorFunc error_func,
                void *userdata,
                char **ret_error);

#define UNIT_LINE_MAX (1024U * 1024U) /* one logical line, continuations included */
