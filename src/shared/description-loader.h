/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "description.h"
#include "macro.h"

/* Where a description comes from: the main file and its drop-ins, in the
 * order systemd applies them. Pure file reading; never logs. */

typedef struct DescriptionSource {
        char *path; /* as shown in messages and by "isolatectl cat": "/etc/isolated/x.service", or "x.service" for bus text */
        char *text;
} DescriptionSource;

typedef struct DescriptionSources {
        DescriptionSource *items; /* items[0] is the main file; then drop-ins in application order */
        size_t n;
} DescriptionSources;

#define DESCRIPTION_SOURCES_MAX 256U /* the main file and its drop-ins */

DescriptionSources *description_sources_free(DescriptionSources *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(DescriptionSources *, description_sources_free);

int description_sources_copy(const DescriptionSources *s, DescriptionSources **ret);

/* The default search path, in precedence order: /etc/isolated, /run/isolated, /usr/lib/isolated. */
extern const char *const description_search_path_default[];

/* Finds NAME.service on the search path (search_path NULL: the default) and
 * every NAME.service.d/\*.conf drop-in, merged in lexical order across the
 * directories, a same-named drop-in in a higher directory masking the lower
 * ones, exactly as systemd.unit(5). If main_text is not NULL it stands for the
 * main file, named "NAME.service" (text sent over the bus); drop-ins still
 * apply. Errors: -ENOENT (no such description), -ERFKILL (masked: linked to
 * /dev/null), -E2BIG, -EIO; *ret_error says which file.
 * A main file that is empty or a device node (/dev/null) masks the service,
 * bus text included; a drop-in that does only hides lower ones of its name.
 * The total of all paths and texts is capped at DESCRIPTION_SIZE_MAX.
 * An instance PREFIX@INSTANCE is read from the first PREFIX@INSTANCE.service, else the
 * first template PREFIX@.service, with the drop-ins of both (the instance's before the
 * template's in each directory for a same-named file). A template PREFIX@ is loaded as
 * itself, its own file and drop-ins (to show or edit it; it cannot be parsed as a name). */
int description_sources_load(const char *name, const char *main_text, const char *const *search_path,
                             DescriptionSources **ret, char **ret_error);

/* Parses the sources into one Description, each file's errors naming that file. */
int description_parse_sources(const char *name, const DescriptionSources *sources, Description **ret,
                              char ***ret_notices, char **ret_error);

/* A flat encoding for the init protocol and back: for each source
 * "PATHLEN TEXTLEN\nPATH\nTEXT\n" (decimal byte counts). It holds no NUL byte.
 * deserialize refuses anything malformed with -EBADMSG (-E2BIG if too large). */
int description_sources_serialize(const DescriptionSources *sources, char **ret, size_t *ret_size);
int description_sources_deserialize(const char *data, size_t size, DescriptionSources **ret);
