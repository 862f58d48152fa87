/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus-error.h"
#include "description-loader.h"
#include "learn.h"
#include "log.h"
#include "manager.h"
#include "service.h"
#include "string-util.h"
#include "strv.h"

#define LEARN_REPORT_MAX (1024 * 1024)
#define LEARN_DROPIN "50-learned.conf"

ServiceLearn *service_learn_free(ServiceLearn *l) {
        if (!l)
                return NULL;
        /* A record dropped before the end (RestartService made a new one): the caller still hears. */
        if (l->call)
                (void) sd_bus_reply_method_errorf(l->call, BUS_ERROR_START_FAILED,
                                                  "The learning run was interrupted before it ended.");
        sd_bus_message_unref(l->call);
        safe_close(l->report_fd);
        sd_event_source_disable_unref(l->timer);
        sd_event_source_disable_unref(l->defer);
        return mfree(l);
}

/* An earlier learned drop-in is not applied while learning: what it grants is learned anew. */
static void drop_learned_dropin(DescriptionSources *sources, const char *name) {
        _cleanup_free_ char *tail = strprintf("/%s.service.d/" LEARN_DROPIN, name);
        size_t k = tail ? strlen(tail) : 0;

        for (size_t i = 1; tail && i < sources->n;) {
                const char *p = sources->items[i].path;
                size_t n = strlen(p);

                if (n >= k && strcmp(p + n - k, tail) == 0) {
                        free(sources->items[i].path);
                        free(sources->items[i].text);
                        memmove(&sources->items[i], &sources->items[i + 1],
                                (sources->n - i - 1) * sizeof(DescriptionSource));
                        sources->n--;
                } else
                        i++;
        }
}

static int append_source(DescriptionSources *sources, const char *path, const char *text) {
        DescriptionSource *items = reallocarray(sources->items, sources->n + 1, sizeof(DescriptionSource));

        if (!items)
                return -ENOMEM;
        sources->items = items;
        items[sources->n] = (DescriptionSource) { .path = strdup(path), .text = strdup(text) };
        if (!items[sources->n].path || !items[sources->n].text) {
                free(items[sources->n].path);
                free(items[sources->n].text);
                return -ENOMEM;
        }
        sources->n++;
        return 0;
}

/* "CAP_A CAP_B" of the bits of mask. */
static char *caps_to_names(uint64_t mask) {
        _cleanup_free_ char *s = strdup("");

        for (int c = 0; s && c < 64; c++) {
                char *n, *j;

                if (!(mask & (UINT64_C(1) << c)))
                        continue;
                n = cap_to_name((cap_value_t) c);
                if (!n)
                        return NULL;
                for (char *p = n; *p; p++)
                        *p = (char) toupper((unsigned char) *p);
                j = strprintf("%s%s%s", s, *s ? " " : "", n);
                cap_free(n);
                free(s);
                s = j;
        }
        return TAKE_PTR(s);
}

/* What the file asks for (AmbientCapabilities=, CapabilityBoundingSet=) that the defaults (and its
 * own [Isolate] AllowCapabilities=) leave out: parsed once with every withheld capability allowed. */
static int asked_capabilities(const char *name, DescriptionSources *sources, uint64_t *ret, sd_bus_error *error) {
        _cleanup_(description_freep) Description *plain = NULL, *granted = NULL;
        _cleanup_free_ char *parse_error = NULL, *all = NULL, *text = NULL;
        _cleanup_(description_sources_freep) DescriptionSources *copy = NULL;
        uint64_t asked;
        int r;

        r = description_parse_sources(name, sources, &plain, NULL, &parse_error);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_BAD_DESCRIPTION, "%s", parse_error ?: "Invalid description.");
        all = caps_to_names(sandbox_caps_denied());
        text = all ? strprintf("[Isolate]\nAllowCapabilities=%s\n", all) : NULL;
        if (!text)
                return -ENOMEM;
        r = description_sources_copy(sources, &copy);
        if (r >= 0)
                r = append_source(copy, "learning.conf", text);
        if (r >= 0)
                r = description_parse_sources(name, copy, &granted, NULL, NULL);
        if (r < 0)
                return r == -ENOMEM ? r : sd_bus_error_set_errnof(error, r, "Failed to grant capabilities: %m");
        asked = granted->sandbox.ambient_capabilities;
        if (granted->sandbox.capability_bounding_set_set)
                asked |= granted->sandbox.capability_bounding_set;
        *ret = asked & sandbox_caps_denied() & ~plain->sandbox.allow_capabilities;
        return 0;
}

static int on_learn_timeout(sd_event_source *source, uint64_t usec, void *userdata) {
        Service *s = userdata;

        log_info("%s: learned long enough, stopping it.", s->name);
        s->learn->timer = sd_event_source_disable_unref(s->learn->timer);
        if (service_is_active(s))
                (void) service_stop(s, NULL);
        return 0;
}

/* manager_start_sources_prepared()'s hook: the service takes the learning state. */
static void attach_learn(Service *s, void *userdata) {
        ServiceLearn **l = userdata;

        s->learn = TAKE_PTR(*l);
}

int manager_learn_service(Manager *m, const char *name, const char *text, uint64_t duration_usec, sd_bus_message *call,
                          sd_bus_error *error) {
        _cleanup_(description_sources_freep) DescriptionSources *sources = NULL;
        _cleanup_(service_learn_freep) ServiceLearn *l = NULL;
        ServiceLearn *learn; /* l, once the service has it */
        _cleanup_free_ char *load_error = NULL;
        Service *s;
        int r;

        if (service_name_is_template(name))
                return sd_bus_error_setf(error, BUS_ERROR_BAD_NAME, "%s is a template: learn an instance, %sINSTANCE.",
                                         name, name);
        if (!service_name_is_valid(name))
                return sd_bus_error_setf(error, BUS_ERROR_BAD_NAME, "Invalid service name '%s'.", name);
        if (duration_usec == 0)
                duration_usec = LEARN_DURATION_DEFAULT_USEC;
        if (duration_usec > LEARN_DURATION_MAX_USEC)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "A learning run lasts at most %llu s.",
                                         (unsigned long long) (LEARN_DURATION_MAX_USEC / USEC_PER_SEC));

        r = description_sources_load(name, isempty(text) ? NULL : text, NULL, &sources, &load_error);
        if (r == -ENOMEM)
                return r;
        if (r == -ENOENT)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_SERVICE, "%s.", load_error ?: "No such description");
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_BAD_DESCRIPTION, "%s.", load_error ?: strerror(-r));
        drop_learned_dropin(sources, name);

        l = calloc(1, sizeof(ServiceLearn));
        if (!l)
                return -ENOMEM;
        l->report_fd = memfd_create("isolated-learn", MFD_CLOEXEC);
        if (l->report_fd < 0)
                return -errno;
        r = asked_capabilities(name, sources, &l->asked_caps, error);
        if (r < 0 || sd_bus_error_is_set(error))
                return r;
        if (l->asked_caps) {
                _cleanup_free_ char *names = caps_to_names(l->asked_caps), *grant = NULL;

                grant = names ? strprintf("[Isolate]\nAllowCapabilities=%s\n", names) : NULL;
                if (!grant)
                        return -ENOMEM;
                r = append_source(sources, "learning.conf", grant);
                if (r < 0)
                        return r;
        }

        /* The learning state goes with the service before it starts: the START message, sent right
         * after the fork, carries its report fd and the learning filter. */
        r = manager_start_sources_prepared(m, name, TAKE_PTR(sources), call, attach_learn, &l, error);
        if (r < 0 || sd_bus_error_is_set(error))
                return r;
        s = manager_get_service(m, name);
        if (!s)
                return -ESRCH;
        learn = s->learn;
        /* Answered at the end, with what was learned, not once it runs. */
        s->start_call = sd_bus_message_unref(s->start_call);
        learn->call = sd_bus_message_ref(call);
        r = sd_event_add_time_relative(m->event, &learn->timer, CLOCK_MONOTONIC, duration_usec, 0, on_learn_timeout, s);
        if (r < 0) {
                (void) service_stop(s, NULL);
                return 1;
        }
        log_info("%s: learning for %llu s.", name, (unsigned long long) (duration_usec / USEC_PER_SEC));
        return 1;
}

int service_learn_start_fd(Service *s) {
        if (!s->learn || s->learn->report_fd < 0)
                return -EBADF;
        return fcntl(s->learn->report_fd, F_DUPFD_CLOEXEC, 3);
}

/* A path the init reported: absolute, normalized, printable. */
static bool path_ok(const char *p) {
        size_t n = strlen(p);

        if (n == 0 || n >= PATH_MAX || p[0] != '/' || strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../"))
                return false;
        if ((n >= 2 && strcmp(p + n - 2, "/.") == 0) || (n >= 3 && strcmp(p + n - 3, "/..") == 0))
                return false;
        for (const char *c = p; *c; c++)
                if ((unsigned char) *c < 0x20 || *c == 0x7f)
                        return false;
        return true;
}

/* The path itself if it is a directory on the host, else its nearest parent that is. */
static char *nearest_host_directory(const char *path) {
        _cleanup_free_ char *p = strdup(path);

        while (p) {
                struct stat st;
                char *slash;

                if (lstat(*p ? p : "/", &st) >= 0 && S_ISDIR(st.st_mode))
                        return *p ? TAKE_PTR(p) : (free(p), strdup("/"));
                slash = strrchr(p, '/');
                if (!slash)
                        return strdup("/");
                *slash = '\0';
        }
        return NULL;
}

static bool path_below(const char *path, const char *dir) {
        size_t k = strlen(dir);

        while (k > 1 && dir[k - 1] == '/')
                k--;
        return strncmp(path, dir, k) == 0 && (path[k] == '\0' || path[k] == '/');
}

/* Written there anyway: the private /tmp, /var/tmp, /run, the API file systems, and what the file
 * already makes writable (ReadWritePaths=, with the exec directories). */
static bool path_covered(const Service *s, const char *dir) {
        static const char *const own[] = { "/tmp", "/var/tmp", "/run", "/dev", "/proc", "/sys", NULL };

        for (const char *const *o = own; *o; o++)
                if (path_below(dir, *o))
                        return true;
        for (char **w = s->description->sandbox.read_write_paths; w && *w; w++)
                if (path_below(dir, **w == '-' ? *w + 1 : *w))
                        return true;
        return false;
}

static bool syscall_name_ok(const char *n) {
        return *n && strlen(n) < 64 && strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(n);
}

static bool default_denied(const char *name) {
        for (const char *const *d = sandbox_default_syscall_deny; *d; d++) {
                if ((*d)[0] != '@') {
                        if (strcmp(*d, name) == 0)
                                return true;
                        continue;
                }
                for (const char *const *m = syscall_group_members(*d); m && *m; m++)
                        if (strcmp(*m, name) == 0)
                                return true;
        }
        return false;
}

static bool is_mode_call(const char *name) {
        static const char *const calls[] = { "chmod", "fchmod", "fchmodat", "fchmodat2", "mkdir", "mkdirat", "mknod",
                                             "mknodat", "creat", "open", "openat", "openat2", NULL };

        for (const char *const *c = calls; *c; c++)
                if (strcmp(*c, name) == 0)
                        return true;
        return false;
}

static int path_compare(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The init's lines as findings (kind, value): the proposals ReadWritePaths, AllowSystemCalls,
 * AllowCapabilities, Personality, SUIDSGIDFiles, and what has no opt-out: SystemCallFilter (the
 * file's own list refused it), Refused (an argument check), Unplaced (written straight below /). */
static int build_findings(Service *s, sd_bus_message *reply) {
        const SandboxOptions *o = &s->description->sandbox;
        _cleanup_strv_free_ char **dirs = NULL, **calls = NULL, **unplaced = NULL;
        _cleanup_free_ char *buf = NULL, *caps = NULL;
        struct stat st;
        ssize_t n;
        size_t k;
        int r;

        if (fstat(s->learn->report_fd, &st) < 0)
                return -errno;
        k = st.st_size > LEARN_REPORT_MAX ? LEARN_REPORT_MAX : (size_t) st.st_size;
        buf = malloc(k + 1);
        if (!buf)
                return -ENOMEM;
        n = pread(s->learn->report_fd, buf, k, 0);
        if (n < 0)
                return -errno;
        buf[n] = '\0';

        for (char *line = buf, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (strncmp(line, "write ", 6) == 0 && path_ok(line + 6)) {
                        _cleanup_free_ char *dir = nearest_host_directory(line + 6);

                        if (!dir)
                                return -ENOMEM;
                        if (path_covered(s, dir) || strv_contains(dirs, dir))
                                continue;
                        if (strcmp(dir, "/") == 0) {
                                if (!strv_contains(unplaced, line + 6) && strv_length(unplaced) < 32) {
                                        r = strv_extend(&unplaced, line + 6);
                                        if (r < 0)
                                                return r;
                                }
                                continue;
                        }
                        r = strv_consume(&dirs, TAKE_PTR(dir));
                        if (r < 0)
                                return r;
                } else if (strncmp(line, "syscall ", 8) == 0 && syscall_name_ok(line + 8) &&
                           !strv_contains(calls, line + 8)) {
                        r = strv_extend(&calls, line + 8);
                        if (r < 0)
                                return r;
                } else if (*line)
                        log_warning("%s: ignoring a line the init sent while learning.", s->name);
        }

        r = sd_bus_message_open_container(reply, 'a', "(ss)");
        if (r < 0)
                return r;
        /* The directories, sorted, each only once with what is below it. */
        if (dirs)
                qsort(dirs, strv_length(dirs), sizeof(char *), path_compare);
        for (size_t i = 0; dirs && dirs[i]; i++) {
                bool below = false;

                for (size_t j = 0; j < i; j++)
                        below = below || path_below(dirs[i], dirs[j]);
                if (!below) {
                        r = sd_bus_message_append(reply, "(ss)", "ReadWritePaths", dirs[i]);
                        if (r < 0)
                                return r;
                }
        }
        for (char **u = unplaced; u && *u; u++) {
                r = sd_bus_message_append(reply, "(ss)", "Unplaced", *u);
                if (r < 0)
                        return r;
        }
        for (char **c = calls; c && *c; c++) {
                const char *kind;

                if (strcmp(*c, "personality") == 0)
                        kind = "Personality";
                else if (default_denied(*c) && !strv_contains(o->system_call_filter, *c))
                        kind = "AllowSystemCalls";
                else if (o->system_call_filter_set && (o->system_call_allow_list ? !strv_contains(o->system_call_filter, *c)
                                                                                  : strv_contains(o->system_call_filter, *c)))
                        kind = "SystemCallFilter";
                else if (is_mode_call(*c) && o->restrict_suid_sgid)
                        kind = "SUIDSGIDFiles";
                else
                        kind = "Refused";
                r = sd_bus_message_append(reply, "(ss)", kind, *c);
                if (r < 0)
                        return r;
        }
        caps = caps_to_names(s->learn->asked_caps);
        if (!caps)
                return -ENOMEM;
        for (const char *p = caps; *p;) {
                size_t w = strcspn(p, " ");
                _cleanup_free_ char *one = strndup(p, w);

                if (!one)
                        return -ENOMEM;
                r = sd_bus_message_append(reply, "(ss)", "AllowCapabilities", one);
                if (r < 0)
                        return r;
                p += w;
                p += strspn(p, " ");
        }
        return sd_bus_message_close_container(reply);
}

static int on_learn_done(sd_event_source *source, void *userdata) {
        Service *s = userdata;

        s->learn->defer = sd_event_source_disable_unref(s->learn->defer);
        /* Nothing of the run stays: no record, no state (the scope and the init are gone). */
        if (!service_is_active(s))
                manager_remove_service(s->manager, s);
        return 0;
}

void service_learn_finish(Service *s) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL, *call = NULL;
        ServiceLearn *l = s->learn;
        int r;

        if (!l || !l->call)
                return;
        call = TAKE_PTR(l->call);
        l->timer = sd_event_source_disable_unref(l->timer);
        /* Not started at all (the sandbox could not be made): an error, not an empty finding. */
        if (!s->released || (s->start_errno != 0 && !s->start_complete)) {
                (void) sd_bus_reply_method_errorf(call, s->start_error_name ?: BUS_ERROR_START_FAILED,
                                                  "Failed to start %s: %s", s->name, s->start_error ?: "it did not start");
        } else {
                r = sd_bus_message_new_method_return(call, &reply);
                if (r >= 0)
                        r = sd_bus_message_append(reply, "s", service_result_to_string(s->result));
                if (r >= 0)
                        r = build_findings(s, reply);
                if (r >= 0)
                        r = sd_bus_send(NULL, reply, NULL);
                if (r < 0) {
                        log_warning_errno(r, "%s: cannot answer what was learned: %m", s->name);
                        (void) sd_bus_reply_method_errnof(call, r, "Failed to read what %s did: %m", s->name);
                }
        }
        r = sd_event_add_defer(s->manager->event, &l->defer, on_learn_done, s);
        if (r < 0)
                log_warning_errno(r, "%s: cannot drop the record of the learning run: %m", s->name);
}
