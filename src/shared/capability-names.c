/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "capability-names.h"
#include "macro.h"
#include "string-util.h"

int capability_from_name(const char *name) {
        _cleanup_free_ char *lower = NULL;
        cap_value_t c;

        if (isempty(name))
                return -EINVAL;
        lower = strdup(name);
        if (!lower)
                return -ENOMEM;
        for (char *p = lower; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        if (!startswith(lower, "cap_"))
                return -EINVAL;
        if (cap_from_name(lower, &c) < 0 || c < 0 || c >= 64)
                return -EINVAL;
        return (int) c;
}

char *capability_to_name(int c) {
        char *name, *n;

        name = cap_to_name((cap_value_t) c);
        if (!name)
                return NULL;
        n = strdup(name);
        cap_free(name);
        if (!n)
                return NULL;
        for (char *q = n; *q; q++)
                *q = (char) toupper((unsigned char) *q);
        return n;
}

int capability_set_to_string(uint64_t set, char **ret) {
        _cleanup_free_ char *t = NULL;

        for (int c = 0; c < 64; c++)
                if (set & (UINT64_C(1) << c)) {
                        _cleanup_free_ char *n = capability_to_name(c);
                        char *j;

                        if (!n)
                                return -ENOMEM;
                        j = strprintf("%s%s%s", t ?: "", t ? " " : "", n);
                        if (!j)
                                return -ENOMEM;
                        free(t);
                        t = j;
                }
        *ret = TAKE_PTR(t);
        return 0;
}
