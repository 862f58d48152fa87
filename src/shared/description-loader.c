/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "description-loader.h"
#include "string-util.h"
#include "strv.h"

const char *const description_search_path_default[] = {
        "/etc/isolated",
        "/run/isolated",
        "/usr/lib/isolated",
        NULL,
};

DescriptionSources *description_sources_free(DescriptionSources *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n; i++) {
                free(s->items[i].path);
                free(s->items[i].text);
        }
        free(s->items);
        return mfree(s);
}

static int sources_add(DescriptionSources *s, const char *path, size_t path_len, const char *text, size_t text_len) {
        DescriptionSource *grown;
        char *p, *t;

        if (s->n >= DESCRIPTION_SOURCES_MAX)
                return -E2BIG;
        p = strndup(path, path_len);
        t = strndup(text, text_len);
        grown = realloc(s->items, sizeof(DescriptionSource) * (s->n + 1));
        if (!p || !t || !grown) {
                free(p);
                free(t);
                if (grown)
                        s->items = grown;
                return -ENOMEM;
        }
        s->items = grown;
        s->items[s->n++] = (DescriptionSource) { .path = p, .text = t };
        return 0;
}

static size_t sources_text_size(const DescriptionSources *s) {
        size_t n = 0;

        for (size_t i = 0; i < s->n; i++)
                n += strlen(s->items[i].path) + strlen(s->items[i].text);
        return n;
}

int description_sources_copy(const DescriptionSources *s, DescriptionSources **ret) {
        _cleanup_(description_sources_freep) DescriptionSources *copy = NULL;
        int r;

        if (!s || !ret)
                return -EINVAL;
        copy = calloc(1, sizeof(DescriptionSources));
        if (!copy)
                return -ENOMEM;
        for (size_t i = 0; i < s->n; i++) {
                r = sources_add(copy, s->items[i].path, strlen(s->items[i].path), s->items[i].text,
                                strlen(s->items[i].text));
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(copy);
        return 0;
}

/* systemd's null_or_empty(): /dev/null (any device node) or an empty regular file masks. */
static bool stat_is_masked(const struct stat *st) {
        return S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) || (S_ISREG(st->st_mode) && st->st_size <= 0);
}

/* Reads path; 1 if it masks (linked to /dev/null, or empty), 0 with its text otherwise. */
static int read_description_file(const char *path, char **ret_text, char **ret_error) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t n = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return error_set(ret_error, negative_errno(), "Cannot read %s: %s", path, strerror(errno));
        if (stat_is_masked(&st))
                return 1;
        if (!S_ISREG(st.st_mode))
                return error_set(ret_error, -EBADFD, "%s: not a regular file", path);

        buf = malloc(DESCRIPTION_SIZE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(fd, buf + n, DESCRIPTION_SIZE_MAX + 1 - n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return error_set(ret_error, -EIO, "Cannot read %s: %s", path, strerror(errno));
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > DESCRIPTION_SIZE_MAX)
                        return error_set(ret_error, -E2BIG, "%s: larger than %u bytes", path, DESCRIPTION_SIZE_MAX);
        }
        if (memchr(buf, 0, n))
                return error_set(ret_error, -EBADMSG, "%s: contains a NUL byte", path);
        buf[n] = '\0';

        *ret_text = TAKE_PTR(buf);
        return 0;
}

static int dropin_compare(const void *a, const void *b) {
        const char *const *x = a, *const *y = b;

        return strcmp(strrchr(*x, '/') + 1, strrchr(*y, '/') + 1);
}

/* Every NAME.service.d/\*.conf, and for an instance PREFIX@.service.d/\*.conf too, the first
 * directory (in the order /etc's instance, /etc's template, /run's instance, ...) winning for
 * a file name, sorted by file name: systemd's unit_file_find_dropin_paths() and
 * conf_files_list(). */
static int dropins_list(const char *name, const char *const *search_path, char ***ret, char **ret_error) {
        _cleanup_strv_free_ char **paths = NULL;
        _cleanup_free_ char *template = NULL;
        int r;

        r = service_name_template(name, &template);
        if (r == -ENOMEM)
                return r;

        for (const char *const *dir = search_path; *dir; dir++)
                for (unsigned k = 0; k < (template ? 2u : 1u); k++) {
                        _cleanup_free_ char *d = strprintf("%s/%s.service.d", *dir, k == 0 ? name : template);
                        struct dirent **entries = NULL;
                        int n;

                        if (!d)
                                return -ENOMEM;
                        n = scandir(d, &entries, NULL, alphasort);
                        if (n < 0) {
                                if (errno == ENOENT || errno == ENOTDIR)
                                        continue;
                                return error_set(ret_error, negative_errno(), "Cannot read directory %s: %s", d,
                                                 strerror(errno));
                        }

                        r = 0;
                        for (int i = 0; i < n; i++) {
                                const char *f = entries[i]->d_name;
                                bool shadowed = false;

                                if (r >= 0 && f[0] != '.' && endswith(f, ".conf")) {
                                        for (char **p = paths; p && *p; p++)
                                                if (strcmp(strrchr(*p, '/') + 1, f) == 0)
                                                        shadowed = true;
                                        if (!shadowed)
                                                r = strv_consume(&paths, strprintf("%s/%s", d, f));
                                }
                                free(entries[i]);
                        }
                        free(entries);
                        if (r < 0)
                                return r;
                }

        if (paths)
                qsort(paths, strv_length(paths), sizeof(char *), dropin_compare);
        *ret = TAKE_PTR(paths);
        return 0;
}

/* The main file: the first directory holding NAME.service decides, also when it masks it;
 * for an instance without one, the first holding its template PREFIX@.service (systemd's
 * unit_file_find_fragment()). 0 and the path and text, or -ENOENT; ERFKILL if masked. */
static int main_file_find(const char *name, const char *const *search_path, char **ret_path, char **ret_text,
                          char **ret_error) {
        _cleanup_free_ char *template = NULL;
        int r;

        r = service_name_template(name, &template);
        if (r == -ENOMEM)
                return r;

        for (unsigned k = 0; k < (template ? 2u : 1u); k++)
                for (const char *const *dir = search_path; *dir; dir++) {
                        _cleanup_free_ char *path = strprintf("%s/%s.service", *dir, k == 0 ? name : template);
                        _cleanup_free_ char *text = NULL;

                        if (!path)
                                return -ENOMEM;
                        r = read_description_file(path, &text, ret_error);
                        if (r == -ENOENT)
                                continue;
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                return error_set(ret_error, r, "Cannot read %s: %s", path, strerror(-r));
                        if (r > 0 && k == 0)
                                return error_set(ret_error, -ERFKILL, "Description %s.service is masked (%s)", name,
                                                 path);
                        if (r > 0)
                                return error_set(ret_error, -ERFKILL,
                                                 "Description %s.service is masked: its template %s.service is (%s)",
                                                 name, template, path);
                        *ret_path = TAKE_PTR(path);
                        *ret_text = TAKE_PTR(text);
                        return 0;
                }
        return -ENOENT;
}

static char *search_path_text(const char *const *search_path) {
        _cleanup_free_ char *s = strdup("");

        for (const char *const *dir = search_path; s && *dir; dir++) {
                char *t = strprintf("%s%s%s", s, dir == search_path ? "" : dir[1] ? ", " : " or ", *dir);
                free(s);
                s = t;
        }
        return TAKE_PTR(s);
}

int description_sources_load(const char *name, const char *main_text, const char *const *search_path,
                             DescriptionSources **ret, char **ret_error) {
        _cleanup_(description_sources_freep) DescriptionSources *s = NULL;
        _cleanup_strv_free_ char **dropins = NULL;
        int r;

        if (!name || !ret)
                return -EINVAL;
        /* A template PREFIX@ is its own file and drop-ins (isolatectl cat, edit): what would run it
         * refuses it first. */
        if (!service_name_is_valid(name) && !service_name_is_template(name))
                return error_set(ret_error, -EINVAL, "Invalid service name '%s'", name);
        if (!search_path)
                search_path = description_search_path_default;

        s = calloc(1, sizeof(DescriptionSources));
        if (!s)
                return -ENOMEM;

        {
                _cleanup_free_ char *path = NULL, *text = NULL;

                r = main_file_find(name, search_path, &path, &text, ret_error);
                if (r < 0 && r != -ENOENT)
                        return r;
                if (r >= 0 && !main_text) {
                        r = sources_add(s, path, strlen(path), text, strlen(text));
                        if (r < 0)
                                return r;
                }
        }

        if (main_text) {
                _cleanup_free_ char *path = strprintf("%s.service", name);

                if (!path)
                        return -ENOMEM;
                if (strlen(main_text) > DESCRIPTION_SIZE_MAX)
                        return error_set(ret_error, -E2BIG, "%s: larger than %u bytes", path, DESCRIPTION_SIZE_MAX);
                r = sources_add(s, path, strlen(path), main_text, strlen(main_text));
                if (r < 0)
                        return r;
        }

        if (s->n == 0) {
                _cleanup_free_ char *where = search_path_text(search_path);

                if (!where)
                        return -ENOMEM;
                if (service_name_is_instance(name))
                        return error_set(ret_error, -ENOENT, "No description %s.service nor its template %.*s@.service in %s",
                                         name, (int) service_name_prefix_len(name), name, where);
                return error_set(ret_error, -ENOENT, "No description %s.service in %s", name, where);
        }

        r = dropins_list(name, search_path, &dropins, ret_error);
        if (r < 0)
                return r;

        for (char **p = dropins; p && *p; p++) {
                _cleanup_free_ char *text = NULL;

                r = read_description_file(*p, &text, ret_error);
                if (r == -ENOENT) /* gone meanwhile, or a dangling symlink */
                        continue;
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return error_set(ret_error, r, "Cannot read %s: %s", *p, strerror(-r));
                if (r > 0) /* a masked drop-in only hides lower ones of its name */
                        continue;
                r = sources_add(s, *p, strlen(*p), text, strlen(text));
                if (r == -E2BIG)
                        return error_set(ret_error, r, "%s: more than %u drop-ins", name, DESCRIPTION_SOURCES_MAX);
                if (r < 0)
                        return r;
        }

        if (sources_text_size(s) > DESCRIPTION_SIZE_MAX)
                return error_set(ret_error, -E2BIG, "%s.service and its drop-ins are larger than %u bytes together", name,
                                 DESCRIPTION_SIZE_MAX);

        *ret = TAKE_PTR(s);
        return 0;
}

int description_parse_sources(const char *name, const DescriptionSources *sources, Description **ret,
                              char ***ret_notices, char **ret_error) {
        _cleanup_free_ const char **paths = NULL, **texts = NULL;

        if (!sources || sources->n == 0)
                return -EINVAL;

        paths = calloc(sources->n, sizeof(char *));
        texts = calloc(sources->n, sizeof(char *));
        if (!paths || !texts)
                return -ENOMEM;
        for (size_t i = 0; i < sources->n; i++) {
                paths[i] = sources->items[i].path;
                texts[i] = sources->items[i].text;
        }
        return description_parse_files(name, sources->n, paths, texts, NULL, ret, ret_notices, ret_error);
}

/* Each source as "PATHLEN TEXTLEN\nPATH\nTEXT\n", lengths in decimal bytes. Text only, no NUL. */
int description_sources_serialize(const DescriptionSources *sources, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (!sources || sources->n == 0 || !ret)
                return -EINVAL;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < sources->n; i++) {
                const DescriptionSource *x = sources->items + i;

                fprintf(f, "%zu %zu\n%s\n%s\n", strlen(x->path), strlen(x->text), x->path, x->text);
        }
        if (fclose(f) != 0)
                return -ENOMEM;

        if (ret_size)
                *ret_size = size;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* A decimal length ending at the delimiter: no sign, no leading zeros, at most max. */
static int parse_length(const char **p, const char *end, char delimiter, size_t max, size_t *ret) {
        const char *q = *p;
        size_t v = 0;

        if (q >= end || *q < '0' || *q > '9' || (q[0] == '0' && q + 1 < end && q[1] != delimiter))
                return -EBADMSG;
        for (; q < end && *q >= '0' && *q <= '9'; q++) {
                v = v * 10 + (size_t) (*q - '0');
                if (v > max)
                        return -EBADMSG;
        }
        if (q >= end || *q != delimiter)
                return -EBADMSG;
        *p = q + 1;
        *ret = v;
        return 0;
}

int description_sources_deserialize(const char *data, size_t size, DescriptionSources **ret) {
        _cleanup_(description_sources_freep) DescriptionSources *s = NULL;
        const char *p = data, *end = data + size;
        size_t total = 0;
        int r;

        if (!data || !ret)
                return -EINVAL;

        s = calloc(1, sizeof(DescriptionSources));
        if (!s)
                return -ENOMEM;

        while (p < end) {
                size_t path_len, text_len;
                const char *path, *text;

                r = parse_length(&p, end, ' ', PATH_MAX, &path_len);
                if (r < 0)
                        return r;
                r = parse_length(&p, end, '\n', DESCRIPTION_SIZE_MAX, &text_len);
                if (r < 0)
                        return r;
                if (path_len == 0 || (size_t) (end - p) < path_len + 1 + text_len + 1)
                        return -EBADMSG;
                path = p;
                text = p + path_len + 1;
                if (path[path_len] != '\n' || text[text_len] != '\n')
                        return -EBADMSG;
                if (memchr(path, 0, path_len) || memchr(path, '\n', path_len) || memchr(text, 0, text_len))
                        return -EBADMSG;
                total += path_len + text_len;
                if (total > DESCRIPTION_SIZE_MAX)
                        return -E2BIG;

                r = sources_add(s, path, path_len, text, text_len);
                if (r == -E2BIG)
                        return -EBADMSG;
                if (r < 0)
                        return r;
                p = text + text_len + 1;
        }
        if (s->n == 0)
                return -EBADMSG;

        *ret = TAKE_PTR(s);
        return 0;
}
