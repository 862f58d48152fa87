/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec-line.h"
#include "strv.h"

static char *joined;

static const char *join(char **l) {
        size_t n = 1;

        joined = mfree(joined);
        for (char **i = l; i && *i; i++)
                n += strlen(*i) + 3;
        joined = calloc(1, n);
        ck_assert_ptr_nonnull(joined);
        for (char **i = l; i && *i; i++) {
                strcat(joined, "<");
                strcat(joined, *i);
                strcat(joined, ">");
        }
        return joined;
}

/* Parses line, checks that it succeeded, and returns argv as "<a><b>". */
static const char *args(const char *line) {
        _cleanup_(exec_command_freep) ExecCommand *c = NULL;
        _cleanup_free_ char *error = NULL, *notice = NULL;

        ck_assert_msg(exec_command_parse(line, &c, &notice, &error) == 0, "'%s' failed: %s", line, error);
        ck_assert_ptr_null(error);
        return join(c->argv);
}

static const char *parse_error(const char *line) {
        _cleanup_free_ char *error = NULL;
        ExecCommand *c = (ExecCommand *) 0x1;

        ck_assert_int_eq(exec_command_parse(line, &c, NULL, &error), -EINVAL);
        ck_assert_ptr_eq(c, (ExecCommand *) 0x1); /* untouched on failure */
        ck_assert_ptr_nonnull(error);
        joined = mfree(joined);
        joined = TAKE_PTR(error);
        return joined;
}

START_TEST(test_words) {
        _cleanup_(exec_command_freep) ExecCommand *c = NULL;

        ck_assert_int_eq(exec_command_parse("/bin/echo hello world", &c, NULL, NULL), 0);
        ck_assert_str_eq(c->path, "/bin/echo");
        ck_assert_str_eq(join(c->argv), "</bin/echo><hello><world>");
        ck_assert(!c->ignore_failure && !c->argv0_given && !c->no_env_expand);

        ck_assert_str_eq(args("  /bin/true  "), "</bin/true>");
        ck_assert_str_eq(args("/bin/echo \t a \t  b"), "</bin/echo><a><b>");
        ck_assert_str_eq(args("true"), "<true>"); /* looked up in PATH */
}
END_TEST

START_TEST(test_quotes) {
        ck_assert_str_eq(args("/bin/echo \"a b\" 'c d'"), "</bin/echo><a b><c d>");
        ck_assert_str_eq(args("/bin/echo \"it's\" 'say \"hi\"'"), "</bin/echo><it's><say \"hi\">");
        ck_assert_str_eq(args("/bin/echo \"\" ''"), "</bin/echo><><>");
        ck_assert_str_eq(args("/bin/echo --opt=\"a b\""), "</bin/echo><--opt=a b>");
        ck_assert_str_eq(args("/bin/echo \"a\"\"b\""), "</bin/echo><ab>");
        ck_assert_str_eq(args("/bin/echo \"a \\\" b\""), "</bin/echo><a \" b>");
        ck_assert_str_eq(args("\"/bin/echo\" x"), "</bin/echo><x>");
        ck_assert_str_eq(parse_error("/bin/echo \"open"), "Unbalanced quotes or trailing backslash in command line: /bin/echo \"open");
        ck_assert_str_eq(parse_error("/bin/echo 'open"), "Unbalanced quotes or trailing backslash in command line: /bin/echo 'open");
        ck_assert_str_eq(parse_error("\"/bin/echo"), "Invalid executable path (bad quoting or escape): \"/bin/echo");
}
END_TEST

START_TEST(test_escapes) {
        _cleanup_(exec_command_freep) ExecCommand *c = NULL;
        _cleanup_free_ char *notice = NULL;

        ck_assert_str_eq(args("/bin/echo a\\nb a\\tb"), "</bin/echo><a\nb><a\tb>");
        ck_assert_str_eq(args("/bin/echo \\x41 \\101 \\u00e9 \\U0001F600"), "</bin/echo><A><A><\xc3\xa9><\xf0\x9f\x98\x80>");
        ck_assert_str_eq(args("/bin/echo \\\\ \\\" \\'"), "</bin/echo><\\><\"><'>");
        ck_assert_str_eq(args("/bin/echo a\\sb"), "</bin/echo><a b>");
        ck_assert_str_eq(args("/bin/echo \\xff"), "</bin/echo><\xff>");
        ck_assert_str_eq(args("/bin/echo '\\n'"), "</bin/echo><\n>");

        /* Unknown escapes stay as they are, with a notice. */
        ck_assert_int_eq(exec_command_parse("/bin/grep \\d+ \\.", &c, &notice, NULL), 0);
        ck_assert_str_eq(join(c->argv), "</bin/grep><\\d+><\\.>");
        ck_assert_str_eq(notice, "Unknown escape sequences in command line kept verbatim: /bin/grep \\d+ \\.");
        /* A NUL escape is not a character. */
        ck_assert_str_eq(args("/bin/echo \\x00"), "</bin/echo><\\x00>");
        ck_assert_str_eq(args("/bin/echo a\\ b"), "</bin/echo><a\\ b>");

        /* Known escapes give no notice. */
        c = exec_command_free(c);
        notice = mfree(notice);
        ck_assert_int_eq(exec_command_parse("/bin/echo \\n", &c, &notice, NULL), 0);
        ck_assert_ptr_null(notice);

        ck_assert_str_eq(parse_error("/bin/echo foo\\"), "Unbalanced quotes or trailing backslash in command line: /bin/echo foo\\");
        ck_assert_str_eq(parse_error("/bin/\\qecho"), "Invalid executable path (bad quoting or escape): /bin/\\qecho");
}
END_TEST

START_TEST(test_prefixes) {
        _cleanup_(exec_command_freep) ExecCommand *c = NULL;

        ck_assert_int_eq(exec_command_parse("-/bin/false", &c, NULL, NULL), 0);
        ck_assert(c->ignore_failure && !c->argv0_given && !c->no_env_expand);
        ck_assert_str_eq(c->path, "/bin/false");
        ck_assert_str_eq(join(c->argv), "</bin/false>");
        c = exec_command_free(c);

        ck_assert_int_eq(exec_command_parse("@/bin/sleep mysleep 10", &c, NULL, NULL), 0);
        ck_assert(c->argv0_given && !c->ignore_failure);
        ck_assert_str_eq(c->path, "/bin/sleep");
        ck_assert_str_eq(join(c->argv), "<mysleep><10>");
        c = exec_command_free(c);

        ck_assert_int_eq(exec_command_parse(":/bin/echo $HOME", &c, NULL, NULL), 0);
        ck_assert(c->no_env_expand);
        c = exec_command_free(c);

        ck_assert_int_eq(exec_command_parse(":-@/bin/echo x y", &c, NULL, NULL), 0);
        ck_assert(c->no_env_expand && c->ignore_failure && c->argv0_given);
        ck_assert_str_eq(join(c->argv), "<x><y>");
        c = exec_command_free(c);

        /* A repeated prefix is not a prefix any more. */
        ck_assert_str_eq(parse_error("--/bin/true"),
                         "Executable path '-/bin/true' is neither an absolute path nor a plain file name");

        /* systemd 252's "+", "!" and "!!" (chrony's ExecStart=!, unbound's ExecReload=+). */
        ck_assert_int_eq(exec_command_parse("+/bin/kill -HUP $MAINPID", &c, NULL, NULL), 0);
        ck_assert(c->privileged && !c->no_setuid && !c->ambient_magic);
        ck_assert_str_eq(join(c->argv), "</bin/kill><-HUP><$MAINPID>");
        c = exec_command_free(c);
        ck_assert_int_eq(exec_command_parse("-!/usr/sbin/chronyd", &c, NULL, NULL), 0);
        ck_assert(c->no_setuid && c->ignore_failure && !c->privileged && !c->ambient_magic);
        c = exec_command_free(c);
        ck_assert_int_eq(exec_command_parse("!!/bin/true", &c, NULL, NULL), 0);
        ck_assert(c->ambient_magic && !c->no_setuid && !c->privileged);
        c = exec_command_free(c);
        ck_assert_int_eq(exec_command_parse("@+-/bin/sh sh -c x", &c, NULL, NULL), 0);
        ck_assert(c->privileged && c->ignore_failure && c->argv0_given);
        ck_assert_str_eq(join(c->argv), "<sh><-c><x>");
        c = exec_command_free(c);
        /* "+" and "!" exclude each other, "!!!" is one too many: the rest is the path, as in systemd. */
        ck_assert_str_eq(parse_error("+!/bin/true"),
                         "Executable path '!/bin/true' is neither an absolute path nor a plain file name");
        ck_assert_str_eq(parse_error("!+/bin/true"),
                         "Executable path '+/bin/true' is neither an absolute path nor a plain file name");
        ck_assert_str_eq(parse_error("!!!/bin/true"),
                         "Executable path '!/bin/true' is neither an absolute path nor a plain file name");
        ck_assert_str_eq(parse_error("++/bin/true"),
                         "Executable path '+/bin/true' is neither an absolute path nor a plain file name");
        ck_assert_str_eq(parse_error("|/bin/true"), "Command prefix '|' is not supported (systemd 252 has no such prefix)");
        ck_assert_str_eq(parse_error("@/bin/true"), "Empty argv[0] after '@' prefix");
        ck_assert_str_eq(parse_error("@/bin/true ''"), "Empty argv[0] after '@' prefix");
        ck_assert_str_eq(parse_error("-"), "Empty executable path in command line");
}
END_TEST

START_TEST(test_bad_lines) {
        ck_assert_str_eq(parse_error(""), "Empty command line");
        ck_assert_str_eq(parse_error("   \t "), "Empty command line");
        ck_assert_str_eq(parse_error("bin/true"),
                         "Executable path 'bin/true' is neither an absolute path nor a plain file name");
        ck_assert_str_eq(parse_error("/usr/bin/"),
                         "Executable path '/usr/bin/' is neither an absolute path nor a plain file name");
        ck_assert_str_eq(parse_error("/bin/true ; /bin/false"), "Several commands separated by ';' are not supported here");
        ck_assert_str_eq(parse_error("/bin/true ;"), "Several commands separated by ';' are not supported here");
        /* Escaped, or inside a word, ";" is an argument. */
        ck_assert_str_eq(args("/bin/echo \\; a;b \";\""), "</bin/echo><;><a;b><;>");
}
END_TEST

START_TEST(test_variables_kept) {
        /* Expansion happens at exec time; the parser keeps the text. */
        ck_assert_str_eq(args("/bin/echo $HOME ${USER} $$ $${X} a$B"), "</bin/echo><$HOME><${USER}><$$><$${X}><a$B>");
}
END_TEST

static const char *expand(const char *line, char **env) {
        _cleanup_(exec_command_freep) ExecCommand *c = NULL;
        _cleanup_strv_free_ char **argv = NULL;

        ck_assert_int_eq(exec_command_parse(line, &c, NULL, NULL), 0);
        ck_assert_int_eq(exec_command_expand(c, env, &argv), 0);
        return join(argv);
}

START_TEST(test_expand) {
        char *env[] = {
                (char *) "FOO=one two  three",
                (char *) "BAR=bar",
                (char *) "EMPTY=",
                (char *) "Q=a \"b c\" d",
                (char *) "BAR=last",
                NULL,
        };

        /* $VAR as a word splits at whitespace. */
        ck_assert_str_eq(expand("/bin/echo $FOO", env), "</bin/echo><one><two><three>");
        /* ${VAR} stays one word, inside its word. */
        ck_assert_str_eq(expand("/bin/echo ${FOO}", env), "</bin/echo><one two  three>");
        ck_assert_str_eq(expand("/bin/echo x${BAR}y", env), "</bin/echo><xlasty>");
        ck_assert_str_eq(expand("/bin/echo \"a ${FOO} b\"", env), "</bin/echo><a one two  three b>");
        /* Unset: the whole word disappears; inside a word, nothing. */
        ck_assert_str_eq(expand("/bin/echo $NOPE end", env), "</bin/echo><end>");
        ck_assert_str_eq(expand("/bin/echo x${NOPE}y", env), "</bin/echo><xy>");
        ck_assert_str_eq(expand("/bin/echo $EMPTY ${EMPTY}", env), "</bin/echo><>");
        /* $$ is a dollar. */
        ck_assert_str_eq(expand("/bin/echo $$ $$FOO a$$b $${BAR}", env), "</bin/echo><$><$FOO><a$b><${BAR}>");
        /* Braceless inside a word is not expanded; a braceless word is the whole name. */
        ck_assert_str_eq(expand("/bin/echo a$BAR $BAR/x", env), "</bin/echo><a$BAR>");
        /* Quotes in a value group words. */
        ck_assert_str_eq(expand("/bin/echo $Q", env), "</bin/echo><a><b c><d>");
        /* An unterminated ${ stays. */
        ck_assert_str_eq(expand("/bin/echo ${BAR", env), "</bin/echo><${BAR>");
        /* argv[0] may come from a variable too. */
        ck_assert_str_eq(expand("@/bin/echo ${BAR} x", env), "<last><x>");
        /* ":" keeps everything. */
        ck_assert_str_eq(expand(":/bin/echo $FOO ${BAR} $$", env), "</bin/echo><$FOO><${BAR}><$$>");
        /* No environment at all. */
        ck_assert_str_eq(expand("/bin/echo $FOO ${FOO}x", NULL), "</bin/echo><x>");
}
END_TEST

static Suite *exec_line_suite(void) {
        Suite *s = suite_create("exec-line");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_words);
        tcase_add_test(tc, test_quotes);
        tcase_add_test(tc, test_escapes);
        tcase_add_test(tc, test_prefixes);
        tcase_add_test(tc, test_bad_lines);
        tcase_add_test(tc, test_variables_kept);
        tcase_add_test(tc, test_expand);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(exec_line_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        free(joined);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
