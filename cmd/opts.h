/* opts.h — one GNU-style option parser for every subcommand: each command
 * has a table of options (which also prints its --help) and a function that
 * applies one option; operands (paths) go to a second callback. */
#ifndef FLCMD_OPTS_H
#define FLCMD_OPTS_H

#include <stddef.h>
#include <stdio.h>

struct cli_opt {
	int id;
	char shortname;       /* 0: none */
	const char *longname;
	const char *arg;      /* NULL: takes no argument */
	const char *help;
	unsigned flags;       /* command-specific: which variant offers it */
};

typedef int (*cli_apply_fn)(void *ctx, const struct cli_opt *o, const char *val);
typedef int (*cli_operand_fn)(void *ctx, const char *arg);

/* Parses argv[first..argc): -x ARG, -xARG, --long ARG, --long=ARG; "--"
 * ends options; "-" is an operand.  Only options whose flags intersect
 * `mask` are known (mask 0: all).  Returns 0, or the first non-zero value
 * of a callback, or EXIT_USAGE after printing the problem; `cmd` names the
 * subcommand in messages (NULL: the main command). */
int cli_parse(const struct cli_opt *opts, size_t n, unsigned mask, int first,
	      int argc, char **argv, cli_apply_fn apply, cli_operand_fn operand,
	      void *ctx, const char *cmd);

/* Prints the option table as --help shows it. */
void cli_print_options(FILE *f, const struct cli_opt *opts, size_t n, unsigned mask);

#endif
