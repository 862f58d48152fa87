/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "env-file.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *text = NULL, *error = NULL;

        if (size > ENVIRONMENT_FILE_SIZE_MAX)
                return 0;
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';

        if (environment_file_parse(text, &env, &error) >= 0)
                /* Every entry is a valid KEY=VALUE. */
                for (char **i = env; i && *i; i++)
                        if (!strchr(*i, '='))
                                abort();
        return 0;
}
