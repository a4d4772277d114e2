/* fix.c — `falco-lint fix`: load rules like the lint command, then print
 * (or merge into -o FILE, atomically) the verified override entries that
 * silence every rule firing on a benign scenario; --format-fix=helm gives
 * them as a Helm chart customRules entry. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "opts.h"
#include "falcolint.h"

enum fix_opt {
	F_RULES, F_FALCO_CONFIG, F_HELM_VALUES, F_SCENARIO, F_DRIVER, F_TARGET, F_OUTPUT,
	F_FORMAT, F_HELM_ENTRY, F_ONLY, F_CONFIG, F_NO_CONFIG, F_VERBOSE, F_HELP
};

static const struct cli_opt fix_opts[] = {
	{F_RULES, 'r', "rules", "FILE", "load FILE first as context (repeatable)", 0},
	{F_FALCO_CONFIG, 'c', "falco-config", "FILE", "load the rules files a Falco configuration lists", 0},
	{F_HELM_VALUES, 0, "helm-values", "FILE", "load the customRules of a Helm values file (repeatable)", 0},
	{F_SCENARIO, 0, "scenario", "FILE", "evaluate the scenarios of FILE too (repeatable)", 0},
	{F_DRIVER, 0, "driver", "NAME", "only scenario events of driver NAME (modern_bpf, ebpf, kmod)", 0},
	{F_TARGET, 0, "target-falco", "VERSION", "write for Falco VERSION (below 0.37: 'append: true')", 0},
	{F_OUTPUT, 'o', "output", "FILE", "merge the entries into FILE (created if missing) atomically", 0},
	{F_FORMAT, 0, "format-fix", "FORM", "rules (default) or helm: a customRules entry for values.yaml", 0},
	{F_HELM_ENTRY, 0, "helm-entry", "NAME", "customRules key of the entry (default falco-lint-fixes.yaml)", 0},
	{F_ONLY, 0, "only", "GLOB", "fix only findings on scenarios whose name matches GLOB", 0},
	{F_CONFIG, 0, "config", "FILE", "read falco-lint settings from FILE instead of .falco-lint.yaml", 0},
	{F_NO_CONFIG, 0, "no-config", NULL, "ignore any .falco-lint.yaml", 0},
	{F_VERBOSE, 'v', "verbose", NULL, "explain every candidate tried on standard error", 0},
	{F_HELP, 'h', "help", NULL, "show this help and exit", 0},
};
#define NFIX_OPTS (sizeof(fix_opts) / sizeof(fix_opts[0]))

static void fix_usage(FILE *f)
{
	fputs("usage: falco-lint fix [OPTIONS] PATH...\n"
	      "\n"
	      "Print override entries that silence every rule firing on a benign scenario\n"
	      "(FL501), each verified first: the inputs plus the entry are loaded again and\n"
	      "the benign scenario must stop firing, every malicious scenario that fired\n"
	      "must still fire, and no new diagnostic may appear.  Nothing is printed when\n"
	      "there is nothing to fix.  The rules files read are never modified.\n"
	      "\n"
	      "options:\n", f);
	cli_print_options(f, fix_opts, NFIX_OPTS, 0);
	fputs("\n"
	      "exit status: 0 every finding fixed (or none), 1 some finding has no verified\n"
	      "fix, 2 usage error or FILE cannot be written, 3 internal error\n", f);
}

/* An input in command-line order: a rules path or a Helm values file. */
struct input {
	const char *path;
	int helm;
};

struct fix_cfg {
	fl_options fo;
	fl_fix_options xo;
	const char **context, **scenarios, *falco_config, *output, *config_file;
	size_t ncontext, nscenarios;
	struct input *inputs;
	size_t ninputs;
	int no_config, verbose;
};

static int fix_apply(void *ctx, const struct cli_opt *o, const char *arg)
{
	struct fix_cfg *c = ctx;
	switch (o->id) {
	case F_RULES: c->context[c->ncontext++] = arg; return 0;
	case F_FALCO_CONFIG: c->falco_config = arg; return 0;
	case F_HELM_VALUES: c->inputs[c->ninputs++] = (struct input){arg, 1}; return 0;
	case F_SCENARIO: c->scenarios[c->nscenarios++] = arg; return 0;
	case F_DRIVER:
		if (!fl_driver_name_valid(arg))
			return usage_error("unknown driver '%s' (modern_bpf, ebpf, kmod)", arg);
		c->fo.driver = arg;
		return 0;
	case F_TARGET:
		if (!fl_engine_version_of(arg))
			return usage_error("unknown Falco version '%s'", arg);
		c->fo.target_falco = arg;
		return 0;
	case F_OUTPUT: c->output = arg; return 0;
	case F_FORMAT:
		if (!strcmp(arg, "helm"))
			c->xo.helm = 1;
		else if (!strcmp(arg, "rules") || !strcmp(arg, "yaml"))
			c->xo.helm = 0;
		else
			return usage_error("unknown fix format '%s' (rules, helm)", arg);
		return 0;
	case F_HELM_ENTRY:
		if (!*arg || strchr(arg, '/'))
			return usage_error("invalid customRules entry name '%s'", arg);
		c->xo.helm_entry = arg;
		return 0;
	case F_ONLY: c->xo.only = arg; return 0;
	case F_CONFIG: c->config_file = arg; return 0;
	case F_NO_CONFIG: c->no_config = 1; return 0;
	case F_VERBOSE: c->verbose = 1; return 0;
	case F_HELP:
		fix_usage(stdout);
		exit(EXIT_CLEAN);
	}
	return 0;
}

static int fix_operand(void *ctx, const char *arg)
{
	struct fix_cfg *c = ctx;
	c->inputs[c->ninputs++] = (struct input){arg, 0};
	return 0;
}

static int fix_parse(struct fix_cfg *c, int argc, char **argv)
{
	return cli_parse(fix_opts, NFIX_OPTS, 0, 2, argc, argv, fix_apply, fix_operand, c, NULL);
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (stat(a, &sa) || stat(b, &sb))
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Reads `path` whole; 0 with *data NULL when it does not exist. */
static int read_all(const char *path, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO must not block the open (it is refused below). */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -1;
	}
	for (;;) {
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

/* Merges the fix into c->output and replaces it atomically. */
static int write_output(const struct fix_cfg *c, fl_session *s, fl_fix *fx)
{
	/* A Helm values file is read and rewritten by design; a rules file
	 * that was read never is. */
	int values = 0;
	for (size_t k = 0; k < c->ninputs; k++)
		values |= c->inputs[k].helm && same_file(c->inputs[k].path, c->output);
	for (size_t i = 0; !values && i < fl_session_nsources(s); i++) {
		const char *p = fl_session_source_path(s, (unsigned)i);
		int scen = 0;
		for (size_t k = 0; k < c->nscenarios; k++)
			scen |= p && !strcmp(p, c->scenarios[k]);
		if (p && !scen && same_file(p, c->output))
			return usage_error("refusing to write '%s': it is one of the rules files read "
					   "(write the fixes to a file of their own)", c->output);
	}
	char *old;
	size_t oldlen;
	if (read_all(c->output, &old, &oldlen)) {
		fprintf(stderr, "falco-lint: cannot read '%s': %s\n", c->output, strerror(errno));
		return EXIT_USAGE;
	}
	char *out;
	size_t outlen;
	int changed = 0;
	const char *err = NULL;
	int rc = fl_fix_merge(fx, c->output, old ? old : "", oldlen, &out, &outlen, &changed, &err);
	free(old);
	if (rc == FL_EUSAGE) {
		fprintf(stderr, "falco-lint: %s\n", err ? err : "cannot merge the fixes");
		return EXIT_USAGE;
	}
	if (rc)
		return EXIT_INTERNAL;
	if (!changed && old) {
		fprintf(stderr, "falco-lint: '%s' already has every entry\n", c->output);
		return EXIT_CLEAN;
	}
	char msg[1024];
	if (fl_write_file_atomic(c->output, out, outlen, msg, sizeof msg)) {
		fprintf(stderr, "falco-lint: %s\n", msg);
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

static int fix_run(struct fix_cfg *c)
{
	fl_session *s = fl_session_new(&c->fo);
	if (!s)
		return EXIT_INTERNAL;
	int rc = 0;
	for (size_t i = 0; i < c->nscenarios && rc == 0; i++)
		rc = fl_session_add_scenario(s, c->scenarios[i]);
	for (size_t i = 0; i < c->ncontext && rc == 0; i++)
		rc = fl_session_add_path(s, c->context[i], 1);
	if (c->falco_config && rc == 0) {
		char *err = NULL;
		rc = fl_session_add_falco_config(s, c->falco_config, &err);
		if (rc == FL_EUSAGE) {
			fprintf(stderr, "falco-lint: %s\n", err ? err : "invalid Falco configuration");
			fl_session_free(s);
			return EXIT_USAGE;
		}
	}
	for (size_t i = 0; i < c->ninputs && rc == 0; i++)
		rc = c->inputs[i].helm ? fl_session_add_helm_values(s, c->inputs[i].path, 0)
				       : fl_session_add_path(s, c->inputs[i].path, 0);
	fl_fix *fx = NULL;
	if (rc == 0)
		rc = fl_session_run(s);
	if (rc == 0)
		rc = fl_fix_run(s, &c->xo, &fx);
	if (rc) {
		fprintf(stderr, "falco-lint: internal error (%d)\n", rc);
		fl_session_free(s);
		return EXIT_INTERNAL;
	}
	if (c->verbose)
		for (size_t i = 0; i < fl_fix_nlog(fx); i++)
			fprintf(stderr, "falco-lint: fix: %s\n", fl_fix_log(fx, i));
	for (size_t i = 0; i < fl_fix_nunfixed(fx); i++)
		fprintf(stderr, "falco-lint: %s\n", fl_fix_unfixed(fx, i));
	int status = fl_fix_nunfixed(fx) ? EXIT_FINDINGS : EXIT_CLEAN;
	size_t len;
	const char *text = fl_fix_text(fx, &len);
	if (c->output) {
		if (fl_fix_nentries(fx)) {
			int w = write_output(c, s, fx);
			if (w)
				status = w;
		}
	} else if (len) {
		fwrite(text, 1, len, stdout);
		if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "falco-lint: cannot write the output: %s\n", strerror(errno));
			status = EXIT_INTERNAL;
		}
	}
	fl_session_free(s);
	return status;
}

/* Settings of .falco-lint.yaml the lint command would also use: target,
 * context rules, scenario files. */
static int fix_config(struct fix_cfg *c, fl_lintconfig **lcp)
{
	*lcp = NULL;
	if (c->no_config)
		return 0;
	fl_lintconfig *lc = fl_lintconfig_new();
	if (!lc)
		return EXIT_INTERNAL;
	int rc = c->config_file ? fl_lintconfig_read(lc, c->config_file) : fl_lintconfig_discover(lc, ".");
	if (rc == 1 || rc == FL_ENOMEM || rc == FL_EUSAGE) {
		if (rc == FL_EUSAGE)
			fprintf(stderr, "falco-lint: %s\n", lc->error);
		fl_lintconfig_free(lc);
		return rc == 1 ? 0 : rc == FL_EUSAGE ? EXIT_USAGE : EXIT_INTERNAL;
	}
	*lcp = lc;
	if (!c->fo.target_falco)
		c->fo.target_falco = lc->target_falco;
	return 0;
}

int cmd_fix(int argc, char **argv)
{
	struct fix_cfg c = {0};
	fl_options_init(&c.fo);
	map_rule_files(&c.fo);
	fl_lintconfig *lc = NULL;
	size_t cap = (size_t)argc + 1;
	int rc = EXIT_INTERNAL;
	c.context = calloc(cap, sizeof(char *));
	c.scenarios = calloc(cap, sizeof(char *));
	c.inputs = calloc(cap, sizeof(*c.inputs));
	if (!c.context || !c.scenarios || !c.inputs)
		goto out;
	if ((rc = fix_parse(&c, argc, argv)))
		goto out;
	if (c.ninputs == 0 && !c.falco_config) {
		rc = usage_error("%s", "fix: no rules file given");
		goto out;
	}
	if ((rc = fix_config(&c, &lc)))
		goto out;
	if (lc) {
		/* the configuration's context files and scenarios come first */
		const char **ctx = calloc(cap + lc->nrules, sizeof(char *));
		const char **scn = calloc(cap + lc->nscenarios, sizeof(char *));
		if (!ctx || !scn) {
			free(ctx);
			free(scn);
			rc = EXIT_INTERNAL;
			goto out;
		}
		size_t n = 0;
		for (size_t i = 0; i < lc->nrules; i++) {
			int named = 0;
			for (size_t k = 0; k < c.ninputs; k++)
				named |= same_file(c.inputs[k].path, lc->rules[i]);
			if (!named)
				ctx[n++] = lc->rules[i];
		}
		for (size_t i = 0; i < c.ncontext; i++)
			ctx[n++] = c.context[i];
		free(c.context);
		c.context = ctx;
		c.ncontext = n;
		n = 0;
		for (size_t i = 0; i < lc->nscenarios; i++)
			scn[n++] = lc->scenarios[i];
		for (size_t i = 0; i < c.nscenarios; i++)
			scn[n++] = c.scenarios[i];
		free(c.scenarios);
		c.scenarios = scn;
		c.nscenarios = n;
	}
	rc = fix_run(&c);
out:
	fl_lintconfig_free(lc);
	free(c.context);
	free(c.scenarios);
	free(c.inputs);
	return rc;
}
