/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "description-loader.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The START payload as the init receives it: deserialize, check that it
 * serializes back to the same bytes, and parse what it holds. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(description_sources_freep) DescriptionSources *s = NULL;
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_strv_free_ char **notices = NULL;
        _cleanup_free_ char *again = NULL, *error = NULL;
        size_t again_size = 0;

        if (size > 2 * DESCRIPTION_SIZE_MAX)
                return 0;
        if (description_sources_deserialize((const char *) data, size, &s) < 0)
                return 0;

        if (description_sources_serialize(s, &again, &again_size) < 0 || again_size != size ||
            memcmp(again, data, size) != 0)
                abort();

        (void) description_parse_sources("fuzz", s, &d, &notices, &error);
        return 0;
}
