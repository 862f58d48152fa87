/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "description-loader.h"
#include "log.h"
#include "security.h"

/* FILE if the word names an existing file (it has a slash or ends in .service), else NAME. */
static bool word_is_file(const char *w) {
        struct stat st;
        size_t n = strlen(w);

        return (strchr(w, '/') || (n > 8 && strcmp(w + n - 8, ".service") == 0)) && stat(w, &st) >= 0 &&
               S_ISREG(st.st_mode);
}

/* What the daemon says of a service it knows: its state, and whether the namespaces it
 * reports are really its own (a user namespace that is not ours). Nothing if it knows none. */
static void print_running(const char *name) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(service_info_done) ServiceInfo info = {};
        _cleanup_free_ char *path = NULL;
        char own[64] = "", theirs[64] = "", proc[64];
        ssize_t n, m;
        uint32_t pid;

        if (sd_bus_open_system(&bus) < 0 || service_object_path(name, &path) < 0)
                return;
        {
                _cleanup_free_ char *state = NULL;
                if (get_state(bus, name, &state) < 0)
                        return; /* not known to the daemon, or the daemon is not there */
        }
        if (get_service_info(bus, path, &info) != EXIT_OK)
                return;
        printf("%s is known to isolated: %s (main PID %" PRIu32 ").\n", name, info.state, info.main_pid);
        if (info.n_namespaces == 0)
                return;
        printf("  Namespaces (as isolated reports them):");
        for (size_t k = 0; k < info.n_namespaces; k++)
                printf(" %s:[%" PRIu64 "]", info.namespaces[k].type, info.namespaces[k].inode);
        putchar('\n');
        /* The user namespace as the kernel has it, for the process that runs the service. */
        pid = info.main_pid > 0 ? info.main_pid : info.init_pid;
        snprintf(proc, sizeof(proc), "/proc/%" PRIu32 "/ns/user", pid);
        n = readlink("/proc/self/ns/user", own, sizeof(own) - 1);
        m = readlink(proc, theirs, sizeof(theirs) - 1);
        if (n > 0 && m > 0) {
                own[n] = theirs[m] = 0;
                printf("  User namespace: %s %s\n", theirs,
                       strcmp(own, theirs) == 0 ? "(the host's: HostRoot=yes)" : "(its own, not the host's)");
        }
        putchar('\n');
}

static int assess_one(const char *word) {
        _cleanup_(description_sources_freep) DescriptionSources *sources = NULL;
        _cleanup_(security_report_freep) SecurityReport *report = NULL;
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_strv_free_ char **notices = NULL;
        _cleanup_free_ char *text = NULL, *error = NULL, *name = NULL;
        bool file = word_is_file(word);
        const char *shown;
        int r;

        if (file) {
                r = service_name_from_file(word, &name); /* PREFIX@.service as PREFIX@i */
                if (r < 0)
                        return log_oom(), EXIT_FAIL;
                r = read_text_file(word, DESCRIPTION_SIZE_MAX, &text);
                if (r < 0)
                        return log_error_errno(r, "Failed to read %s: %m", word), EXIT_FAIL;
                /* Verified first, as "verify" does, with the drop-ins of its name applied, as a
                 * "start NAME FILE" would. */
                r = description_parse(name, word, text, &d, &notices, &error);
                if (r < 0)
                        return fprintf(stderr, "%s\n", error ?: strerror(-r)), EXIT_FAIL;
                d = description_free(d);
                error = mfree(error);
                notices = strv_free(notices);
        } else {
                if (!service_name_is_valid(word))
                        return log_error("Invalid service name '%s', and no such file.", word), EXIT_FAIL;
                name = strdup(word);
                if (!name)
                        return log_oom(), EXIT_FAIL;
        }
        r = description_sources_load(name, text, NULL, &sources, &error);
        if (r == -ENOENT && service_name_is_instance(name))
                return log_error("%s.", error), EXIT_NO_SUCH;
        if (r == -ENOENT)
                return log_error("No description %s.service in /etc/isolated, /run/isolated or /usr/lib/isolated.",
                                 name),
                       EXIT_NO_SUCH;
        if (r == -ERFKILL)
                return log_error("%s.service is masked.", name), EXIT_FAIL;
        if (r < 0)
                return log_error("%s", error ?: strerror(-r)), EXIT_FAIL;
        if (file) {
                /* The main file is named as given, not as "NAME.service" of bus text. */
                char *p = strdup(word);
                if (!p)
                        return log_oom(), EXIT_FAIL;
                free(sources->items[0].path);
                sources->items[0].path = p;
        }
        r = description_parse_sources(name, sources, &d, &notices, &error);
        if (r < 0)
                return fprintf(stderr, "%s\n", error ?: strerror(-r)), EXIT_FAIL;
        r = security_assess(d, &report);
        if (r < 0)
                return log_error_errno(r, "Failed to assess %s: %m", word), EXIT_FAIL;

        if (!file)
                print_running(name);
        if (arg_legend)
                printf("  %-18s %-34s %-6s %s\n", "NAME", "MECHANISM", "WEIGHT", "EXPOSURE  IN EFFECT");
        for (size_t i = 0; i < report->n; i++) {
                const SecurityItem *it = &report->items[i];
                const char *mark = it->exposure == 0 ? "✓" : it->exposure < 5 ? "~" : "✗";
                printf("%s %-18s %-34s %6u %4.1f      %s\n", mark, it->id, it->description, it->weight,
                       (double) it->exposure, it->detail);
        }
        shown = sources->items[0].path;
        if (arg_legend)
                putchar('\n');
        printf("→ Overall exposure level for %s: %.1f %s\n", file ? shown : name, report->exposure,
               security_exposure_word(report->exposure));
        return EXIT_OK;
}

int verb_security(sd_bus *bus, int argc, char **argv) {
        int ret = EXIT_OK;

        if (argc < 2)
                return log_error("Usage: isolatectl security NAME|FILE..."), EXIT_FAIL;
        for (int k = 1; k < argc; k++) {
                if (k > 1)
                        putchar('\n');
                int r = assess_one(argv[k]);
                if (r != EXIT_OK && ret == EXIT_OK)
                        ret = r;
        }
        return ret;
}
