/*
 * Copyright (c) 2026 The hafod authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * The configuration language: parse.y's lexer, grammar, includes and
 * macros on any bytes.  A configuration it accepts must print back
 * (printconf.c) as one that reads back and prints the same.
 *
 * Input, split at lines holding "%%" alone:
 *	main.conf, then inc1.conf, then inc2.conf, all in one directory,
 *	so that the input may include them (and itself) by name.
 * Lines that start main.conf with "-D" are hafod's -D arguments.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hafod.h"
#include "fuzz.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NFILES		3
#define MACRO_MAX	256

static const char	*names[NFILES] = {
	"main.conf", "inc1.conf", "inc2.conf"
};

/*
 * -D macros last for the life of the process, by design.  So that one
 * input cannot change how the next one reads, only names a to e may be
 * defined (all reset first); a name parse.y refuses goes through as is.
 */
static void
macros(const char *line, size_t len)
{
	static const char	*resets[] = { "a=", "b=", "c=", "d=", "e=" };
	char			 arg[MACRO_MAX];
	const char		*eq;
	size_t			 i;
	int			 valid = 1;

	if (line == NULL) {
		for (i = 0; i < sizeof(resets) / sizeof(resets[0]); i++) {
			strlcpy(arg, resets[i], sizeof(arg));
			if (cmdline_symset(arg) == -1)
				fuzz_fail("cannot define %s", arg);
		}
		return;
	}
	if (len >= sizeof(arg) || memchr(line, '\0', len) != NULL)
		return;
	memcpy(arg, line, len);
	arg[len] = '\0';
	if ((eq = strchr(arg, '=')) != NULL)
		for (i = 0; arg + i < eq; i++)
			if (!isalnum((unsigned char)arg[i]) && arg[i] != '_')
				valid = 0;
	if (eq != NULL && valid && (eq - arg != 1 || arg[0] < 'a' ||
	    arg[0] > 'e'))
		return;
	(void)cmdline_symset(arg);
}

/* Print conf into path, as hafod -nv does to stdout. */
static void
print_to(const struct config *conf, const char *path)
{
	FILE	*f;
	int	 saved;

	if (fflush(stdout) == EOF || (saved = dup(STDOUT_FILENO)) == -1 ||
	    (f = fopen(path, "w")) == NULL ||
	    dup2(fileno(f), STDOUT_FILENO) == -1)
		fuzz_fail("cannot redirect stdout to %s", path);
	print_config(conf);
	if (fflush(stdout) == EOF || dup2(saved, STDOUT_FILENO) == -1 ||
	    fclose(f) == EOF || close(saved) == -1)
		fuzz_fail("cannot restore stdout");
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "r")) == NULL || fseek(f, 0, SEEK_END) == -1 ||
	    (n = ftell(f)) == -1 || fseek(f, 0, SEEK_SET) == -1 ||
	    (buf = malloc(n + 1)) == NULL ||
	    fread(buf, 1, n, f) != (size_t)n || fclose(f) == EOF)
		fuzz_fail("cannot read %s", path);
	*len = n;
	return (buf);
}

/* What is printed reads back, and prints the same again. */
static void
roundtrip(const struct config *conf)
{
	struct config	*again;
	char		 first[PATH_MAX];
	char		*a, *b;
	size_t		 alen, blen;

	strlcpy(first, fuzz_path("printed1.conf"), sizeof(first));
	print_to(conf, first);
	if ((again = parse_config(first, 0)) == NULL)
		fuzz_fail("printed configuration does not parse");
	print_to(again, fuzz_path("printed2.conf"));
	config_free(again);
	a = slurp(first, &alen);
	b = slurp(fuzz_path("printed2.conf"), &blen);
	if (alen != blen || memcmp(a, b, alen) != 0)
		fuzz_fail("printed configuration prints differently");
	free(a);
	free(b);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*conf;
	const char	*p = (const char *)data, *end = p + size, *nl, *sep;
	int		 i, fd0;

	fd0 = fuzz_lowest_fd();
	macros(NULL, 0);
	while (end - p > 2 && p[0] == '-' && p[1] == 'D' &&
	    (nl = memchr(p, '\n', end - p)) != NULL) {
		macros(p + 2, nl - p - 2);
		p = nl + 1;
	}
	for (i = 0; i < NFILES; i++) {
		sep = i < NFILES - 1 ? memmem(p, end - p, "\n%%\n", 4) : NULL;
		if (sep == NULL) {
			fuzz_write(fuzz_path(names[i]), p, end - p);
			p = end;
		} else {
			fuzz_write(fuzz_path(names[i]), p, sep - p + 1);
			p = sep + 4;
		}
	}

	if ((conf = parse_config(fuzz_path(names[0]), 0)) != NULL) {
		roundtrip(conf);
		config_free(conf);
	}
	if (fuzz_lowest_fd() != fd0)
		fuzz_fail("the parser leaks a descriptor");
	return (0);
}
