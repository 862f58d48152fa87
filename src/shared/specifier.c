/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "service-name.h"
#include "specifier.h"
#include "string-util.h"

/* Letters systemd 252 resolves in unit files but isolated does not. */
#define SPECIFIERS_UNSUPPORTED "aABdMoqwWyY"
/* What systemd treats as a specifier at all; "%" before anything else stays. */
#define POSSIBLE_SPECIFIERS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

static int read_one_line(const char *path, char **ret) {
        _cleanup_close_ int fd = -EBADF;
        char buf[256];
        ssize_t n;
        char *s;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return negative_errno();
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        s = strdup(buf);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* "8d0a...-..." or "8d0a..." as 32 lower-case hex digits. */
static int id128_normalize(char *s) {
        size_t n = 0;

        for (const char *p = s; *p; p++) {
                if (*p == '-')
                        continue;
                if (!strchr("0123456789abcdefABCDEF", *p) || n >= 32)
                        return -EINVAL;
                s[n++] = (char) (*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
        }
        if (n != 32)
                return -EINVAL;
        s[n] = '\0';
        return 0;
}

static int read_id128(const char *path, char **ret) {
        _cleanup_free_ char *s = NULL;
        int r;

        r = read_one_line(path, &s);
        if (r < 0)
                return r;
        r = id128_normalize(s);
        if (r < 0)
                return -ENOMEDIUM; /* as sd_id128_get_machine() for an empty or bad file */
        *ret = TAKE_PTR(s);
        return 0;
}

int specifier_host_hostname(char **ret) {
        char buf[HOST_NAME_MAX + 1] = {};
        char *s;

        if (gethostname(buf, sizeof(buf) - 1) < 0)
                return negative_errno();
        s = strdup(buf);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int specifier_host_machine_id(char **ret) {
        return read_id128("/etc/machine-id", ret);
}

int specifier_host_boot_id(char **ret) {
        return read_id128("/proc/sys/kernel/random/boot_id", ret);
}

int specifier_host_kernel_release(char **ret) {
        struct utsname u;
        char *s;

        if (uname(&u) < 0)
                return negative_errno();
        s = strdup(u.release);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int specifier_host_user(const char *user, char **ret_home, char **ret_shell, uid_t *ret_uid) {
        _cleanup_free_ char *buf = NULL, *home = NULL, *shell = NULL;
        struct passwd pw, *result = NULL;
        long size = sysconf(_SC_GETPW_R_SIZE_MAX);
        int r;

        if (size <= 0)
                size = 16384;
        buf = malloc((size_t) size);
        if (!buf)
                return -ENOMEM;
        r = getpwnam_r(user, &pw, buf, (size_t) size, &result);
        if (r != 0)
                return -r;
        if (!result)
                return -ESRCH;
        home = strdup(pw.pw_dir ?: "/");
        shell = strdup(pw.pw_shell ?: "/bin/sh");
        if (!home || !shell)
                return -ENOMEM;
        if (ret_home)
                *ret_home = TAKE_PTR(home);
        if (ret_shell)
                *ret_shell = TAKE_PTR(shell);
        if (ret_uid)
                *ret_uid = pw.pw_uid;
        return 0;
}

static bool user_is_root(const SpecifierContext *c) {
        return isempty(c->user) || strcmp(c->user, "root") == 0 || strcmp(c->user, "0") == 0;
}

/* systemd's unit_name_path_unescape(): "-" alone is "/", else the unescaped text with a
 * leading "/", neither starting nor ending with one. */
static int path_unescape(const char *s, size_t n, char **ret) {
        _cleanup_free_ char *w = NULL;
        size_t len;
        char *t;
        int r;

        if (n == 0)
                return -EINVAL;
        if (n == 1 && s[0] == '-')
                return (*ret = strdup("/")) ? 0 : -ENOMEM;
        r = service_name_unescape(s, n, &w);
        if (r < 0)
                return r;
        len = strlen(w);
        if (len == 0 || w[0] == '/' || w[len - 1] == '/')
                return -EINVAL;
        t = strprintf("/%s/", w);
        if (!t)
                return -ENOMEM;
        /* path_is_normalized(): no "//", no "." or ".." component. */
        if (strstr(t, "//") || strstr(t, "/./") || strstr(t, "/../")) {
                free(t);
                return -EINVAL;
        }
        t[len + 1] = '\0';
        *ret = t;
        return 0;
}

static int user_lookup(const SpecifierContext *c, char **ret_home, char **ret_shell, uid_t *ret_uid) {
        if (user_is_root(c)) {
                char *home = strdup("/root"), *shell = strdup("/bin/sh");

                if (!home || !shell) {
                        free(home);
                        free(shell);
                        return -ENOMEM;
                }
                *ret_home = home;
                *ret_shell = shell;
                *ret_uid = 0;
                return 0;
        }
        return (c->get_user ?: specifier_host_user)(c->user, ret_home, ret_shell, ret_uid);
}

/* The value of %x as a new string; -EBADSLT for a specifier not resolved here. */
static int resolve(char x, const SpecifierContext *c, char **ret) {
        const char *instance = service_name_instance(c->name), *fixed = NULL;
        char *s = NULL;
        int r;

        switch (x) {
        /* As systemd 252's unit-printf.c, from the unit name PREFIX[@INSTANCE].service. */
        case 'n':
                s = strprintf("%s.service", c->name);
                break;
        case 'N':
                fixed = c->name;
                break;
        case 'p':
                s = strndup(c->name, service_name_prefix_len(c->name));
                break;
        case 'P':
                return service_name_unescape(c->name, service_name_prefix_len(c->name), ret);
        case 'i':
                fixed = instance ?: "";
                break;
        case 'I':
                return service_name_unescape(instance ?: "", strlen(instance ?: ""), ret);
        case 'f':
                if (instance)
                        return path_unescape(instance, strlen(instance), ret);
                return path_unescape(c->name, service_name_prefix_len(c->name), ret);
        case 'j':
        case 'J': {
                /* The last "-" component of the prefix, else the prefix. */
                size_t n = service_name_prefix_len(c->name);
                const char *dash = memrchr(c->name, '-', n);
                const char *j = dash ? dash + 1 : c->name;
                size_t jn = (size_t) (c->name + n - j);

                if (x == 'J')
                        return service_name_unescape(j, jn, ret);
                s = strndup(j, jn);
                break;
        }
        case 'H':
                return (c->get_hostname ?: specifier_host_hostname)(ret);
        case 'l':
                r = (c->get_hostname ?: specifier_host_hostname)(&s);
                if (r < 0)
                        return r;
                s[strcspn(s, ".")] = '\0';
                *ret = s;
                return 0;
        case 'm':
                return (c->get_machine_id ?: specifier_host_machine_id)(ret);
        case 'b':
                return (c->get_boot_id ?: specifier_host_boot_id)(ret);
        case 'v':
                return (c->get_kernel_release ?: specifier_host_kernel_release)(ret);
        case 't':
                fixed = "/run";
                break;
        case 'S':
                fixed = "/var/lib";
                break;
        case 'C':
                fixed = "/var/cache";
                break;
        case 'L':
                fixed = "/var/log";
                break;
        case 'E':
                fixed = "/etc";
                break;
        case 'T':
                fixed = "/tmp";
                break;
        case 'V':
                fixed = "/var/tmp";
                break;
        case 'h':
        case 's':
        case 'U': {
                _cleanup_free_ char *home = NULL, *shell = NULL;
                uid_t uid;

                r = user_lookup(c, &home, &shell, &uid);
                if (r < 0)
                        return r;
                if (x == 'h')
                        *ret = TAKE_PTR(home);
                else if (x == 's')
                        *ret = TAKE_PTR(shell);
                else {
                        s = strprintf("%u", (unsigned) uid);
                        if (!s)
                                return -ENOMEM;
                        *ret = s;
                }
                return 0;
        }
        case 'u':
                fixed = user_is_root(c) ? "root" : c->user;
                break;
        case 'g':
                fixed = "root"; /* Group= is not supported: the service runs with gid 0 */
                break;
        case 'G':
                fixed = "0";
                break;
        default:
                return -EBADSLT;
        }

        if (fixed)
                s = strdup(fixed);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int specifier_expand(const char *text, const SpecifierContext *c, char **ret, char **ret_error) {
        _cleanup_free_ char *out = NULL;
        size_t len = 0, size;
        int r;

        if (!text || !c || !c->name || !ret)
                return -EINVAL;

        size = strlen(text) + 1;
        out = malloc(size);
        if (!out)
                return -ENOMEM;

        for (const char *f = text; *f; f++) {
                _cleanup_free_ char *value = NULL;
                const char *add = f;
                size_t n = 1;

                if (f[0] == '%' && f[1] == '%') {
                        f++;
                } else if (f[0] == '%' && f[1] != '\0' && strchr(POSSIBLE_SPECIFIERS, f[1])) {
                        f++;
                        r = resolve(*f, c, &value);
                        if (r == -EBADSLT) {
                                if (strchr(SPECIFIERS_UNSUPPORTED, *f))
                                        return error_set(ret_error, r,
                                                         "Failed to resolve specifiers in '%s': %%%c is not supported by isolated",
                                                         text, *f);
                                return error_set(ret_error, r, "Failed to resolve specifiers in '%s': unknown specifier %%%c",
                                                 text, *f);
                        }
                        if (r < 0)
                                return error_set(ret_error, r, "Failed to resolve specifier %%%c in '%s': %s", *f, text,
                                                 strerror(-r));
                        add = value;
                        n = strlen(value);
                }
                /* Anything else, "%" before a non-alphanumeric or at the end included, is copied. */

                if (len + n + 1 > size) {
                        size_t grown_size = (len + n + 1) * 2;
                        char *grown = realloc(out, grown_size);

                        if (!grown)
                                return -ENOMEM;
                        out = grown;
                        size = grown_size;
                }
                memcpy(out + len, add, n);
                len += n;
        }
        out[len] = '\0';

        *ret = TAKE_PTR(out);
        return 0;
}
