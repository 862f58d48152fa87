#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Rewrites the list of isolated.service(5)'s "Keys and what each gets" (from its ".TP" after
# the introduction up to the next ".SH", whichever section that is) from the key table itself:
#
#     tools/generate-key-list.py build/tests/fuzz/service-keys-dict man/isolated.service.5
#
# Handled keys are documented where they belong; this lists the others of [Service] with their
# policy and reason, grouped as verify words them. test-service-keys checks the page names
# every key of the table.
import collections
import subprocess
import sys

POLICY = {
    'notice': 'Ignored with a notice',
    'refused': 'Refused (not supported yet)',
    'always-on': 'Accepted with a notice',
}
START = '.SS Keys and what each gets\n'
END = '\n.SH '


def roff(s):
    return s.replace('\\', '\\\\').replace('-', '\\-').replace("'", '\\(aq')


def main():
    dump, page = sys.argv[1], sys.argv[2]
    out = subprocess.run([dump, '--list'], check=True, capture_output=True, text=True).stdout
    groups = collections.OrderedDict()
    for line in out.splitlines():
        section, key, policy, note = line.split('\t')
        if policy == 'handled' or section != 'Service':
            continue
        groups.setdefault((policy, note), []).append(key)
    parts = []
    for (policy, note), keys in groups.items():
        lines = ['.TP', '%s: %s' % (POLICY[policy], roff(note))]
        lines += ['.BR %s= ,' % k for k in keys[:-1]] + ['.B %s=' % keys[-1]]
        parts.append('\n'.join(lines) + '\n')
    text = open(page).read()
    a = text.index(START)
    a = text.index('.TP\n', a)
    b = text.index(END, a) + 1
    text = text[:a] + ''.join(parts) + text[b:]
    open(page, 'w').write(text)


if __name__ == '__main__':
    main()
