/* main.c — falco-lint command line: dispatch subcommands, parse options
 * from one table (which also prints --help), merge them over the project
 * configuration (.falco-lint.yaml), load and check through libfalcolint,
 * render in the chosen format, and map the result to an exit status. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "opts.h"
#include "falcolint.h"
#include "out.h"

/* Subcommands: one file each; a new one is one row here. */
static const struct subcmd {
	const char *name;
	int (*run)(int argc, char **argv);
} subcmds[] = {
	{"checks", cmd_checks},
	{"explain", cmd_explain},
	{"eval", cmd_eval},
	{"scenarios", cmd_scenarios},
	{"fix", cmd_fix},
};

static const struct format {
	const char *name;
	render_fn render;
} formats[] = {
	{"text", render_text},
	{"json", render_json},
	{"sarif", render_sarif},
	{"github", render_github},
	{"gitlab", render_gitlab},
	{"falco", render_falco},
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

enum opt_id {
	O_RULES, O_FALCO_CONFIG, O_CONFIG, O_NO_CONFIG, O_FORMAT, O_FAIL_ON, O_TARGET,
	O_COLOR, O_QUIET, O_STATS, O_SELECT, O_IGNORE, O_EXTEND, O_MAX_FILE, O_MAX_YDEPTH,
	O_MAX_ALIASES, O_MAX_EDEPTH, O_MAX_DIR, O_MAX_COND, O_HELM_VALUES, O_SCENARIO, O_DRIVER, O_UNCERTAIN, O_SCEN_NAME, O_PROFILE, O_HELP, O_VERSION
};

static const struct cli_opt opts[] = {
	{O_RULES, 'r', "rules", "FILE", "load FILE first as context: used, not reported on (repeatable)", 0},
	{O_FALCO_CONFIG, 'c', "falco-config", "FILE", "lint the rules files listed in a Falco configuration (rules_files)", 0},
	{O_HELM_VALUES, 0, "helm-values", "FILE", "lint the customRules of a Falco Helm chart values file (repeatable)", 0},
	{O_CONFIG, 0, "config", "FILE", "read falco-lint settings from FILE instead of .falco-lint.yaml", 0},
	{O_NO_CONFIG, 0, "no-config", NULL, "ignore any .falco-lint.yaml", 0},
	{O_FORMAT, 0, "format", "FMT", "output format: text (default), json, sarif, github, gitlab, falco", 0},
	{O_FAIL_ON, 0, "fail-on", "LEVEL", "exit 1 on findings at or above LEVEL: error, warning (default), info", 0},
	{O_TARGET, 0, "target-falco", "VERSION", "check against Falco VERSION (default: newest known)", 0},
	{O_COLOR, 0, "color", "WHEN", "colour text output: auto (default), always, never", 0},
	{O_QUIET, 'q', "quiet", NULL, "print diagnostics only, no summary", 0},
	{O_STATS, 0, "statistics", NULL, "print the number of diagnostics per code", 0},
	{O_SELECT, 0, "select", "CODES", "enable only these codes or prefixes (comma-separated)", 0},
	{O_IGNORE, 0, "ignore", "CODES", "disable these codes or prefixes", 0},
	{O_EXTEND, 0, "extend-select", "CODES", "enable these codes or prefixes in addition", 0},
	{O_MAX_FILE, 0, "max-file-size", "BYTES", "refuse files larger than BYTES (default 67108864)", 0},
	{O_MAX_YDEPTH, 0, "max-yaml-depth", "N", "refuse YAML nested deeper than N (default 256)", 0},
	{O_MAX_ALIASES, 0, "max-yaml-aliases", "N", "refuse files with more than N YAML aliases (default 10000)", 0},
	{O_MAX_EDEPTH, 0, "max-expr-depth", "N", "refuse conditions nested deeper than N (default 1000)", 0},
	{O_MAX_DIR, 0, "max-dir-entries", "N", "refuse directories with more than N entries (default 100000)", 0},
	{O_MAX_COND, 0, "max-condition-size", "BYTES", "refuse conditions longer than BYTES after list substitution (default 16777216)", 0},
	{O_SCENARIO, 0, "scenario", "FILE", "evaluate rules against the scenarios in FILE too (repeatable)", 0},
	{O_DRIVER, 0, "driver", "NAME", "only scenario variants of driver NAME: modern_bpf, ebpf, kmod", 0},
	{O_UNCERTAIN, 0, "show-uncertain", NULL, "also report rules that may fire on a benign scenario (FL502)", 0},
	{O_SCEN_NAME, 0, "scenario-name", "NAME", "evaluate rules against scenario NAME only", 0},
	{O_PROFILE, 0, "profile", NULL, "print the time and memory of each stage to standard error", 0},
	{O_HELP, 'h', "help", NULL, "show this help and exit", 0},
	{O_VERSION, 0, "version", NULL, "show the version and exit", 0},
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static void usage(FILE *f)
{
	fputs("usage: falco-lint [OPTIONS] PATH...\n"
	      "       falco-lint checks [--format=text|man]\n"
	      "       falco-lint explain CODE\n"
	      "       falco-lint fix [OPTIONS] PATH...   (see falco-lint fix --help)\n"
	      "       falco-lint eval [OPTIONS] PATH...\n"
	      "       falco-lint scenarios [OPTIONS]\n"
	      "\n"
	      "Check Falco rules files (a file, a directory of .yaml/.yml files, or - for\n"
	      "standard input), loaded in the order given, as Falco would load them.\n"
	      "Settings are read from the nearest .falco-lint.yaml (this directory or a\n"
	      "parent); options given here override them.\n"
	      "\n"
	      "options:\n", f);
	cli_print_options(f, opts, NOPTS, 0);
	fputs("\n"
	      "environment: NO_COLOR (non-empty: no colour), GITHUB_ACTIONS=true (default\n"
	      "format github)\n"
	      "exit status: 0 nothing at or above the fail level, 1 findings,\n"
	      "2 usage error, 3 internal error (out of memory)\n", f);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("falco-lint: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'falco-lint --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

/* One layer of code selection (the configuration file, then the command
 * line); a layer with `select` starts afresh. */
typedef struct selection {
	const char *select, *ignore, *extend;
} selection;

typedef struct config {
	fl_options fo;
	const char *format;   /* NULL: not given */
	int fail_on;          /* fl_severity: findings at or below this value fail; -1 unset */
	int color;
	render_opts ro;
	selection cli;
	const char **context;
	size_t ncontext;
	const char **paths;
	size_t npaths;
	const char *falco_config;
	const char **helm;    /* --helm-values files, loaded after the paths */
	size_t nhelm;
	const char *config_file;
	int no_config;
	fl_lintconfig *lc;    /* the project configuration, or NULL */
	/* Extra scenario files named by the configuration. */
	const char **scenarios;
	size_t nscenarios;
	int profile;              /* --profile */
	const char **cli_scen;    /* --scenario files */
	size_t ncli_scen;
	const char *scen_name;    /* --scenario-name */
} config;

static int parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v == 0 || s[0] == '-')
		return -1;
	*out = (size_t)v;
	return 0;
}

static int parse_uint(const char *s, unsigned *out)
{
	size_t v;
	if (parse_size(s, &v) || v > 100000000u)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_level(const char *s)
{
	return !strcmp(s, "error") ? FL_SEVERITY_ERROR
	       : !strcmp(s, "warning") ? FL_SEVERITY_WARNING
	       : !strcmp(s, "info") ? FL_SEVERITY_INFO : -1;
}

static int apply(void *ctx, const struct cli_opt *o, const char *arg)
{
	config *c = ctx;
	fl_limits *l = &c->fo.limits;
	switch (o->id) {
	case O_RULES:
		c->context[c->ncontext++] = arg;
		return 0;
	case O_FALCO_CONFIG: c->falco_config = arg; return 0;
	case O_HELM_VALUES: c->helm[c->nhelm++] = arg; return 0;
	case O_CONFIG: c->config_file = arg; return 0;
	case O_NO_CONFIG: c->no_config = 1; return 0;
	case O_FORMAT:
		for (size_t i = 0; i < NFORMATS; i++)
			if (!strcmp(arg, formats[i].name)) {
				c->format = arg;
				return 0;
			}
		return usage_error("unknown format '%s' (text, json, sarif, github, gitlab, falco)", arg);
	case O_FAIL_ON:
		if ((c->fail_on = parse_level(arg)) < 0)
			return usage_error("unknown fail level '%s' (error, warning, info)", arg);
		return 0;
	case O_TARGET:
		if (!fl_engine_version_of(arg))
			return usage_error("unknown Falco version '%s'", arg);
		c->fo.target_falco = arg;
		return 0;
	case O_COLOR:
		if (!strcmp(arg, "always"))
			c->color = 1;
		else if (!strcmp(arg, "never"))
			c->color = 0;
		else if (!strcmp(arg, "auto"))
			c->color = -1;
		else
			return usage_error("unknown colour mode '%s' (auto, always, never)", arg);
		return 0;
	case O_QUIET: c->ro.quiet = 1; return 0;
	case O_STATS: c->ro.statistics = 1; return 0;
	case O_SELECT: c->cli.select = arg; return 0;
	case O_IGNORE: c->cli.ignore = arg; return 0;
	case O_EXTEND: c->cli.extend = arg; return 0;
	case O_MAX_FILE:
		return parse_size(arg, &l->max_file_size) ? usage_error("invalid size '%s'", arg) : 0;
	case O_MAX_YDEPTH:
		return parse_uint(arg, &l->max_yaml_depth) ? usage_error("invalid number '%s'", arg) : 0;
	case O_MAX_ALIASES:
		return parse_uint(arg, &l->max_yaml_aliases) ? usage_error("invalid number '%s'", arg) : 0;
	case O_MAX_EDEPTH:
		return parse_uint(arg, &l->max_expr_depth) ? usage_error("invalid number '%s'", arg) : 0;
	case O_SCENARIO: c->cli_scen[c->ncli_scen++] = arg; return 0;
	case O_DRIVER:
		if (!fl_driver_name_valid(arg))
			return usage_error("unknown driver '%s' (modern_bpf, ebpf, kmod)", arg);
		c->fo.driver = arg;
		return 0;
	case O_UNCERTAIN: c->fo.show_uncertain = 1; return 0;
	case O_PROFILE: c->profile = 1; return 0;
	case O_SCEN_NAME: c->scen_name = arg; return 0;
	case O_MAX_DIR:
		return parse_size(arg, &l->max_dir_entries) ? usage_error("invalid number '%s'", arg) : 0;
	case O_MAX_COND:
		return parse_size(arg, &l->max_condition_size) ? usage_error("invalid size '%s'", arg) : 0;
	case O_HELP:
		usage(stdout);
		exit(EXIT_CLEAN);
	case O_VERSION:
		printf("falco-lint %s (target Falco %s, engine %s)\n", FL_VERSION,
		       fl_newest_falco(), fl_engine_version_of(fl_newest_falco()));
		exit(EXIT_CLEAN);
	}
	return 0;
}

static int operand(void *ctx, const char *arg)
{
	config *c = ctx;
	c->paths[c->npaths++] = arg;
	return 0;
}

static int parse_args(config *c, int argc, char **argv)
{
	return cli_parse(opts, NOPTS, 0, 1, argc, argv, apply, operand, c, NULL);
}

/* ---- selection (ruff-style): in each layer a code is on when selected (or
 * on from the layer below when the layer selects nothing) or
 * extend-selected, unless ignored by a prefix at least as specific as the
 * one that turned it on.  Per-path ignores of the configuration win. ---- */

static size_t match_len(const char *list, const char *code)
{
	size_t best = 0;
	if (!list)
		return 0;
	const char *p = list;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n && n <= strlen(code) && !strncmp(p, code, n) && n > best)
			best = n;
		if (!strncmp(p, "ALL", 3) && n == 3 && best < 1)
			best = 1;
		p += n + (e ? 1 : 0);
	}
	return best;
}

static int check_codes(const char *list)
{
	if (!list)
		return 0;
	const char *p = list;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		int ok = n == 3 && !strncmp(p, "ALL", 3);
		for (size_t i = 0; !ok && i < fl_check_count(); i++)
			if (n && n <= strlen(fl_check_at(i)->code) &&
			    !strncmp(fl_check_at(i)->code, p, n))
				ok = 1;
		if (!ok) {
			char buf[64];
			snprintf(buf, sizeof buf, "%.*s", (int)(n < 60 ? n : 60), p);
			return usage_error("unknown check code or prefix '%s'", buf);
		}
		p += n + (e ? 1 : 0);
	}
	return 0;
}

static int layer_on(const selection *l, const char *code, int below)
{
	size_t sel = l->select ? match_len(l->select, code) : (size_t)(below ? 1 : 0);
	size_t ext = match_len(l->extend, code);
	size_t on = sel > ext ? sel : ext;
	size_t ign = match_len(l->ignore, code);
	return on > 0 && (ign == 0 || on > ign);
}

static int selected(const config *c, const fl_diag_view *d)
{
	const fl_check_view *cv = fl_check_find(d->code);
	int on = cv && cv->on_by_default;
	if (c->lc) {
		selection file = {c->lc->select, c->lc->ignore, c->lc->extend_select};
		on = layer_on(&file, d->code, on);
	}
	on = layer_on(&c->cli, d->code, on);
	if (on && c->lc && d->loc.file) {
		const char *ign = fl_lintconfig_path_ignores(c->lc, d->loc.file);
		if (ign && match_len(ign, d->code))
			on = 0;
	}
	return on;
}

/* Reads the project configuration and merges it under the command line. */
static int load_config(config *c)
{
	if (c->no_config)
		return 0;
	c->lc = fl_lintconfig_new();
	if (!c->lc)
		return EXIT_INTERNAL;
	int rc = c->config_file ? fl_lintconfig_read(c->lc, c->config_file)
				: fl_lintconfig_discover(c->lc, ".");
	if (rc == FL_ENOMEM)
		return EXIT_INTERNAL;
	if (rc == FL_EUSAGE) {
		fprintf(stderr, "falco-lint: %s\n", c->lc->error);
		return EXIT_USAGE;
	}
	if (rc == 1) {
		fl_lintconfig_free(c->lc);
		c->lc = NULL;
		return 0;
	}
	const fl_lintconfig *lc = c->lc;
	if (!c->fo.target_falco)
		c->fo.target_falco = lc->target_falco;
	if (c->fail_on < 0 && lc->fail_on)
		c->fail_on = parse_level(lc->fail_on);
	c->scenarios = lc->scenarios;
	c->nscenarios = lc->nscenarios;
	return 0;
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (stat(a, &sa) || stat(b, &sb))
		return !strcmp(a, b);
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* A context file of the configuration that is also named on the command
 * line is checked, not used as context (pre-commit passes changed files,
 * base files included). */
static int named_as_path(const config *c, const char *f)
{
	for (size_t i = 0; i < c->npaths; i++)
		if (same_file(c->paths[i], f))
			return 1;
	return 0;
}

/* --profile: where the time and memory of this run went. */
static void print_profile(const fl_session *s)
{
	size_t n;
	const fl_stage_stat *st = fl_session_stages(s, &n);
	double secs = 0;
	size_t bytes = 0;
	fprintf(stderr, "falco-lint: profile\n  %-10s %10s %12s\n", "stage", "seconds", "kept MB");
	for (size_t i = 0; i < n; i++) {
		fprintf(stderr, "  %-10s %10.4f %12.1f\n", st[i].name, st[i].seconds,
			(double)st[i].bytes / 1e6);
		secs += st[i].seconds;
		bytes += st[i].bytes;
	}
	fprintf(stderr, "  %-10s %10.4f %12.1f\n", "total", secs, (double)bytes / 1e6);
	/* VmHWM is this program's own peak; getrusage's ru_maxrss also counts
	 * the process it was exec'ed from (a shell, Python) */
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (f) {
		char line[256];
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
				break;
		fclose(f);
	}
	struct rusage ru;
	if (kb < 0 && getrusage(RUSAGE_SELF, &ru) == 0)
		kb = ru.ru_maxrss;
	if (kb >= 0)
		fprintf(stderr, "  peak RSS %.1f MB\n", (double)kb * 1024.0 / 1e6);
}

static int lint(config *c)
{
	fl_session *s = fl_session_new(&c->fo);
	if (!s)
		return EXIT_INTERNAL;
	int lrc = 0;
	for (size_t i = 0; i < c->nscenarios && lrc == 0; i++)
		lrc = fl_session_add_scenario(s, c->scenarios[i]);
	for (size_t i = 0; i < c->ncli_scen && lrc == 0; i++)
		lrc = fl_session_add_scenario(s, c->cli_scen[i]);
	if (c->scen_name && lrc == 0)
		lrc = fl_session_only_scenario(s, c->scen_name);
	for (size_t i = 0; c->lc && i < c->lc->nrules && lrc == 0; i++)
		if (!named_as_path(c, c->lc->rules[i]))
			lrc = fl_session_add_path(s, c->lc->rules[i], 1);
	for (size_t i = 0; i < c->ncontext && lrc == 0; i++)
		lrc = fl_session_add_path(s, c->context[i], 1);
	if (c->falco_config && lrc == 0) {
		char *err = NULL;
		lrc = fl_session_add_falco_config(s, c->falco_config, &err);
		if (lrc == FL_EUSAGE) {
			fprintf(stderr, "falco-lint: %s\n", err ? err : "invalid Falco configuration");
			fl_session_free(s);
			return EXIT_USAGE;
		}
	}
	for (size_t i = 0; i < c->npaths && lrc == 0; i++)
		lrc = fl_session_add_path(s, c->paths[i], 0);
	for (size_t i = 0; i < c->nhelm && lrc == 0; i++)
		lrc = fl_session_add_helm_values(s, c->helm[i], 0);
	if (lrc == 0)
		lrc = fl_session_run(s);
	if (lrc) {
		fprintf(stderr, "falco-lint: internal error (%d)\n", lrc);
		fl_session_free(s);
		return EXIT_INTERNAL;
	}
	int known = !c->scen_name;
	for (size_t i = 0; !known && i < fl_session_nscenarios(s); i++)
		known = !strcmp(fl_session_scenario_at(s, i)->name, c->scen_name);
	if (!known) {
		fl_session_free(s);
		return usage_error("unknown scenario '%s' (see 'falco-lint scenarios')", c->scen_name);
	}

	size_t n = fl_session_ndiags(s), k = 0;
	const fl_diag_view **shown = calloc(n + 1, sizeof(*shown));
	if (!shown) {
		fl_session_free(s);
		return EXIT_INTERNAL;
	}
	int fail = 0;
	for (size_t i = 0; i < n; i++) {
		const fl_diag_view *d = fl_session_diag(s, i);
		if (!selected(c, d))
			continue;
		shown[k++] = d;
		if ((int)d->severity <= c->fail_on)
			fail = 1;
	}
	for (size_t i = 0; i < NFORMATS; i++)
		if (!strcmp(c->format, formats[i].name))
			formats[i].render(stdout, s, shown, k, &c->ro);
	int werr = fflush(stdout) != 0 || ferror(stdout);
	free(shown);
	if (c->profile)
		print_profile(s);
	fl_session_free(s);
	if (werr) {
		fprintf(stderr, "falco-lint: cannot write the output: %s\n", strerror(errno));
		return EXIT_INTERNAL;
	}
	return fail ? EXIT_FINDINGS : EXIT_CLEAN;
}

static void on_sigbus(int sig)
{
	static const char msg[] =
		"falco-lint: a rule file shrank while it was being read (changed during the run)\n";
	(void)sig;
	ssize_t w = write(2, msg, sizeof msg - 1);
	(void)w;
	_exit(EXIT_INTERNAL);
}

void map_rule_files(fl_options *fo)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigbus;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) == 0)
		fo->map_files = 1;
}

int main(int argc, char **argv)
{
	for (size_t i = 0; argc >= 2 && i < sizeof subcmds / sizeof subcmds[0]; i++)
		if (!strcmp(argv[1], subcmds[i].name))
			return subcmds[i].run(argc, argv);

	config c = {.fail_on = -1, .color = -1};
	fl_options_init(&c.fo);
	map_rule_files(&c.fo);
	c.context = calloc((size_t)argc, sizeof(char *));
	c.paths = calloc((size_t)argc, sizeof(char *));
	c.helm = calloc((size_t)argc, sizeof(char *));
	c.cli_scen = calloc((size_t)argc, sizeof(char *));
	int rc = EXIT_INTERNAL;
	if (!c.context || !c.paths || !c.cli_scen || !c.helm)
		goto out;
	if ((rc = parse_args(&c, argc, argv)) || (rc = check_codes(c.cli.select)) ||
	    (rc = check_codes(c.cli.ignore)) || (rc = check_codes(c.cli.extend)))
		goto out;
	if (c.npaths == 0 && !c.falco_config && !c.nhelm) {
		rc = usage_error("%s", "no rules file given");
		goto out;
	}
	if ((rc = load_config(&c)))
		goto out;
	if (c.fail_on < 0)
		c.fail_on = FL_SEVERITY_WARNING;
	if (!c.format) {
		/* In GitHub Actions, annotations are what a reader sees. */
		const char *gh = getenv("GITHUB_ACTIONS");
		c.format = gh && !strcmp(gh, "true") ? "github" : "text";
	}
	if (c.color < 0) {
		const char *nc = getenv("NO_COLOR");
		c.color = isatty(1) && !(nc && *nc);
	}
	c.ro.color = c.color && !strcmp(c.format, "text");
	rc = lint(&c);
out:
	fl_lintconfig_free(c.lc);
	free(c.context);
	free(c.paths);
	free(c.helm);
	free(c.cli_scen);
	return rc;
}
