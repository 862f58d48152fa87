/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "description.h"
#include "init-protocol.h"
#include "state-file.h"
#include "strv.h"

static int write_atomic(const char *dir, const char *name, const char *suffix, const char *data, size_t size) {
        _cleanup_free_ char *path = NULL, *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (asprintf(&path, "%s/%s.%s", dir, name, suffix) < 0 || asprintf(&tmp, "%s.tmp", path) < 0)
                return -ENOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return negative_errno();
        for (size_t done = 0; done < size;) {
                ssize_t n = write(fd, data + done, size - done);
                if (n < 0) {
                        r = negative_errno();
                        (void) unlink(tmp);
                        return r;
                }
                done += n;
        }
        if (rename(tmp, path) < 0) {
                r = negative_errno();
                (void) unlink(tmp);
                return r;
        }
        return 0;
}

static int read_all(const char *dir, const char *name, const char *suffix, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *path = NULL, *buf = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t size = 0;

        if (asprintf(&path, "%s/%s.%s", dir, name, suffix) < 0)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        buf = malloc(max + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n = read(fd, buf + size, max + 1 - size);
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                size += n;
                if (size > max)
                        return -EBADMSG;
        }
        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int state_file_write(const char *dir, const char *name, const StateRecord *record, const DescriptionSources *sources) {
        _cleanup_free_ char *text = NULL, *data = NULL;
        size_t size;
        int n, r;

        /* The sources first: a NAME.state always has its description beside it. */
        r = description_sources_serialize(sources, &data, &size);
        if (r < 0)
                return r;
        r = write_atomic(dir, name, "sources", data, size);
        if (r < 0)
                return r;
        n = asprintf(&text, "VERSION=1\nINIT_PID=%d\nMAIN_PID=%d\nSTART_TIMESTAMP=%llu\nUID_BASE=%lld\nPHASE=%s\n",
                     record->init_pid, record->main_pid, (unsigned long long) record->start_timestamp,
                     record->uid_base == (uid_t) -1 ? -1LL : (long long) record->uid_base,
                     record->starting ? "starting" : "running");
        if (n < 0)
                return -ENOMEM;
        return write_atomic(dir, name, "state", text, n);
}

int state_file_read(const char *dir, const char *name, StateRecord *ret, DescriptionSources **ret_sources) {
        _cleanup_(description_sources_freep) DescriptionSources *sources = NULL;
        _cleanup_free_ char *text = NULL, *data = NULL;
        StateRecord record = { .uid_base = (uid_t) -1 };
        unsigned long long ts = 0;
        long long uid_base = -1;
        int version = 0, seen = 0;
        size_t size;
        char *line, *save = NULL;
        int r;

        r = read_all(dir, name, "state", 4096, &text, NULL);
        if (r < 0)
                return r == -EBADMSG ? r : r;
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (sscanf(line, "VERSION=%d", &version) == 1)
                        seen |= 1;
                else if (sscanf(line, "INIT_PID=%d", &record.init_pid) == 1)
                        seen |= 2;
                else if (sscanf(line, "MAIN_PID=%d", &record.main_pid) == 1)
                        seen |= 4;
                else if (sscanf(line, "START_TIMESTAMP=%llu", &ts) == 1)
                        seen |= 8;
                else if (sscanf(line, "UID_BASE=%lld", &uid_base) == 1 && uid_base >= -1 && uid_base < UINT32_MAX)
                        record.uid_base = uid_base < 0 ? (uid_t) -1 : (uid_t) uid_base;
                else if (strcmp(line, "PHASE=starting") == 0)
                        record.starting = true;
                else if (strcmp(line, "PHASE=running") == 0)
                        record.starting = false;
        }
        if (seen != 15 || version != 1 || record.init_pid <= 1)
                return -EBADMSG;
        record.start_timestamp = ts;

        r = read_all(dir, name, "sources", DESCRIPTION_SIZE_MAX * 4, &data, &size);
        if (r == -ENOENT)
                return -EBADMSG;
        if (r < 0)
                return r;
        r = description_sources_deserialize(data, size, &sources);
        if (r < 0)
                return -EBADMSG;
        *ret = record;
        *ret_sources = TAKE_PTR(sources);
        return 0;
}

int state_file_read_exit(const char *dir, const char *name, int *ret_code, int *ret_status, InitEndResult *ret_result) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_all(dir, name, "exit", 256, &text, NULL);
        if (r < 0)
                return r;
        /* Made empty at the start: the main process's end was not recorded (-ENOENT). */
        return init_exit_record_parse(text, ret_code, ret_status, ret_result);
}

int state_file_make_init_endpoints(const char *dir, const char *name, int *ret_listen_fd, int *ret_exit_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int listen_fd = -EBADF, exit_fd = -EBADF;
        _cleanup_free_ char *exit_path = NULL;
        mode_t old_umask;
        int r;

        if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", dir, name) >= (int) sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        if (asprintf(&exit_path, "%s/%s.exit", dir, name) < 0)
                return -ENOMEM;

        /* The record starts empty: "no end recorded". */
        exit_fd = open(exit_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
        if (exit_fd < 0)
                return negative_errno();
        listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (listen_fd < 0)
                return negative_errno();
        (void) unlink(sa.sun_path); /* left by an init that died without a daemon to clean up */
        old_umask = umask(0077);
        r = bind(listen_fd, (struct sockaddr *) &sa, sizeof(sa));
        umask(old_umask);
        if (r < 0 || listen(listen_fd, 4) < 0) {
                r = negative_errno();
                (void) unlink(sa.sun_path);
                (void) unlink(exit_path);
                return r;
        }
        *ret_listen_fd = TAKE_FD(listen_fd);
        *ret_exit_fd = TAKE_FD(exit_fd);
        return 0;
}

void state_file_remove(const char *dir, const char *name) {
        static const char *const suffixes[] = { "state", "sources", "exit", "state.tmp", "sources.tmp", "exit.tmp", "sock" };

        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%s.%s", dir, name, suffixes[i]) >= 0)
                        (void) unlink(path);
        }
}

static bool has_suffix(const char *s, const char *suffix, size_t *ret_len) {
        size_t n = strlen(s), k = strlen(suffix);

        if (n <= k || strcmp(s + n - k, suffix) != 0)
                return false;
        *ret_len = n - k;
        return true;
}

int state_dir_list(const char *dir, char ***ret_names) {
        _cleanup_strv_free_ char **names = NULL;
        struct dirent *de;
        DIR *d;
        int r = 0;

        names = calloc(1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        d = opendir(dir);
        if (!d)
                return negative_errno();
        while ((de = readdir(d))) {
                _cleanup_free_ char *name = NULL;
                size_t len;

                if (!has_suffix(de->d_name, ".state", &len) && !has_suffix(de->d_name, ".exit", &len))
                        continue;
                name = strndup(de->d_name, len);
                if (!name) {
                        r = -ENOMEM;
                        break;
                }
                if (!service_name_is_valid(name) || strv_contains(names, name))
                        continue;
                r = strv_consume(&names, TAKE_PTR(name));
                if (r < 0)
                        break;
        }
        closedir(d);
        if (r < 0)
                return r;
        *ret_names = TAKE_PTR(names);
        return 0;
}
