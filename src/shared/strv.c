/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "strv.h"

char **strv_free(char **l) {
        if (!l)
                return NULL;
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
        return NULL;
}

size_t strv_length(char *const *l) {
        size_t n = 0;
        if (l)
                while (l[n])
                        n++;
        return n;
}

int strv_consume(char ***l, char *value) {
        size_t n = strv_length(*l);
        char **grown;

        if (!value)
                return -ENOMEM;
        grown = realloc(*l, sizeof(char *) * (n + 2));
        if (!grown) {
                free(value);
                return -ENOMEM;
        }
        grown[n] = value;
        grown[n + 1] = NULL;
        *l = grown;
        return 0;
}

int strv_extend(char ***l, const char *value) {
        return strv_consume(l, strdup(value));
}

char **strv_copy(char *const *l) {
        _cleanup_strv_free_ char **copy = calloc(1, sizeof(char *));

        if (!copy)
                return NULL;
        for (char *const *i = l; i && *i; i++)
                if (strv_extend(&copy, *i) < 0)
                        return NULL;
        return TAKE_PTR(copy);
}

bool strv_contains(char *const *l, const char *value) {
        for (char *const *i = l; i && *i; i++)
                if (strcmp(*i, value) == 0)
                        return true;
        return false;
}
