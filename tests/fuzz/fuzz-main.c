/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replays files (or every file in directories) through LLVMFuzzerTestOneInput,
 * so the corpus runs as an ordinary test without clang. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path) {
        FILE *f;
        char *data = NULL;
        size_t size = 0, allocated = 0;

        f = fopen(path, "re");
        if (!f) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        for (;;) {
                size_t n;

                if (size == allocated) {
                        char *grown;

                        allocated = allocated ? allocated * 2 : 4096;
                        grown = realloc(data, allocated);
                        if (!grown) {
                                free(data);
                                fclose(f);
                                return -1;
                        }
                        data = grown;
                }
                n = fread(data + size, 1, allocated - size, f);
                if (n == 0)
                        break;
                size += n;
        }
        fclose(f);

        printf("%s (%zu bytes)\n", path, size);
        LLVMFuzzerTestOneInput((const uint8_t *) data, size);
        free(data);
        return 0;
}

static int replay(const char *path) {
        struct dirent **entries;
        struct stat st;
        int n, r = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode))
                return replay_file(path);

        n = scandir(path, &entries, NULL, alphasort);
        if (n < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        for (int i = 0; i < n; i++) {
                if (entries[i]->d_name[0] != '.') {
                        char *p;

                        if (asprintf(&p, "%s/%s", path, entries[i]->d_name) < 0)
                                r = -1;
                        else {
                                if (replay(p) < 0)
                                        r = -1;
                                free(p);
                        }
                }
                free(entries[i]);
        }
        free(entries);
        return r;
}

int main(int argc, char *argv[]) {
        int r = 0;

        if (argc < 2) {
                fprintf(stderr, "Usage: %s FILE|DIRECTORY...\n", argv[0]);
                return EXIT_FAILURE;
        }
        for (int i = 1; i < argc; i++)
                if (replay(argv[i]) < 0)
                        r = -1;
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
