/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "description.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Build with clang -fsanitize=fuzzer to fuzz, or with fuzz-main.c to replay a corpus. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_strv_free_ char **notices = NULL;
        _cleanup_free_ char *text = NULL, *error = NULL;

        if (size > DESCRIPTION_SIZE_MAX + 16)
                return 0;

        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';

        /* A valid name maps to its scope and back (an instance's "@" escaped there). */
        if (service_name_is_valid(text)) {
                _cleanup_free_ char *unit = service_name_to_scope(text), *back = NULL;

                if (unit && (service_name_from_scope(unit, &back) < 0 || strcmp(back, text) != 0))
                        abort();
        }

        /* Every other input as an instance, for %i %I %f %j and kin. */
        if (description_parse(size & 1 ? "fuzz@in\\x2dst-a:b" : "fuzz", "fuzz.service", text, &d, &notices, &error) >=
            0) {
                char **argv = NULL;

                /* Exercise what the init does with the result. */
                (void) description_hostname(d);
                (void) description_syslog_identifier(d);
                if (exec_command_expand(d->exec_start, d->environment, &argv) >= 0)
                        strv_free(argv);
        }
        return 0;
}
