/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl.h"
#include "description-loader.h"
#include "fs-util.h"
#include "log.h"
#include "string-util.h"

/* systemctl edit's markers, word for word: what an administrator's fingers know. */
#define EDIT_MARKER_START "### Anything between here and the comment below will become the new contents of the file"
#define EDIT_MARKER_END "### Lines below this comment will be discarded"

typedef struct EditContext {
        const char *name;
        char *target;  /* the file to write */
        char *dir;     /* its directory */
        bool made_dir; /* created by us: removed again if nothing is saved */
        char *temp;    /* the temporary copy the editor sees */
} EditContext;

static void edit_context_done(EditContext *c) {
        if (c->temp)
                (void) unlink(c->temp);
        if (c->made_dir)
                (void) rmdir(c->dir);
        free(c->target);
        free(c->dir);
        free(c->temp);
}

/* As systemctl's run_editor(): $SYSTEMD_EDITOR, $EDITOR, $VISUAL (split at white space),
 * then editor, nano, vim, vi, each tried in turn while it is not there. */
static int run_editor(const char *path) {
        pid_t pid;
        int status;

        (void) fflush(stdout);
        (void) fflush(stderr);
        pid = fork();
        if (pid < 0)
                return log_error_errno(errno, "Failed to fork the editor: %m"), EXIT_FAIL;
        if (pid == 0) {
                const char *editor = getenv("SYSTEMD_EDITOR");
                char *args[64];
                size_t n = 0;

                if (isempty(editor))
                        editor = getenv("EDITOR");
                if (isempty(editor))
                        editor = getenv("VISUAL");
                if (!isempty(editor)) {
                        char *copy = strdup(editor), *saveptr = NULL;

                        if (!copy)
                                _exit(EXIT_FAIL);
                        for (char *w = strtok_r(copy, " \t\n", &saveptr); w && n < ELEMENTSOF(args) - 2;
                             w = strtok_r(NULL, " \t\n", &saveptr))
                                args[n++] = w;
                        args[n++] = (char *) path;
                        args[n] = NULL;
                        execvp(args[0], args);
                        if (errno != ENOENT) {
                                log_error_errno(errno, "Failed to run %s: %m", editor);
                                _exit(EXIT_FAIL);
                        }
                }
                static const char *const fallback[] = { "editor", "nano", "vim", "vi" };
                for (size_t i = 0; i < ELEMENTSOF(fallback); i++) {
                        const char *e = fallback[i];
                        args[0] = (char *) e;
                        args[1] = (char *) path;
                        args[2] = NULL;
                        execvp(e, args);
                        if (errno != ENOENT) {
                                log_error_errno(errno, "Failed to run %s: %m", e);
                                _exit(EXIT_FAIL);
                        }
                }
                log_error("Cannot edit %s: no editor available. Set $SYSTEMD_EDITOR, $EDITOR or $VISUAL.", path);
                _exit(EXIT_FAIL);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return log_error_errno(errno, "Failed to wait for the editor: %m"), EXIT_FAIL;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return log_error("The editor failed; %s is left as it was.", path), EXIT_FAIL;
        return EXIT_OK;
}

static void put_commented(FILE *f, const char *text) {
        const char *p = text;

        while (*p) {
                size_t n = strcspn(p, "\n");
                fprintf(f, n ? "# %.*s\n" : "#\n", (int) n, p);
                p += n;
                if (*p)
                        p++;
        }
}

/* What the editor opens first: for a drop-in, systemctl's frame with the drop-in's current
 * text between the markers and every other file of the effective description, commented out,
 * below them; with --full, the file itself. */
static int write_temp(EditContext *c, const DescriptionSources *sources, const char *current) {
        _cleanup_free_ char *temp = NULL;
        _cleanup_close_ int fd = -EBADF;
        FILE *f;
        int r;

        if (asprintf(&temp, "%s/.#%sXXXXXX", c->dir, strrchr(c->target, '/') + 1) < 0)
                return -ENOMEM;
        fd = mkostemp(temp, O_CLOEXEC); /* mode 0600 */
        if (fd < 0)
                return negative_errno();
        c->temp = TAKE_PTR(temp);
        f = fdopen(fd, "we");
        if (!f)
                return negative_errno();
        TAKE_FD(fd);
        if (arg_full)
                fputs(current ?: "", f);
        else {
                fprintf(f, "### Editing %s\n" EDIT_MARKER_START "\n\n", c->target);
                if (!isempty(current))
                        fprintf(f, "%s%s", current, endswith(current, "\n") ? "" : "\n");
                fputs("\n" EDIT_MARKER_END "\n", f);
                for (size_t i = 0; sources && i < sources->n; i++) {
                        if (strcmp(sources->items[i].path, c->target) == 0)
                                continue;
                        fprintf(f, "\n### %s\n", sources->items[i].path);
                        put_commented(f, sources->items[i].text);
                }
        }
        r = fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
        if (fclose(f) != 0 && r == 0)
                r = -EIO;
        return r;
}

/* What the editor left between the markers (all of it if there are none), without the white
 * space around it: as systemctl's trim_edit_markers(). */
static char *trim_markers(char *text) {
        char *start = strstr(text, EDIT_MARKER_START), *end;

        start = start ? start + strlen(EDIT_MARKER_START) : text;
        end = strstr(start, EDIT_MARKER_END);
        if (end)
                *end = 0;
        return strstrip(start);
}

/* Where the directory stands on the search path: 0 /etc, 1 /run, 2 /usr/lib. */
static size_t path_rank(const char *path) {
        for (size_t i = 0; description_search_path_default[i]; i++)
                if (startswith(path, description_search_path_default[i]) &&
                    path[strlen(description_search_path_default[i])] == '/')
                        return i;
        return SIZE_MAX;
}

/* The effective description as it would be with text saved as the target; 1 if a file of
 * the same name higher on the search path will hide it. */
static int sources_with(const EditContext *c, const DescriptionSources *old, const char *text,
                        DescriptionSources **ret) {
        _cleanup_(description_sources_freep) DescriptionSources *s = NULL;
        const char *base = strrchr(c->target, '/') + 1;
        size_t at = SIZE_MAX;
        char *p, *t;
        int r;

        if (old)
                r = description_sources_copy(old, &s);
        else
                r = (s = calloc(1, sizeof(DescriptionSources))) ? 0 : -ENOMEM;
        if (r < 0)
                return r;
        bool insert = false, masked = false;
        if (arg_full || s->n == 0) {
                at = 0;
                insert = s->n == 0;
                /* The instance's own file wins over its template wherever that is. */
                masked = s->n > 0 && strcmp(strrchr(s->items[0].path, '/') + 1, base) == 0 &&
                         path_rank(s->items[0].path) < path_rank(c->target);
        } else {
                for (size_t i = 1; i < s->n; i++) {
                        const char *b = strrchr(s->items[i].path, '/');
                        int cmp = strcmp(b ? b + 1 : s->items[i].path, base);

                        /* A same-named drop-in of a higher directory masks ours: verified in its
                         * place all the same, and said. */
                        if (cmp == 0 && path_rank(s->items[i].path) < path_rank(c->target))
                                masked = true;
                        if (cmp >= 0) {
                                at = i;
                                insert = cmp > 0;
                                break;
                        }
                }
                if (at == SIZE_MAX) {
                        at = s->n;
                        insert = true;
                }
        }
        if (insert) {
                /* A new drop-in: in its lexical place among the others. */
                DescriptionSource *grown = realloc(s->items, sizeof(DescriptionSource) * (s->n + 1));
                if (!grown)
                        return -ENOMEM;
                s->items = grown;
                memmove(s->items + at + 1, s->items + at, sizeof(DescriptionSource) * (s->n - at));
                s->items[at] = (DescriptionSource) {};
                s->n++;
        }
        p = strdup(c->target);
        t = strdup(text);
        if (!p || !t) {
                free(p);
                free(t);
                return -ENOMEM;
        }
        free(s->items[at].path);
        free(s->items[at].text);
        s->items[at] = (DescriptionSource) { .path = p, .text = t };
        *ret = TAKE_PTR(s);
        return masked;
}

static int save(const EditContext *c, const char *text) {
        _cleanup_close_ int fd = -EBADF;
        size_t n = strlen(text);

        /* The temporary file itself becomes the target, in one rename: never half a file. */
        fd = open(c->temp, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        for (const char *p = text; n > 0;) {
                ssize_t k = write(fd, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                p += k;
                n -= (size_t) k;
        }
        if (write(fd, "\n", 1) != 1 || fchmod(fd, 0644) < 0 || fsync(fd) < 0)
                return negative_errno();
        if (rename(c->temp, c->target) < 0)
                return negative_errno();
        return 0;
}

int verb_edit(sd_bus *bus, int argc, char **argv) {
        _cleanup_(description_sources_freep) DescriptionSources *sources = NULL;
        _cleanup_(edit_context_done) EditContext c = {};
        _cleanup_free_ char *error = NULL, *current = NULL, *as_instance = NULL;
        const char *top = arg_runtime ? "/run/isolated" : "/etc/isolated", *load_name;
        struct stat st;
        int r;

        if (argc != 2)
                return log_error("Usage: isolatectl edit [--full] [--runtime] NAME"), EXIT_FAIL;
        c.name = load_name = argv[1];
        /* A template PREFIX@, as systemctl edit does: its own drop-in (or, --full, itself), for
         * every instance; verified as the instance PREFIX@i, as verify does. */
        if (service_name_is_template(c.name)) {
                load_name = as_instance = strprintf("%si", c.name);
                if (!as_instance)
                        return log_oom(), EXIT_FAIL;
        } else if (!service_name_is_valid(c.name))
                return log_error("Invalid service name '%s': " SERVICE_NAME_RULE ".", c.name),
                       EXIT_FAIL;

        r = description_sources_load(c.name, NULL, NULL, &sources, &error);
        if (r == -ENOENT && arg_full)
                r = 0; /* a new file, written from nothing */
        else if (r == -ENOENT && service_name_is_instance(c.name))
                return log_error("%s; create the template /etc/isolated/%.*s@.service, or this instance's own "
                                 "file with \"isolatectl edit --full %s\".",
                                 error, (int) service_name_prefix_len(c.name), c.name, c.name),
                       EXIT_NO_SUCH;
        else if (r == -ENOENT)
                return log_error("No description %s.service in /etc/isolated, /run/isolated or /usr/lib/isolated; "
                                 "create it with \"isolatectl edit --full %s\".",
                                 c.name, c.name),
                       EXIT_NO_SUCH;
        else if (r == -ERFKILL)
                return log_error("%s.service is masked; remove the mask before editing it.", c.name), EXIT_FAIL;
        if (r < 0)
                return log_error("%s", error ?: strerror(-r)), EXIT_FAIL;

        if (arg_full) {
                if (asprintf(&c.dir, "%s", top) < 0 || asprintf(&c.target, "%s/%s.service", top, c.name) < 0)
                        return log_oom(), EXIT_FAIL;
                if (sources && !(current = strdup(sources->items[0].text)))
                        return log_oom(), EXIT_FAIL;
        } else {
                if (asprintf(&c.dir, "%s/%s.service.d", top, c.name) < 0 ||
                    asprintf(&c.target, "%s/override.conf", c.dir) < 0)
                        return log_oom(), EXIT_FAIL;
                r = read_text_file(c.target, DESCRIPTION_SIZE_MAX, &current);
                if (r < 0 && r != -ENOENT)
                        return log_error_errno(r, "Failed to read %s: %m", c.target), EXIT_FAIL;
        }
        if (stat(c.dir, &st) < 0) {
                r = mkdir_parents(c.dir);
                if (r >= 0 && mkdir(c.dir, 0755) < 0)
                        r = negative_errno();
                if (r < 0)
                        return log_error_errno(r, "Failed to create %s: %m", c.dir), EXIT_FAIL;
                c.made_dir = true;
        }
        r = write_temp(&c, sources, current);
        if (r < 0)
                return log_error_errno(r, "Failed to write a temporary copy of %s: %m", c.target), EXIT_FAIL;

        for (;;) {
                _cleanup_(description_sources_freep) DescriptionSources *next = NULL;
                _cleanup_(description_freep) Description *d = NULL;
                _cleanup_strv_free_ char **notices = NULL;
                _cleanup_free_ char *edited = NULL, *why = NULL;
                char *text;

                r = run_editor(c.temp);
                if (r != EXIT_OK)
                        return r;
                r = read_text_file(c.temp, DESCRIPTION_SIZE_MAX, &edited);
                if (r < 0)
                        return log_error_errno(r, "Failed to read the edited copy of %s: %m", c.target), EXIT_FAIL;
                text = trim_markers(edited);
                if (isempty(text)) {
                        log_warning("Editing \"%s\" canceled: temporary file is empty.", c.target);
                        return EXIT_OK;
                }

                /* Verified as the daemon will read it, drop-ins applied, before anything is saved. */
                r = sources_with(&c, sources, text, &next);
                if (r < 0)
                        return log_oom(), EXIT_FAIL;
                if (r > 0 && !arg_quiet)
                        log_warning("Note: a file of the same name in /etc/isolated takes precedence over %s.",
                                    c.target);
                r = description_parse_sources(load_name, next, &d, &notices, &why);
                if (!arg_quiet)
                        for (char **n = notices; n && *n; n++)
                                fprintf(stderr, "%s\n", *n);
                if (r >= 0) {
                        r = save(&c, text);
                        if (r < 0)
                                return log_error_errno(r, "Failed to save %s: %m", c.target), EXIT_FAIL;
                        c.temp = mfree(c.temp);
                        c.made_dir = false;
                        if (!arg_quiet)
                                log_info("Saved %s; it applies from the next start of %s.", c.target, c.name);
                        return EXIT_OK;
                }
                fprintf(stderr, "%s\n", why ?: strerror(-r));
                if (!isatty(STDIN_FILENO))
                        return log_error("%s not saved: the description does not verify.", c.target), EXIT_FAIL;
                fprintf(stderr, "Press Enter to edit again (the file is kept as you left it), or Ctrl-C to give up. ");
                if (getchar() == EOF)
                        return log_error("%s not saved.", c.target), EXIT_FAIL;
        }
}
