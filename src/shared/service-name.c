/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "service-name.h"
#include "string-util.h"

#define PREFIX_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
/* systemd's VALID_CHARS "@" for what follows the first "@". */
#define INSTANCE_CHARS PREFIX_CHARS ":\\@"

/* 0 plain, 1 template, 2 instance, -1 invalid. */
static int classify(const char *name) {
        size_t n, len;

        if (isempty(name) || name[0] == '.')
                return -1;
        len = strlen(name);
        if (len > SERVICE_NAME_MAX)
                return -1;
        n = strspn(name, PREFIX_CHARS);
        if (name[n] == '\0')
                return 0;
        if (name[n] != '@' || n == 0)
                return -1;
        if (name[n + 1] == '\0')
                return 1;
        if (strspn(name + n + 1, INSTANCE_CHARS) != len - n - 1)
                return -1;
        return 2;
}

bool service_name_is_valid(const char *name) {
        int k = classify(name);

        return k == 0 || k == 2;
}

bool service_name_is_template(const char *name) {
        return classify(name) == 1;
}

bool service_name_is_instance(const char *name) {
        return classify(name) == 2;
}

const char *service_name_instance(const char *name) {
        if (!service_name_is_instance(name))
                return NULL;
        return strchr(name, '@') + 1;
}

size_t service_name_prefix_len(const char *name) {
        return strcspn(name, "@");
}

int service_name_template(const char *name, char **ret) {
        char *t;

        if (!service_name_is_instance(name) || !ret)
                return -EINVAL;
        t = strndup(name, service_name_prefix_len(name) + 1);
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}

int service_name_unescape(const char *s, size_t n, char **ret) {
        _cleanup_free_ char *t = NULL;
        char *q;

        if (!s || !ret)
                return -EINVAL;
        t = malloc(n + 1);
        if (!t)
                return -ENOMEM;
        q = t;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '-')
                        *q++ = '/';
                else if (s[i] == '\\') {
                        int a, b;

                        if (n - i < 4 || s[i + 1] != 'x')
                                return -EINVAL;
                        a = unhexchar(s[i + 2]);
                        b = unhexchar(s[i + 3]);
                        if (a < 0 || b < 0)
                                return -EINVAL;
                        *q++ = (char) ((a << 4) | b);
                        i += 3;
                } else
                        *q++ = s[i];
        }
        *q = '\0';
        *ret = TAKE_PTR(t);
        return 0;
}

int service_name_from_file(const char *path, char **ret) {
        const char *base;
        size_t n;
        char *t;

        if (!path || !ret)
                return -EINVAL;
        base = strrchr(path, '/');
        base = base ? base + 1 : path;
        n = strlen(base);
        if (n > strlen(".service") && endswith(base, ".service"))
                n -= strlen(".service");
        else
                n = strcspn(base, ".");
        if (n > 0 && base[n - 1] == '@' && memchr(base, '@', n) == base + n - 1)
                t = strprintf("%.*si", (int) n, base);
        else
                t = strndup(base, n);
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}

char *service_name_to_scope(const char *name) {
        size_t n = strlen("isolated-") + strlen(".scope") + 1;
        char *t, *q;

        for (const char *p = name; *p; p++)
                n += strchr("@\\", *p) ? 4 : 1;
        t = malloc(n);
        if (!t)
                return NULL;
        q = stpcpy(t, "isolated-");
        for (const char *p = name; *p; p++)
                if (*p == '@')
                        q = stpcpy(q, "\\x40");
                else if (*p == '\\')
                        q = stpcpy(q, "\\x5c");
                else
                        *q++ = *p;
        strcpy(q, ".scope");
        return t;
}

int service_name_from_scope(const char *unit, char **ret) {
        _cleanup_free_ char *name = NULL;
        size_t n;
        char *q;

        if (!unit || !ret || !startswith(unit, "isolated-") || !endswith(unit, ".scope"))
                return -EINVAL;
        unit += strlen("isolated-");
        n = strlen(unit) - strlen(".scope");
        name = malloc(n + 1);
        if (!name)
                return -ENOMEM;
        q = name;
        for (size_t i = 0; i < n; i++)
                if (unit[i] == '\\' && n - i >= 4 && strncmp(unit + i, "\\x40", 4) == 0) {
                        *q++ = '@';
                        i += 3;
                } else if (unit[i] == '\\' && n - i >= 4 && strncmp(unit + i, "\\x5c", 4) == 0) {
                        *q++ = '\\';
                        i += 3;
                } else if (strchr("@\\", unit[i]))
                        return -EINVAL;
                else
                        *q++ = unit[i];
        *q = '\0';
        if (!service_name_is_valid(name))
                return -EINVAL;
        *ret = TAKE_PTR(name);
        return 0;
}
