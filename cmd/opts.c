/* opts.c — the option parser and --help table shared by all subcommands. */
#include "opts.h"

#include <string.h>

#include "cmd.h"

static int offered(const struct cli_opt *o, unsigned mask)
{
	return mask == 0 || (o->flags & mask);
}

static const struct cli_opt *find_long(const struct cli_opt *opts, size_t n,
				       unsigned mask, const char *name, size_t len)
{
	for (size_t k = 0; k < n; k++)
		if (offered(&opts[k], mask) && strlen(opts[k].longname) == len &&
		    !strncmp(opts[k].longname, name, len))
			return &opts[k];
	return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *opts, size_t n,
					unsigned mask, char c)
{
	for (size_t k = 0; k < n; k++)
		if (offered(&opts[k], mask) && opts[k].shortname && opts[k].shortname == c)
			return &opts[k];
	return NULL;
}

int cli_parse(const struct cli_opt *opts, size_t n, unsigned mask, int first,
	      int argc, char **argv, cli_apply_fn apply, cli_operand_fn operand,
	      void *ctx, const char *cmd)
{
	int only_operands = 0;
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		int rc;
		if (only_operands || a[0] != '-' || !strcmp(a, "-")) {
			if ((rc = operand(ctx, a)) != 0)
				return rc;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_operands = 1;
			continue;
		}
		const struct cli_opt *o;
		const char *val = NULL;
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			o = find_long(opts, n, mask, name, eq ? (size_t)(eq - name) : strlen(name));
			if (o && eq) {
				if (!o->arg)
					return usage_error("option '--%s' takes no argument", o->longname);
				val = eq + 1;
			}
		} else {
			o = find_short(opts, n, mask, a[1]);
			if (o && a[2]) {
				if (!o->arg)
					return usage_error("option '%s' takes no argument", a);
				val = a + 2;
			}
		}
		if (!o)
			return cmd ? usage_error("unknown option '%s' for '%s'", a, cmd)
				   : usage_error("unknown option '%s'", a);
		if (o->arg && !val) {
			if (i + 1 >= argc)
				return usage_error("option '%s' needs an argument", a);
			val = argv[++i];
		}
		if ((rc = apply(ctx, o, val)) != 0)
			return rc;
	}
	return 0;
}

void cli_print_options(FILE *f, const struct cli_opt *opts, size_t n, unsigned mask)
{
	for (size_t i = 0; i < n; i++) {
		const struct cli_opt *o = &opts[i];
		if (!offered(o, mask))
			continue;
		char left[64];
		snprintf(left, sizeof left, "%c%c%s--%s%s%s", o->shortname ? '-' : ' ',
			 o->shortname ? o->shortname : ' ', o->shortname ? ", " : "  ",
			 o->longname, o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-28s %s\n", left, o->help);
	}
}
