/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <string.h>

#include "exec-line.h"
#include "extract-word.h"
#include "string-util.h"
#include "strv.h"

ExecCommand *exec_command_free(ExecCommand *c) {
        if (!c)
                return NULL;
        free(c->path);
        strv_free(c->argv);
        return mfree(c);
}

static bool path_is_valid_exec(const char *path) {
        if (isempty(path) || strlen(path) >= PATH_MAX)
                return false;
        if (path[0] == '/')
                return path[strlen(path) - 1] != '/';
        /* A bare name is looked up in PATH; anything else with a slash is ambiguous. */
        return !strchr(path, '/') && strcmp(path, ".") != 0 && strcmp(path, "..") != 0;
}

int exec_command_parse(const char *line, ExecCommand **ret, char **ret_notice, char **ret_error) {
        _cleanup_(exec_command_freep) ExecCommand *c = NULL;
        _cleanup_free_ char *first = NULL;
        _cleanup_strv_free_ char **argv = NULL;
        const char *p = line, *f;
        bool unknown_escape = false;
        int r;

        if (!line)
                return -EINVAL;

        c = calloc(1, sizeof(ExecCommand));
        if (!c)
                return -ENOMEM;

        /* The prefixes are part of the first word, so they may be quoted with it, as in systemd. */
        r = extract_first_word(&p, &first, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE, NULL);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return error_set(ret_error, -EINVAL, "Invalid executable path (bad quoting or escape): %s", line);
        if (r == 0)
                return error_set(ret_error, -EINVAL, "Empty command line");

        /* As systemd's config_parse_exec(): each prefix once; "!!" is the second "!"; "+" and "!"
         * exclude each other. */
        for (f = first;; f++) {
                if (*f == '-' && !c->ignore_failure)
                        c->ignore_failure = true;
                else if (*f == '@' && !c->argv0_given)
                        c->argv0_given = true;
                else if (*f == ':' && !c->no_env_expand)
                        c->no_env_expand = true;
                else if (*f == '+' && !c->privileged && !c->no_setuid && !c->ambient_magic)
                        c->privileged = true;
                else if (*f == '!' && !c->privileged && !c->no_setuid && !c->ambient_magic)
                        c->no_setuid = true;
                else if (*f == '!' && !c->privileged && c->no_setuid && !c->ambient_magic) {
                        c->no_setuid = false;
                        c->ambient_magic = true;
                } else if (*f == '|')
                        /* systemd 253's shell prefix: systemd 252 does not know it either. */
                        return error_set(ret_error, -EINVAL, "Command prefix '|' is not supported (systemd 252 has no such prefix)");
                else /* a repeated prefix, or "!" after "+": part of the path, as in systemd */
                        break;
        }

        if (*f == '\0')
                return error_set(ret_error, -EINVAL, "Empty executable path in command line");
        if (!path_is_valid_exec(f))
                return error_set(ret_error, -EINVAL,
                                 "Executable path '%s' is neither an absolute path nor a plain file name", f);

        c->path = strdup(f);
        if (!c->path)
                return -ENOMEM;
        if (!c->argv0_given) {
                r = strv_extend(&argv, c->path);
                if (r < 0)
                        return r;
        }

        for (;;) {
                char *word;

                p += strspn(p, WHITESPACE);

                /* A lone ";" would start another command; "\;" is a literal ";". */
                if (p[0] == ';' && (p[1] == '\0' || strchr(WHITESPACE, p[1])))
                        return error_set(ret_error, -EINVAL,
                                         "Several commands separated by ';' are not supported here");
                if (p[0] == '\\' && p[1] == ';' && (p[2] == '\0' || strchr(WHITESPACE, p[2]))) {
                        r = strv_extend(&argv, ";");
                        if (r < 0)
                                return r;
                        p += 2;
                        continue;
                }

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE | EXTRACT_CUNESCAPE_RELAX,
                                       &unknown_escape);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return error_set(ret_error, -EINVAL, "Unbalanced quotes or trailing backslash in command line: %s", line);
                if (r == 0)
                        break;
                r = strv_consume(&argv, word);
                if (r < 0)
                        return r;
        }

        if (!argv || isempty(argv[0]))
                return error_set(ret_error, -EINVAL, "Empty argv[0] after '@' prefix");

        if (unknown_escape && ret_notice) {
                char *notice = strprintf("Unknown escape sequences in command line kept verbatim: %s", line);
                if (!notice)
                        return -ENOMEM;
                free(*ret_notice);
                *ret_notice = notice;
        }

        c->argv = TAKE_PTR(argv);
        *ret = TAKE_PTR(c);
        return 0;
}

/* The last assignment wins, as in systemd's strv_env_get_n(). */
static const char *env_get_n(char *const *env, const char *name, size_t n) {
        const char *found = NULL;

        for (char *const *i = env; i && *i; i++)
                if (strncmp(*i, name, n) == 0 && (*i)[n] == '=')
                        found = *i + n + 1;
        return found;
}

static int append(char **s, size_t *len, const char *a, size_t n) {
        char *grown = realloc(*s, *len + n + 1);

        if (!grown)
                return -ENOMEM;
        memcpy(grown + *len, a, n);
        *len += n;
        grown[*len] = '\0';
        *s = grown;
        return 0;
}

/* systemd's replace_env() without extensions: ${VAR} is replaced, $$ becomes $,
 * any other $ stays. */
static int replace_env(const char *word, char *const *env, char **ret) {
        _cleanup_free_ char *s = strdup("");
        size_t len = 0;
        const char *p = word;
        int r;

        if (!s)
                return -ENOMEM;

        while (*p) {
                const char *d = strchr(p, '$'), *close;

                if (!d) {
                        r = append(&s, &len, p, strlen(p));
                        if (r < 0)
                                return r;
                        break;
                }

                if (d[1] == '$') {
                        r = append(&s, &len, p, (size_t) (d - p) + 1);
                        if (r < 0)
                                return r;
                        p = d + 2;
                        continue;
                }

                if (d[1] == '{' && (close = strchr(d + 2, '}'))) {
                        const char *v = env_get_n(env, d + 2, (size_t) (close - d - 2));

                        r = append(&s, &len, p, (size_t) (d - p));
                        if (r >= 0 && v)
                                r = append(&s, &len, v, strlen(v));
                        if (r < 0)
                                return r;
                        p = close + 1;
                        continue;
                }

                r = append(&s, &len, p, (size_t) (d - p) + 1);
                if (r < 0)
                        return r;
                p = d + 1;
        }

        *ret = TAKE_PTR(s);
        return 0;
}

int exec_command_expand(const ExecCommand *c, char *const *env, char ***ret_argv) {
        _cleanup_strv_free_ char **argv = NULL;
        int r;

        if (!c || !c->argv)
                return -EINVAL;

        argv = calloc(1, sizeof(char *));
        if (!argv)
                return -ENOMEM;

        for (char **i = c->argv; *i; i++) {
                const char *word = *i;
                char *expanded;

                if (c->no_env_expand) {
                        r = strv_extend(&argv, word);
                        if (r < 0)
                                return r;
                        continue;
                }

                if (word[0] == '$' && word[1] != '{' && word[1] != '$') {
                        const char *v = env_get_n(env, word + 1, strlen(word + 1));
                        const char *q = v;

                        /* An unset variable as a word of its own drops the word. */
                        while (q) {
                                char *w;

                                r = extract_first_word(&q, &w, EXTRACT_UNQUOTE | EXTRACT_RELAX, NULL);
                                if (r < 0)
                                        return r;
                                if (r == 0)
                                        break;
                                r = strv_consume(&argv, w);
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }

                r = replace_env(word, env, &expanded);
                if (r < 0)
                        return r;
                r = strv_consume(&argv, expanded);
                if (r < 0)
                        return r;
        }

        *ret_argv = TAKE_PTR(argv);
        return 0;
}
